using System.Text;

namespace DataEng.Core;

/// <summary>One CSV input: a name for messages and a way to open it.</summary>
/// <param name="DisplayName">The file path or stream name, as it appears in errors.</param>
/// <param name="Open">Opens a new stream over the data, owned by the caller.</param>
internal sealed record CsvInput(string DisplayName, Func<Stream> Open)
{
    public static CsvInput FromFile(string path)
        => new(path, () => new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = 1 << 16,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        }));
}

/// <summary>The read settings of a CSV source, fixed from its options.</summary>
internal sealed class CsvReadSettings
{
    public CsvReadSettings(CsvSourceOptions options)
    {
        Options = options;
        Text = new TextValueOptions(options.Culture, options.DateFormat, options.TimestampFormat, BinaryAsBase64: true);
        NullIsEmpty = options.NullValues.Contains(string.Empty);
        OtherNullValues = [.. options.NullValues.Where(static v => v.Length > 0)];
    }

    public CsvSourceOptions Options { get; }

    public TextValueOptions Text { get; }

    public Encoding Encoding => Options.Encoding;

    /// <summary>Gets whether an empty field is null.</summary>
    public bool NullIsEmpty { get; }

    /// <summary>Gets the non-empty null markers.</summary>
    public string[] OtherNullValues { get; }

    /// <summary>Returns whether a (trimmed, when trimming) field is null.</summary>
    /// <param name="field">The field.</param>
    /// <returns><see langword="true"/> when it is one of the null values.</returns>
    public bool IsNull(ReadOnlySpan<char> field)
    {
        if (field.IsEmpty)
        {
            return NullIsEmpty;
        }

        foreach (var marker in OtherNullValues)
        {
            if (field.SequenceEqual(marker))
            {
                return true;
            }
        }

        return false;
    }
}
