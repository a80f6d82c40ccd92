namespace DataEng.Core;

/// <summary>
/// Input data is malformed or does not convert: names the file (or source), the line or row, and the column.
/// </summary>
public class DataFormatException : DataEngException
{
    /// <summary>Creates an exception.</summary>
    public DataFormatException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public DataFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DataFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception that locates bad data.</summary>
    /// <param name="source">The file path or source name.</param>
    /// <param name="row">The 1-based line or row, or <see langword="null"/> when unknown.</param>
    /// <param name="column">The column name, or <see langword="null"/> when unknown.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public DataFormatException(string source, long? row, string? column, string problem, Exception? innerException = null)
        : base(Describe(source, row, column, problem), innerException)
    {
        Source = source;
        Row = row;
        Column = column;
        Problem = problem;
    }

    /// <summary>Gets the file path or source name.</summary>
    public new string? Source { get; }

    /// <summary>Gets the 1-based line or row, when known.</summary>
    public long? Row { get; }

    /// <summary>Gets the column name, when known.</summary>
    public string? Column { get; }

    /// <summary>Gets what is wrong, without the location.</summary>
    public string? Problem { get; }

    private static string Describe(string source, long? row, string? column, string problem)
    {
        var where = source;
        if (row is not null)
        {
            where += $", row {row}";
        }

        if (column is not null)
        {
            where += $", column '{column}'";
        }

        return $"{where}: {problem}";
    }
}
