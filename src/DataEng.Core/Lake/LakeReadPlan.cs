using System.Globalization;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>A file to read and the partition it belongs to.</summary>
/// <remarks><see cref="RetiredPath"/> is where the file is once a later commit replaced it (see <see cref="RetiredFiles"/>);
/// <see langword="null"/> for files found without a manifest.</remarks>
internal sealed record PlannedFile(string FullPath, string RelativePath, long? Rows, PartitionValue[] Values, LakePartitionValues Partition, string? RetiredPath = null);

/// <summary>
/// What a read sees: from the manifest (exactly one snapshot) or, without one, from Hive folder discovery with
/// partition types inferred as DuckDB does (BIGINT, DATE, else VARCHAR).
/// </summary>
internal sealed class LakeReadPlan
{
    private LakeReadPlan(Schema fileSchema, IReadOnlyList<Field> partitionFields, IReadOnlyList<PlannedFile> files, string description)
    {
        FileSchema = fileSchema;
        PartitionFields = partitionFields;
        Files = files;
        Description = description;
        var fields = new List<Field>(fileSchema.FieldsList);
        foreach (var field in partitionFields)
        {
            if (fileSchema.GetFieldIndex(field.Name) < 0)
            {
                fields.Add(field);
            }
        }

        Schema = new Schema(fields, null);
    }

    /// <summary>Gets the schema of the data columns, as the dataset defines them.</summary>
    public Schema FileSchema { get; }

    /// <summary>Gets the partition columns with their types.</summary>
    public IReadOnlyList<Field> PartitionFields { get; }

    /// <summary>Gets the files, ordered by path.</summary>
    public IReadOnlyList<PlannedFile> Files { get; }

    /// <summary>Gets the full schema: data columns, then partition columns not in the files.</summary>
    public Schema Schema { get; }

    /// <summary>Gets what the plan was built from (for messages).</summary>
    public string Description { get; }

    public static async Task<LakeReadPlan> CreateAsync(LakeLayout layout, LakeReadOptions options, CancellationToken cancellationToken)
    {
        if (!options.IgnoreManifest)
        {
            var log = new LakeLog(layout);
            await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (log.LatestVersion > 0)
            {
                var state = options.SnapshotVersion is { } version ? log.StateAt(version) : log.Latest;
                return FromManifest(layout, state);
            }

            if (options.SnapshotVersion is not null)
            {
                throw new DataEngException($"The folder '{layout.Root}' has no lake manifest, so SnapshotVersion {options.SnapshotVersion} cannot be read.");
            }
        }

        return await DiscoverAsync(layout, options, cancellationToken).ConfigureAwait(false);
    }

    internal static LakeReadPlan FromManifest(LakeLayout layout, LakeState state)
    {
        var table = state.Schema!;
        var fields = table.PartitionFields;
        var files = new List<PlannedFile>(state.Files.Count);
        foreach (var live in state.Files.Values.OrderBy(static f => f.Record.Path, StringComparer.Ordinal))
        {
            var record = live.Record;
            var values = new PartitionValue[fields.Count];
            var typed = new object?[fields.Count];
            var texts = new string?[fields.Count];
            for (var i = 0; i < fields.Count; i++)
            {
                var escaped = record.Partition[i];
                if (escaped == HivePath.NullValue)
                {
                    continue;
                }

                var bytes = HivePath.UnescapeToBytes(escaped);
                texts[i] = Encoding.UTF8.GetString(bytes);
                try
                {
                    values[i] = PartitionValue.Parse(texts[i], bytes, fields[i].DataType);
                }
                catch (Exception e) when (e is FormatException or OverflowException)
                {
                    throw new DataFormatException(layout.Resolve(record.Path), null, fields[i].Name, $"the partition value '{texts[i]}' is not a {SchemaText.Describe(fields[i].DataType)}", e);
                }

                typed[i] = values[i].Value;
            }

            files.Add(new PlannedFile(layout.Resolve(record.Path), record.Path, record.Rows, values, new LakePartitionValues(fields, typed, texts), RetiredFiles.PathOf(layout, record.Path)));
        }

        return new LakeReadPlan(table.FileSchema, fields, files, $"lake '{layout.Root}' version {state.Version}");
    }

    private static async Task<LakeReadPlan> DiscoverAsync(LakeLayout layout, LakeReadOptions options, CancellationToken cancellationToken)
    {
        var found = new List<(string Full, string Relative, List<(string Name, string Escaped)> Segments)>();
        if (Directory.Exists(layout.Root))
        {
            Walk(layout, layout.Root, [], found);
        }

        if (found.Count == 0)
        {
            throw new DataEngException($"The folder '{layout.Root}' has no lake manifest and no Parquet files: there is nothing to read.");
        }

        found.Sort(static (a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        var keys = found[0].Segments.Select(static s => s.Name).ToList();
        foreach (var file in found)
        {
            if (!file.Segments.Select(static s => s.Name).SequenceEqual(keys))
            {
                throw new DataFormatException(file.Full, null, null, $"its partition folders ({string.Join("/", file.Segments.Select(static s => s.Name))}) differ from those of '{found[0].Relative}' ({string.Join("/", keys)}); a Hive dataset needs the same partition columns everywhere");
            }
        }

        // Types: BIGINT if every value is an integer, DATE if every value is yyyy-MM-dd, else string (as DuckDB infers).
        var fields = new Field[keys.Count];
        for (var k = 0; k < keys.Count; k++)
        {
            var texts = found.Select(f => HivePath.UnescapeValue(f.Segments[k].Escaped)).Where(static t => t is not null).ToList();
            IArrowType type = StringType.Default;
            if (texts.Count > 0 && texts.All(static t => long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
            {
                type = Int64Type.Default;
            }
            else if (texts.Count > 0 && texts.All(static t => DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
            {
                type = Date32Type.Default;
            }

            fields[k] = new Field(HivePath.Unescape(keys[k]), type, nullable: true);
        }

        Schema fileSchema;
        var first = found[0].Full;
        var reader = await LakeFileReader.OpenAsync(first, options.Parquet, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var readable = reader.Schema.FieldsList.Where(f => !reader.UnsupportedColumns.ContainsKey(f.Name));
            fileSchema = new Schema(readable.ToList(), null);
        }

        var files = new List<PlannedFile>(found.Count);
        foreach (var file in found)
        {
            var values = new PartitionValue[fields.Length];
            var typed = new object?[fields.Length];
            var texts = new string?[fields.Length];
            for (var k = 0; k < fields.Length; k++)
            {
                texts[k] = HivePath.UnescapeValue(file.Segments[k].Escaped);
                values[k] = PartitionValue.Parse(texts[k], null, fields[k].DataType);
                typed[k] = values[k].Value;
            }

            files.Add(new PlannedFile(file.Full, file.Relative, null, values, new LakePartitionValues(fields, typed, texts)));
        }

        return new LakeReadPlan(fileSchema, fields, files, $"Hive dataset '{layout.Root}'");
    }

    private static void Walk(LakeLayout layout, string folder, List<(string, string)> segments, List<(string, string, List<(string, string)>)> found)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*.parquet"))
        {
            var name = Path.GetFileName(file);
            if (name[0] is '.' or '_' || new FileInfo(file).LinkTarget is not null)
            {
                continue;
            }

            found.Add((file, layout.Relative(file), segments));
        }

        foreach (var directory in Directory.EnumerateDirectories(folder))
        {
            var name = Path.GetFileName(directory);
            if (name[0] == '.' || (name[0] == '_' && !name.Contains('=', StringComparison.Ordinal)) || new DirectoryInfo(directory).LinkTarget is not null)
            {
                // Hidden (.x) and metadata (_x) folders (_dataeng, _temporary, _delta_log…); links are not followed.
                continue;
            }

            if (HivePath.TrySplitSegment(name, out var key, out var value))
            {
                Walk(layout, directory, [.. segments, (key, value)], found);
            }
            else
            {
                Walk(layout, directory, segments, found);
            }
        }
    }
}
