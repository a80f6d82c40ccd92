namespace DataEng.Core;

/// <summary>A schema does not fit where it is used. <see cref="Problems"/> lists every problem found, not only the first.</summary>
public sealed class SchemaMismatchException : DataEngException
{
    /// <summary>Creates an exception.</summary>
    public SchemaMismatchException()
        : this("The schema does not fit.", [])
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public SchemaMismatchException(string message)
        : this(message, [])
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SchemaMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Creates an exception listing problems.</summary>
    /// <param name="summary">One line saying where the problems are.</param>
    /// <param name="problems">Every problem found.</param>
    public SchemaMismatchException(string summary, IReadOnlyList<string> problems)
        : base(Format(summary, problems))
    {
        Problems = problems.Count == 0 ? [summary] : problems;
    }

    /// <summary>Gets every problem found.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Throws if <paramref name="problems"/> is not empty.</summary>
    /// <param name="summary">One line saying where the problems are.</param>
    /// <param name="problems">The problems found.</param>
    /// <exception cref="SchemaMismatchException"><paramref name="problems"/> is not empty.</exception>
    public static void ThrowIfAny(string summary, IReadOnlyList<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new SchemaMismatchException(summary, problems);
        }
    }

    private static string Format(string summary, IReadOnlyList<string> problems)
        => problems.Count == 0 ? summary : summary + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(static p => "  - " + p));
}
