namespace DataEng.Core.Hosting;

/// <summary>A snapshot of a hosted pipeline: its schedule, its last runs and its failures.</summary>
public sealed class PipelineStatus
{
    internal PipelineStatus(string pipelineName)
    {
        PipelineName = pipelineName;
    }

    internal PipelineStatus(PipelineStatus other)
    {
        PipelineName = other.PipelineName;
        Enabled = other.Enabled;
        SchedulerStartedAt = other.SchedulerStartedAt;
        FreshnessSla = other.FreshnessSla;
        IsRunning = other.IsRunning;
        NextRunAt = other.NextRunAt;
        LastRunStartedAt = other.LastRunStartedAt;
        LastSuccessAt = other.LastSuccessAt;
        LastResult = other.LastResult;
        LastFailureAt = other.LastFailureAt;
        LastFailure = other.LastFailure;
        SuccessfulRuns = other.SuccessfulRuns;
        FailedRuns = other.FailedRuns;
        CancelledRuns = other.CancelledRuns;
        IsIncremental = other.IsIncremental;
        LastIncrementalResult = other.LastIncrementalResult;
    }

    /// <summary>Gets the pipeline name.</summary>
    public string PipelineName { get; }

    /// <summary>Gets a value indicating whether the pipeline is scheduled.</summary>
    public bool Enabled { get; internal init; }

    /// <summary>Gets when the scheduler started, or <see langword="null"/> before the host started it.</summary>
    public DateTimeOffset? SchedulerStartedAt { get; internal init; }

    /// <summary>Gets the freshness SLA in force (configured or derived from the schedule).</summary>
    public TimeSpan FreshnessSla { get; internal init; }

    /// <summary>Gets a value indicating whether a run is in progress.</summary>
    public bool IsRunning { get; internal init; }

    /// <summary>Gets when the next run is due. It is published once the scheduler's timer for that time is armed: a
    /// test on a fake clock that sees the value it expects can advance the clock to it.</summary>
    public DateTimeOffset? NextRunAt { get; internal init; }

    /// <summary>Gets when the last run started.</summary>
    public DateTimeOffset? LastRunStartedAt { get; internal init; }

    /// <summary>Gets when the last successful run committed.</summary>
    public DateTimeOffset? LastSuccessAt { get; internal init; }

    /// <summary>Gets the result of the last successful run.</summary>
    public RunResult? LastResult { get; internal init; }

    /// <summary>Gets when the last run failed.</summary>
    public DateTimeOffset? LastFailureAt { get; internal init; }

    /// <summary>Gets the last failure.</summary>
    public Exception? LastFailure { get; internal init; }

    /// <summary>Gets the number of successful runs since the host started.</summary>
    public long SuccessfulRuns { get; internal init; }

    /// <summary>Gets the number of failed runs since the host started.</summary>
    public long FailedRuns { get; internal init; }

    /// <summary>Gets the number of runs cancelled by a shutdown.</summary>
    public long CancelledRuns { get; internal init; }

    /// <summary>Gets a value indicating whether the pipeline runs incrementally (registered with
    /// <c>AddDataEngIncrementalPipeline</c>).</summary>
    public bool IsIncremental { get; internal init; }

    /// <summary>Gets the result of the last committed incremental run (its run number, plan and watermark), or
    /// <see langword="null"/> before the first one or for a plain pipeline.</summary>
    public IncrementalRunResult? LastIncrementalResult { get; internal init; }

    /// <summary>Gets the watermark committed by the last incremental run, or <see langword="null"/> before the first
    /// commit, when nothing was ever delivered, or for a plain pipeline.</summary>
    public string? LastWatermark => LastIncrementalResult?.Watermark;
}
