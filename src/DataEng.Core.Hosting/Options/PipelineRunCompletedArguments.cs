namespace DataEng.Core.Hosting;

/// <summary>Describes a finished scheduled run, for <see cref="ScheduledPipelineOptions.OnRunCompleted"/>.</summary>
public readonly struct PipelineRunCompletedArguments
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="status">The pipeline's status after the run.</param>
    /// <param name="result">The run result, when the run committed.</param>
    /// <param name="exception">The failure, when the run failed or was cancelled.</param>
    /// <param name="services">The host's services.</param>
    /// <param name="cancellationToken">Signals that the host is stopping.</param>
    public PipelineRunCompletedArguments(PipelineStatus status, RunResult? result, Exception? exception, IServiceProvider services, CancellationToken cancellationToken)
    {
        Status = status;
        Result = result;
        Exception = exception;
        Services = services;
        CancellationToken = cancellationToken;
    }

    /// <summary>Gets the pipeline name.</summary>
    public string PipelineName => Status.PipelineName;

    /// <summary>Gets the pipeline's status after the run.</summary>
    public PipelineStatus Status { get; }

    /// <summary>Gets the run result when the run committed, otherwise <see langword="null"/>.</summary>
    public RunResult? Result { get; }

    /// <summary>Gets the incremental run's result (run number, plan, watermark) when an incremental pipeline
    /// committed, otherwise <see langword="null"/>; its <see cref="IncrementalRunResult.Run"/> is <see cref="Result"/>.</summary>
    public IncrementalRunResult? IncrementalResult { get; init; }

    /// <summary>Gets the failure (an <see cref="OperationCanceledException"/> when cancelled), otherwise <see langword="null"/>.</summary>
    public Exception? Exception { get; }

    /// <summary>Gets the host's services.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Gets a token that signals that the host is stopping.</summary>
    public CancellationToken CancellationToken { get; }
}
