namespace DataEng.Core;

/// <summary>The outcome of an incremental run.</summary>
/// <param name="Run">The run's result (rows, stages, commit properties).</param>
/// <param name="Plan">The range that was read.</param>
/// <param name="Previous">The committed state the run started from, or <see langword="null"/> for the first run.</param>
public sealed record IncrementalRunResult(RunResult Run, IncrementalPlan Plan, CommittedRun? Previous)
{
    /// <summary>Gets the watermark committed by the run in the cursor's own type (<c>42</c>, <c>2026-03-01</c>,
    /// <c>2024-05-03T09:57:00.25Z</c>, the string itself), or <see langword="null"/> if nothing was ever delivered.</summary>
    /// <remarks>For display; <see cref="EncodedWatermark"/> is the exact typed text the checkpoint holds.</remarks>
    public string? Watermark => CursorValue.Display(EncodedWatermark);

    /// <summary>Gets the watermark committed by the run as exact typed text, as the checkpoint holds it under
    /// <see cref="IncrementalCommitKeys.Watermark"/> (for example <c>ts:us:1714730220000000</c>), or
    /// <see langword="null"/> if nothing was ever delivered.</summary>
    public string? EncodedWatermark => Run.CommitProperties.TryGetValue(IncrementalCommitKeys.Watermark, out var w) ? w : null;

    /// <summary>Gets the rows the source delivered that no earlier run had delivered: rows past the previous watermark
    /// and rows that arrived late inside the lookback window. Rows read again in the lookback window and skipped are not
    /// counted, so this is zero when nothing new arrived even though a lookback makes <see cref="IncrementalPlan.IsEmpty"/>
    /// false.</summary>
    /// <value>The source's count (<see cref="IncrementalCommitKeys.Rows"/>), or the rows read for a source that does not
    /// report it.</value>
    public long NewRows => Count(IncrementalCommitKeys.Rows) ?? Run.RowsRead;

    /// <summary>Gets a value indicating whether the run found rows that no earlier run delivered (<see cref="NewRows"/> &gt; 0).</summary>
    public bool HasNewRows => NewRows > 0;

    /// <summary>Gets the rows the source skipped because their cursor was below the window (watermark − lookback) and
    /// that were not there when the previous run read that range: rows that arrived too late to be loaded. Sources
    /// that see such rows (<see cref="Incremental.Over"/>, <see cref="IncrementalFiles"/>) count them and log a
    /// warning; a SQL source never reads below the window, so it cannot. A lower bound when rows were also deleted or
    /// moved to a later cursor.</summary>
    /// <value>The count (<see cref="IncrementalCommitKeys.LateRows"/>), or zero.</value>
    public long LateRows => Count(IncrementalCommitKeys.LateRows) ?? 0;

    /// <summary>Returns a one-line summary: run number, new rows, range and watermark in the cursor's own type.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
        => $"Incremental run {Run.RunNumber} of '{Run.PipelineName}': {NewRows} new rows, range {Plan}, watermark {Watermark ?? "(none)"}" + (LateRows > 0 ? $", {LateRows} late rows below the window skipped" : string.Empty);

    private long? Count(string key)
        => Run.CommitProperties.TryGetValue(key, out var text) && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) ? count : null;
}
