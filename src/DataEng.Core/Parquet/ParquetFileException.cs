namespace DataEng.Core;

/// <summary>
/// A Parquet file could not be read: it is corrupt, truncated, not Parquet, or uses a feature the reader does not
/// support. Every failure of the Parquet reader surfaces as this one type, naming the file and, when known, the row
/// group and column; the original exception is kept as <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class ParquetFileException : DataFormatException
{
    /// <summary>Creates an exception.</summary>
    public ParquetFileException()
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ParquetFileException(string message)
        : base(message)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ParquetFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates an exception that locates the problem in a file.</summary>
    /// <param name="filePath">The file path or display name.</param>
    /// <param name="rowGroup">The 0-based row group, or <see langword="null"/> when unknown.</param>
    /// <param name="column">The column, or <see langword="null"/> when unknown.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ParquetFileException(string filePath, int? rowGroup, string? column, string problem, Exception? innerException = null)
        : base(filePath, null, column, rowGroup is null ? problem : $"row group {rowGroup}: {problem}", innerException)
    {
        FilePath = filePath;
        RowGroup = rowGroup;
    }

    /// <summary>Gets the file path or display name.</summary>
    public string FilePath { get; }

    /// <summary>Gets the 0-based row group, when known.</summary>
    public int? RowGroup { get; }
}
