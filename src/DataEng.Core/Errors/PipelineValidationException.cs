namespace DataEng.Core;

/// <summary>
/// <see cref="PipelineBuilder.Build"/> found problems in the pipeline: its own and every stage's.
/// <see cref="DataEngValidationException.Problems"/> lists all of them.
/// </summary>
public sealed class PipelineValidationException : DataEngValidationException
{
    /// <summary>Creates an exception.</summary>
    public PipelineValidationException()
        : base("The pipeline is not valid.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PipelineValidationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PipelineValidationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception listing problems.</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <param name="problems">Every problem found.</param>
    public PipelineValidationException(string pipelineName, IReadOnlyList<string> problems)
        : base($"Pipeline '{pipelineName}'", problems)
    {
    }
}
