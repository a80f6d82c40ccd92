namespace DataEng.Core;

/// <summary>
/// Parquet files as pipeline stages: <see cref="Write"/> loads a run into one file with an atomic, two-phase commit;
/// <see cref="Read(string, ParquetReadOptions?)"/> extracts one or more files.
/// </summary>
/// <remarks>
/// Supported column types: bool, int8/16/32/64, uint8/16/32/64, float, double, decimal128 (precision up to 38), string,
/// binary, date32 and timestamp (s, ms, us, ns; with or without time zone), with nulls. See <c>docs/parquet.md</c>.
/// </remarks>
public static class ParquetFile
{
    /// <summary>
    /// Creates a sink that writes each run to <paramref name="path"/>. The run is written to a hidden staging file in
    /// the same directory (<c>.{name}.{runId}.inprogress</c>); prepare completes and fsyncs it, commit renames it onto
    /// <paramref name="path"/> atomically (replacing an existing file) and fsyncs the directory, abort deletes it.
    /// The pipeline name, run number, run id and commit properties are stored in the file's key/value metadata
    /// (<c>dataeng.pipeline</c>, <c>dataeng.run_number</c>, <c>dataeng.run_id</c>, <c>dataeng.commit.{key}</c>).
    /// </summary>
    /// <param name="path">The target file.</param>
    /// <param name="options">Write options, or <see langword="null"/> for defaults.</param>
    /// <returns>The sink.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static ISink Write(string path, ParquetWriteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new ParquetWriteOptions();
        options.ThrowIfInvalid();
        return new ParquetFileSink(path, options.Clone());
    }

    /// <summary>Creates a source that reads one Parquet file, one row group at a time.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Read options (the columns to read among them), or <see langword="null"/> for all columns and defaults. Batches are allocated from
    /// <see cref="ParquetReadOptions.Allocator"/>, or the run's <see cref="RunContext.Allocator"/> when it is not set.</param>
    /// <returns>The source. Its schema is the file's (projected), read when first needed.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by their first parameter (one path or many); calls are never ambiguous.")]
    public static ISource Read(string path, ParquetReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Read([path], options);
    }

    /// <summary>Creates a source that reads several Parquet files of the same schema, in the given order.</summary>
    /// <param name="paths">The files; at least one.</param>
    /// <param name="options">Read options (the columns to read among them), or <see langword="null"/> for all columns and defaults.</param>
    /// <returns>The source. Its schema is the first file's (projected); a file with another schema fails the read with
    /// a <see cref="SchemaMismatchException"/> naming the file and each difference.</returns>
    /// <exception cref="ArgumentException">No paths, or an empty path.</exception>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by their first parameter (one path or many); calls are never ambiguous.")]
    public static ISource Read(IEnumerable<string> paths, ParquetReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var list = paths.ToArray();
        if (list.Length == 0 || list.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("At least one path is needed, and no path may be empty.", nameof(paths));
        }

        options = options?.Clone() ?? new ParquetReadOptions();
        options.ThrowIfInvalid();
        return new ParquetFileSource(list, options);
    }
}
