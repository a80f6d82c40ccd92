namespace DataEng.Core;

/// <summary>
/// Options, a stage or a pipeline are not valid. <see cref="Problems"/> lists every problem found, not only the first,
/// so one fix-and-retry round is enough. <see cref="PipelineValidationException"/> is the one thrown by
/// <see cref="PipelineBuilder.Build"/>; options are checked when they are passed (<see cref="Csv.File(string, CsvSourceOptions?)"/>,
/// <see cref="Lake.Write"/>, …).
/// </summary>
public class DataEngValidationException : DataEngException
{
    /// <summary>Creates an exception.</summary>
    public DataEngValidationException()
        : this("The configuration is not valid.")
    {
    }

    /// <summary>Creates an exception with a message, which is also its only problem.</summary>
    /// <param name="message">The message.</param>
    public DataEngValidationException(string message)
        : this(message, (Exception?)null)
    {
    }

    /// <summary>Creates an exception with a message, which is also its only problem, and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DataEngValidationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Subject = message;
        Problems = [message];
    }

    /// <summary>Creates an exception listing every problem of <paramref name="subject"/>.</summary>
    /// <param name="subject">What was validated, as a phrase: the options' type such as <c>CsvSourceOptions</c>, or <c>Pipeline 'orders'</c>.</param>
    /// <param name="problems">Every problem found; at least one.</param>
    public DataEngValidationException(string subject, IReadOnlyList<string> problems)
        : base(ValidationProblems.Describe(subject, problems))
    {
        ArgumentNullException.ThrowIfNull(problems);
        Subject = subject;
        Problems = problems;
    }

    /// <summary>Gets what was validated, as a phrase: the options' type such as <c>CsvSourceOptions</c>, or <c>Pipeline 'orders'</c>.</summary>
    public string Subject { get; }

    /// <summary>Gets every problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
