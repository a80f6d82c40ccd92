namespace DataEng.Core;

/// <summary><see cref="PipelineBuilder.Build"/> found problems in the pipeline. <see cref="Problems"/> lists all of them.</summary>
public sealed class PipelineValidationException : DataEngException
{
    /// <summary>Creates an exception.</summary>
    public PipelineValidationException()
        : this("The pipeline is not valid.", [])
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PipelineValidationException(string message)
        : this(message, [])
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PipelineValidationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Creates an exception listing problems.</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <param name="problems">Every problem found.</param>
    public PipelineValidationException(string pipelineName, IReadOnlyList<string> problems)
        : base($"Pipeline '{pipelineName}' is not valid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(static p => "  - " + p)))
    {
        Problems = problems;
    }

    /// <summary>Gets every problem found.</summary>
    public IReadOnlyList<string> Problems { get; }
}
