namespace DataEng.Core;

/// <summary>
/// Sources over CSV files and streams (RFC 4180: quoted fields may hold delimiters, quotes and line breaks), read with
/// Sylvan.Data.Csv straight into Arrow buffers.
/// </summary>
/// <remarks>
/// <para>The schema is <see cref="CsvSourceOptions.Schema"/> when given, otherwise inferred from a sample when the
/// pipeline is built. Numbers parse with <see cref="CsvSourceOptions.Culture"/> (invariant by default, whatever the
/// current culture); dates and timestamps are ISO-8601 unless a format is given.</para>
/// <para>A malformed row (an unterminated quote, a wrong number of fields, a value that does not parse as its column's
/// type) fails the read with a <see cref="DataFormatException"/> naming the file, the physical 1-based line where the
/// record starts (<see cref="DataFormatException.Row"/>) and the column. Blank lines are skipped.</para>
/// <para>Every run opens the input again and closes it when the read ends. See docs/csv.md.</para>
/// </remarks>
public static class Csv
{
    /// <summary>Creates a source over one CSV file.</summary>
    /// <param name="path">The file path (as given, it appears in errors).</param>
    /// <param name="options">Options, or <see langword="null"/> for defaults.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static ISource File(string path, CsvSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var inputs = new[] { CsvInput.FromFile(path) };
        return new CsvSource(() => inputs, path, Validated(options));
    }

    /// <summary>
    /// Creates a source over every file of a directory that matches a pattern, read in ordinal order of their names.
    /// The files are listed again at the start of every run; they must all have the same columns.
    /// </summary>
    /// <param name="directory">The directory (not searched recursively).</param>
    /// <param name="searchPattern">The file name pattern.</param>
    /// <param name="options">Options, or <see langword="null"/> for defaults. Without a schema, it is inferred from the
    /// first file.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static ISource Files(string directory, string searchPattern = "*.csv", CsvSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(searchPattern);
        return new CsvSource(
            () =>
            {
                if (!Directory.Exists(directory))
                {
                    throw new DirectoryNotFoundException($"The CSV directory '{directory}' does not exist.");
                }

                var paths = Directory.GetFiles(directory, searchPattern, SearchOption.TopDirectoryOnly);
                Array.Sort(paths, StringComparer.Ordinal);
                return [.. paths.Select(CsvInput.FromFile)];
            },
            Path.Combine(directory, searchPattern),
            Validated(options));
    }

    /// <summary>Creates a source over CSV data from a stream.</summary>
    /// <param name="open">Opens a new stream over the data; called once per run (and once more to infer the schema).
    /// The source disposes every stream it opens.</param>
    /// <param name="displayName">The name of the data in errors (for example the object key).</param>
    /// <param name="options">Options, or <see langword="null"/> for defaults.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static ISource Stream(Func<System.IO.Stream> open, string displayName, CsvSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentException.ThrowIfNullOrEmpty(displayName);
        var inputs = new[] { new CsvInput(displayName, open) };
        return new CsvSource(() => inputs, displayName, Validated(options));
    }

    private static CsvSourceOptions Validated(CsvSourceOptions? options)
    {
        options = options?.Clone() ?? new CsvSourceOptions();
        ValidationProblems.ThrowIfAny(nameof(CsvSourceOptions), options.Validate());
        return options;
    }
}
