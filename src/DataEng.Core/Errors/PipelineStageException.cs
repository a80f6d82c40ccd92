namespace DataEng.Core;

/// <summary>
/// A stage failed during a run. Thrown once per failed run, wrapping the first failure
/// (<see cref="Exception.InnerException"/>) with the stage, pipeline and run.
/// </summary>
public sealed class PipelineStageException : DataEngException
{
    /// <summary>Creates an exception.</summary>
    public PipelineStageException()
    {
        StageName = PipelineName = RunId = string.Empty;
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PipelineStageException(string message)
        : base(message)
    {
        StageName = PipelineName = RunId = string.Empty;
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PipelineStageException(string message, Exception? innerException)
        : base(message, innerException)
    {
        StageName = PipelineName = RunId = string.Empty;
    }

    /// <summary>Creates an exception for a failed stage.</summary>
    /// <param name="stageName">The stage that failed.</param>
    /// <param name="pipelineName">The pipeline.</param>
    /// <param name="runNumber">The run number.</param>
    /// <param name="runId">The run id.</param>
    /// <param name="innerException">The failure.</param>
    public PipelineStageException(string stageName, string pipelineName, long runNumber, string runId, Exception innerException)
        : base($"Stage '{stageName}' of pipeline '{pipelineName}' failed in run {runNumber} ({runId}): {innerException?.Message}", innerException)
    {
        StageName = stageName;
        PipelineName = pipelineName;
        RunNumber = runNumber;
        RunId = runId;
    }

    /// <summary>Gets the stage that failed.</summary>
    public string StageName { get; }

    /// <summary>Gets the pipeline.</summary>
    public string PipelineName { get; }

    /// <summary>Gets the run number.</summary>
    public long RunNumber { get; }

    /// <summary>Gets the run id.</summary>
    public string RunId { get; }

    /// <inheritdoc />
    public override bool IsTransient => InnerException is DataEngException { IsTransient: true };
}
