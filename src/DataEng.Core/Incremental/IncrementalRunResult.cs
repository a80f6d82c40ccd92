namespace DataEng.Core;

/// <summary>The outcome of an incremental run.</summary>
/// <param name="Run">The run's result (rows, stages, commit properties).</param>
/// <param name="Plan">The range that was read.</param>
/// <param name="Previous">The committed state the run started from, or <see langword="null"/> for the first run.</param>
public sealed record IncrementalRunResult(RunResult Run, IncrementalPlan Plan, CommittedRun? Previous)
{
    /// <summary>Gets the watermark committed by the run, or <see langword="null"/> if nothing was ever delivered.</summary>
    public string? Watermark => Run.CommitProperties.TryGetValue(IncrementalCommitKeys.Watermark, out var w) ? w : null;
}
