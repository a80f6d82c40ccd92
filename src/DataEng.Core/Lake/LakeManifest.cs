using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace DataEng.Core;

/// <summary>One data file as recorded in a commit manifest.</summary>
/// <param name="Path">The path relative to the root, with <c>/</c> separators, exactly as on disk (escaped).</param>
/// <param name="Partition">The escaped partition values, one per partition level (<see cref="HivePath.NullValue"/> for null).</param>
/// <param name="Rows">The row count.</param>
/// <param name="Bytes">The file size in bytes.</param>
internal sealed record DataFileRecord(string Path, string[] Partition, long Rows, long Bytes);

/// <summary>
/// One commit of a lake: a versioned, immutable JSON file <c>_dataeng/commits/{version:D20}.json</c> listing the files
/// it adds and removes, the schema, the run that made it and the key/values committed with it.
/// </summary>
internal sealed class CommitRecord
{
    public const int CurrentFormatVersion = 1;

    public required long Version { get; init; }

    public required LakeOperation Operation { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public string? PipelineName { get; init; }

    public long? RunNumber { get; init; }

    public string? RunId { get; init; }

    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public required LakeTableSchema Schema { get; init; }

    public IReadOnlyList<DataFileRecord> Added { get; init; } = [];

    public IReadOnlyList<string> Removed { get; init; } = [];

    /// <summary>Gets the oldest version retained after this commit (a vacuum that expired versions), or <see langword="null"/>.</summary>
    public long? OldestRetainedVersion { get; init; }

    /// <summary>Gets the retention a vacuum applied, in words (for the error of a read of an expired version).</summary>
    public string? Retention { get; init; }

    /// <summary>Gets the data files a vacuum deletes after publishing this commit (paths relative to the root).</summary>
    public IReadOnlyList<string> Purged { get; init; } = [];

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the manifest as one JSON object (a manifest file, or a pipeline's last commit in a checkpoint).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("formatVersion", CurrentFormatVersion);
        writer.WriteNumber("version", Version);
        writer.WriteString("operation", OperationName(Operation));
        writer.WriteString("timestamp", Timestamp.ToString("O", CultureInfo.InvariantCulture));
        if (PipelineName is not null)
        {
            writer.WriteString("pipeline", PipelineName);
        }

        if (RunNumber is { } run)
        {
            writer.WriteNumber("runNumber", run);
        }

        if (RunId is not null)
        {
            writer.WriteString("runId", RunId);
        }

        writer.WriteStartObject("properties");
        foreach (var (key, value) in Properties.OrderBy(static p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
        WriteSchema(writer, Schema);
        writer.WriteStartArray("added");
        foreach (var file in Added)
        {
            writer.WriteStartObject();
            WriteFile(writer, file);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("removed");
        foreach (var path in Removed)
        {
            writer.WriteStringValue(path);
        }

        writer.WriteEndArray();
        if (OldestRetainedVersion is { } oldest)
        {
            writer.WriteNumber("oldestRetainedVersion", oldest);
        }

        if (Retention is not null)
        {
            writer.WriteString("retention", Retention);
        }

        if (Purged.Count > 0)
        {
            writer.WriteStartArray("purged");
            foreach (var path in Purged)
            {
                writer.WriteStringValue(path);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes the properties <c>schema</c>, <c>partitioning</c> and <c>keepPartitionColumns</c> of a table.</summary>
    internal static void WriteSchema(Utf8JsonWriter writer, LakeTableSchema schema)
    {
        writer.WritePropertyName("schema");
        ArrowTypeJson.WriteSchema(writer, schema.InputSchema);
        writer.WriteStartArray("partitioning");
        foreach (var spec in schema.Partitioning)
        {
            writer.WriteStartObject();
            writer.WriteString("name", spec.Name);
            writer.WriteString("source", spec.SourceColumn);
            writer.WriteString("transform", spec.Transform.ToString().ToLowerInvariant());
            if (spec.Parameter != 0)
            {
                writer.WriteNumber("parameter", spec.Parameter);
            }

            if (spec.TimeZone is not null)
            {
                writer.WriteString("timeZone", spec.TimeZone.Id);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteBoolean("keepPartitionColumns", schema.KeepPartitionColumns);
    }

    /// <summary>Writes the properties <c>path</c>, <c>partition</c>, <c>rows</c> and <c>bytes</c> of a data file.</summary>
    internal static void WriteFile(Utf8JsonWriter writer, DataFileRecord file)
    {
        writer.WriteString("path", file.Path);
        writer.WriteStartArray("partition");
        foreach (var value in file.Partition)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
        writer.WriteNumber("rows", file.Rows);
        writer.WriteNumber("bytes", file.Bytes);
    }

    /// <summary>Reads what <see cref="WriteSchema"/> wrote. Throws <see cref="FormatException"/> and the JSON
    /// exceptions <see cref="Parse"/> turns into a <see cref="DataFormatException"/>.</summary>
    internal static LakeTableSchema ReadSchema(JsonElement root)
    {
        var schema = ArrowTypeJson.ReadSchema(root.GetProperty("schema"));
        var specs = new List<PartitionSpec>();
        foreach (var element in root.GetProperty("partitioning").EnumerateArray())
        {
            var transform = Enum.Parse<PartitionTransform>(element.GetProperty("transform").GetString()!, ignoreCase: true);
            var parameter = element.TryGetProperty("parameter", out var p) ? p.GetInt32() : 0;
            TimeZoneInfo? zone = null;
            if (element.TryGetProperty("timeZone", out var z))
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(z.GetString()!);
            }

            specs.Add(PartitionSpec.Create(element.GetProperty("source").GetString()!, element.GetProperty("name").GetString()!, transform, parameter, zone));
        }

        return new LakeTableSchema(schema, specs, root.GetProperty("keepPartitionColumns").GetBoolean());
    }

    /// <summary>Reads what <see cref="WriteFile"/> wrote, checking the path and the partition value count.</summary>
    internal static DataFileRecord ReadFile(JsonElement element, int partitionLevels)
    {
        var partition = element.GetProperty("partition").EnumerateArray().Select(static v => v.GetString()!).ToArray();
        if (partition.Length != partitionLevels)
        {
            throw new FormatException("a file has a partition value count that does not match the partitioning");
        }

        return new DataFileRecord(
            CheckRelativePath(element.GetProperty("path").GetString()!),
            partition,
            element.GetProperty("rows").GetInt64(),
            element.GetProperty("bytes").GetInt64());
    }

    /// <summary>Parses a manifest. Any problem becomes a <see cref="DataFormatException"/> naming the file.</summary>
    /// <param name="json">The file content.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="expectedVersion">The version in the file name.</param>
    /// <returns>The commit.</returns>
    public static CommitRecord Parse(ReadOnlySpan<byte> json, string path, long expectedVersion)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            return Read(document.RootElement, expectedVersion);
        }
        catch (Exception e) when (IsFormatProblem(e))
        {
            throw new DataFormatException(path, null, null, $"the lake commit manifest is corrupt or unreadable ({e.Message}); restore it from a backup or remove the commit and every later one", e);
        }
    }

    /// <summary>Reads a manifest object (see <see cref="WriteTo"/>). Throws the exceptions <see cref="Parse"/> and
    /// <see cref="IsFormatProblem"/> name.</summary>
    internal static CommitRecord Read(JsonElement root, long expectedVersion)
    {
        var format = root.GetProperty("formatVersion").GetInt32();
        if (format > CurrentFormatVersion)
        {
            throw new FormatException($"format version {format} is newer than this library understands ({CurrentFormatVersion}); upgrade DataEng.Core");
        }

        var version = root.GetProperty("version").GetInt64();
        if (version != expectedVersion)
        {
            throw new FormatException($"it says version {version} but is named for version {expectedVersion}");
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in root.GetProperty("properties").EnumerateObject())
        {
            properties[property.Name] = property.Value.GetString() ?? string.Empty;
        }

        var schema = ReadSchema(root);
        var added = new List<DataFileRecord>();
        foreach (var element in root.GetProperty("added").EnumerateArray())
        {
            added.Add(ReadFile(element, schema.Partitioning.Count));
        }

        var removed = root.GetProperty("removed").EnumerateArray().Select(static v => CheckRelativePath(v.GetString()!)).ToList();
        var purged = root.TryGetProperty("purged", out var purgedElement)
            ? purgedElement.EnumerateArray().Select(static v => CheckRelativePath(v.GetString()!)).ToList()
            : [];
        long? oldestRetained = root.TryGetProperty("oldestRetainedVersion", out var oldest) ? oldest.GetInt64() : null;
        if (oldestRetained is { } o && (o < 1 || o > version))
        {
            throw new FormatException($"its oldest retained version {o} is not between 1 and {version}");
        }

        return new CommitRecord
        {
            Version = version,
            Operation = ParseOperation(root.GetProperty("operation").GetString()),
            Timestamp = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            PipelineName = root.TryGetProperty("pipeline", out var pipeline) ? pipeline.GetString() : null,
            RunNumber = root.TryGetProperty("runNumber", out var run) ? run.GetInt64() : null,
            RunId = root.TryGetProperty("runId", out var runId) ? runId.GetString() : null,
            Properties = properties,
            Schema = schema,
            Added = added,
            Removed = removed,
            OldestRetainedVersion = oldestRetained,
            Retention = root.TryGetProperty("retention", out var retention) ? retention.GetString() : null,
            Purged = purged,
        };
    }

    /// <summary>Whether an exception thrown while reading a manifest or checkpoint means the document is damaged.</summary>
    internal static bool IsFormatProblem(Exception e)
        => e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException
            or ArgumentException or OverflowException or TimeZoneNotFoundException or InvalidTimeZoneException or NotSupportedException;

    public static string OperationName(LakeOperation operation) => operation switch
    {
        LakeOperation.Append => "append",
        LakeOperation.Overwrite => "overwrite",
        LakeOperation.Vacuum => "vacuum",
        LakeOperation.DropPartitions => "drop-partitions",
        _ => "compact",
    };

    private static LakeOperation ParseOperation(string? name) => name switch
    {
        "append" => LakeOperation.Append,
        "overwrite" => LakeOperation.Overwrite,
        "compact" => LakeOperation.Compact,
        "vacuum" => LakeOperation.Vacuum,
        "drop-partitions" => LakeOperation.DropPartitions,
        _ => throw new FormatException($"unknown operation '{name}'"),
    };

    /// <summary>Refuses a manifest path that could point outside the root (a hostile or damaged manifest).</summary>
    private static string CheckRelativePath(string path)
    {
        if (path.Length == 0 || path[0] == '/' || path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal)
            || Path.IsPathRooted(path) || path.Split('/').Any(static s => s is "" or "." or ".."))
        {
            throw new FormatException($"the file path '{path}' is not a plain relative path");
        }

        return path;
    }
}
