using System.Globalization;
using System.Text;

namespace DataEng.Core;

/// <summary>Data file names from <see cref="LakeWriteOptions.BasenameTemplate"/>, and the names of the metadata area.</summary>
internal static class FileNaming
{
    /// <summary>The metadata folder under the root (ignored by Hive readers: leading underscore, no <c>=</c>).</summary>
    public const string MetadataFolder = "_dataeng";

    /// <summary>The extension of staged files: never <c>.parquet</c>, so globs never see them.</summary>
    public const string StagedExtension = ".inprogress";

    private const int MaxPipelineChars = 48;

    public static IEnumerable<string> ValidateTemplate(string? template)
    {
        if (string.IsNullOrEmpty(template))
        {
            yield return $"{nameof(LakeWriteOptions.BasenameTemplate)} must not be empty.";
            yield break;
        }

        if (!template.Contains("{n}", StringComparison.Ordinal))
        {
            yield return $"{nameof(LakeWriteOptions.BasenameTemplate)} must contain {{n}} (was '{template}').";
        }

        if (!template.Contains("{run}", StringComparison.Ordinal) && !template.Contains("{runid}", StringComparison.Ordinal))
        {
            yield return $"{nameof(LakeWriteOptions.BasenameTemplate)} must contain {{run}} or {{runid}} (was '{template}').";
        }

        if (!template.EndsWith(".parquet", StringComparison.Ordinal))
        {
            yield return $"{nameof(LakeWriteOptions.BasenameTemplate)} must end in .parquet (was '{template}').";
        }

        if (template.IndexOfAny(['/', '\\', '\0', ':', '*', '?', '"', '<', '>', '|']) >= 0 || template[0] is '.' or '_' || template.Contains("..", StringComparison.Ordinal))
        {
            yield return $"{nameof(LakeWriteOptions.BasenameTemplate)} must be a plain file name that does not start with '.' or '_' (was '{template}').";
        }
    }

    /// <summary>Builds a data file name.</summary>
    public static string Format(string template, string pipelineName, long runNumber, string runId, int sequence)
    {
        var name = template
            .Replace("{pipeline}", SafePart(pipelineName), StringComparison.Ordinal)
            .Replace("{runid}", SafePart(runId), StringComparison.Ordinal)
            .Replace("{run}", runNumber.ToString("D5", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{n}", sequence.ToString("D5", CultureInfo.InvariantCulture), StringComparison.Ordinal);
        if (HivePath.ByteLength(name) > HivePath.MaxSegmentBytes)
        {
            throw new DataEngException($"The data file name '{name}' is longer than {HivePath.MaxSegmentBytes} bytes; shorten {nameof(LakeWriteOptions.BasenameTemplate)}.");
        }

        return name;
    }

    /// <summary>
    /// A file-name-safe form of a free text (pipeline name, run id): escaped like a partition value, with <c>%</c>
    /// replaced so the result never looks escaped, shortened with a stable hash when long.
    /// </summary>
    public static string SafePart(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        var safe = builder.ToString();
        if (safe.Length == 0 || safe != text || safe.Length > MaxPipelineChars)
        {
            // Readable, and distinct for distinct texts (up to a 32-bit hash collision).
            var hash = StableHash.Murmur3_32(Encoding.UTF8.GetBytes(text)).ToString("x8", CultureInfo.InvariantCulture);
            safe = (safe.Length > MaxPipelineChars - 9 ? safe[..(MaxPipelineChars - 9)] : safe) + "-" + hash;
        }

        return safe;
    }
}
