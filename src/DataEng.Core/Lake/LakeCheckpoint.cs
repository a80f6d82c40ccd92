using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace DataEng.Core;

/// <summary>
/// A checkpoint of the lake log: the folded <see cref="LakeState"/> at one version in one file, so that opening a lake
/// reads it and the manifests after it instead of every manifest (docs/lake.md, "The log"). The file is a header line
/// (<c>{"format":"dataeng-checkpoint","formatVersion":1,"version":V,"bytes":B,"sha256":"…"}</c>) and a JSON body of
/// exactly B bytes with that SHA-256: a damaged checkpoint is recognised rather than folded into a wrong state.
/// </summary>
internal static class LakeCheckpoint
{
    public const string FormatName = "dataeng-checkpoint";
    public const int CurrentFormatVersion = 1;

    /// <summary>Serializes a state (files ordered by path, pipelines by name, so equal states give equal bytes).</summary>
    public static byte[] Serialize(LakeState state)
    {
        if (state.Version <= 0 || state.Schema is null)
        {
            throw new ArgumentException("Only a committed version can be checkpointed.", nameof(state));
        }

        var body = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", state.Version);
            writer.WriteString("timestamp", (state.Timestamp ?? default).ToString("O", CultureInfo.InvariantCulture));
            CommitRecord.WriteSchema(writer, state.Schema);
            writer.WriteStartArray("files");
            foreach (var (_, file) in state.Files.OrderBy(static f => f.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                CommitRecord.WriteFile(writer, file.Record);
                writer.WriteNumber("version", file.Version);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("pipelines");
            foreach (var (name, history) in state.Pipelines.OrderBy(static p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteStartArray("runs");
                foreach (var (first, last) in history.Runs.Ranges)
                {
                    writer.WriteStartArray();
                    writer.WriteNumberValue(first);
                    writer.WriteNumberValue(last);
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.WritePropertyName("last");
                history.Last!.WriteTo(writer);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            // Retention: the vacuum that expired the versions before OldestRetained, so a read of an expired version
            // still fails by name once the manifests before the checkpoint are gone.
            if (state.ExpiredBy is { } expiredBy)
            {
                writer.WritePropertyName("expiredBy");
                expiredBy.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        var header = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("formatVersion", CurrentFormatVersion);
            writer.WriteNumber("version", state.Version);
            writer.WriteNumber("bytes", body.WrittenCount);
            writer.WriteString("sha256", Convert.ToHexString(SHA256.HashData(body.WrittenSpan)).ToLowerInvariant());
            writer.WriteEndObject();
        }

        var bytes = new byte[header.WrittenCount + 1 + body.WrittenCount];
        header.WrittenSpan.CopyTo(bytes);
        bytes[header.WrittenCount] = (byte)'\n';
        body.WrittenSpan.CopyTo(bytes.AsSpan(header.WrittenCount + 1));
        return bytes;
    }

    /// <summary>Reads a checkpoint file, or says why it cannot be used (missing, torn, damaged, from a newer library).</summary>
    /// <param name="path">The file.</param>
    /// <param name="expectedVersion">The version in its name.</param>
    /// <param name="state">The state, when readable.</param>
    /// <param name="problem">Why it is not, otherwise.</param>
    /// <returns>Whether the checkpoint is usable.</returns>
    public static bool TryRead(string path, long expectedVersion, out LakeState? state, out string? problem)
    {
        state = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return false;
        }

        try
        {
            state = Deserialize(bytes, expectedVersion);
            problem = null;
            return true;
        }
        catch (Exception e) when (CommitRecord.IsFormatProblem(e) || e is DataEngException)
        {
            problem = e.Message;
            return false;
        }
    }

    /// <summary>Parses a checkpoint; throws <see cref="FormatException"/> (or a JSON exception) when it is damaged.</summary>
    public static LakeState Deserialize(ReadOnlySpan<byte> bytes, long expectedVersion)
    {
        var newline = bytes.IndexOf((byte)'\n');
        if (newline < 0)
        {
            throw new FormatException("it has no header line (a torn file)");
        }

        long version;
        ReadOnlySpan<byte> body;
        using (var header = JsonDocument.Parse(bytes[..newline].ToArray()))
        {
            var root = header.RootElement;
            if (root.GetProperty("format").GetString() != FormatName)
            {
                throw new FormatException("it is not a lake checkpoint");
            }

            var format = root.GetProperty("formatVersion").GetInt32();
            if (format > CurrentFormatVersion)
            {
                throw new FormatException($"format version {format} is newer than this library understands ({CurrentFormatVersion})");
            }

            version = root.GetProperty("version").GetInt64();
            if (version != expectedVersion)
            {
                throw new FormatException($"it says version {version} but is named for version {expectedVersion}");
            }

            var length = root.GetProperty("bytes").GetInt64();
            body = bytes[(newline + 1)..];
            if (body.Length != length)
            {
                throw new FormatException($"its body has {body.Length} bytes, not the {length} its header gives (a torn file)");
            }

            if (!string.Equals(Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant(), root.GetProperty("sha256").GetString(), StringComparison.Ordinal))
            {
                throw new FormatException("its body does not match the SHA-256 in its header");
            }
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        using var document = JsonDocument.ParseValue(ref reader);
        var state = document.RootElement;
        if (state.GetProperty("version").GetInt64() != version)
        {
            throw new FormatException("its body is for another version than its header");
        }

        var schema = CommitRecord.ReadSchema(state);
        CommitRecord? expiredBy = null;
        if (state.TryGetProperty("expiredBy", out var expired))
        {
            expiredBy = CommitRecord.Read(expired, expired.GetProperty("version").GetInt64());
            if (expiredBy.OldestRetainedVersion is null || expiredBy.Version > version)
            {
                throw new FormatException($"its expiring vacuum (version {expiredBy.Version}) is not a vacuum at or below version {version}");
            }
        }

        var result = LakeState.Restore(version, schema, DateTimeOffset.Parse(state.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), expiredBy);
        foreach (var element in state.GetProperty("files").EnumerateArray())
        {
            var file = CommitRecord.ReadFile(element, schema.Partitioning.Count);
            var added = element.GetProperty("version").GetInt64();
            if (added < 1 || added > version)
            {
                throw new FormatException($"the file '{file.Path}' is said to be added by version {added}");
            }

            result.Files.Add(file.Path, new LiveFile(file, added));
        }

        foreach (var element in state.GetProperty("pipelines").EnumerateArray())
        {
            var name = element.GetProperty("name").GetString()!;
            var last = element.GetProperty("last");
            var history = new PipelineHistory { Last = CommitRecord.Read(last, last.GetProperty("version").GetInt64()) };
            foreach (var range in element.GetProperty("runs").EnumerateArray())
            {
                var first = range[0].GetInt64();
                var end = range[1].GetInt64();
                if (end < first || (history.Runs.Ranges.Count > 0 && first <= history.Runs.Ranges[^1].Last + 1))
                {
                    throw new FormatException($"pipeline '{name}' has the run range [{first}, {end}], not after the one before it");
                }

                history.Runs.AddRange(first, end);
            }

            if (history.Last.PipelineName != name || history.Last.RunNumber is not { } lastRun || !history.Runs.Contains(lastRun) || history.Last.Version > version)
            {
                throw new FormatException($"the last commit of pipeline '{name}' does not belong to it");
            }

            result.Pipelines.Add(name, history);
        }

        return result;
    }
}
