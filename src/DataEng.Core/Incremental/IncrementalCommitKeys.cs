namespace DataEng.Core.Checkpoints;

/// <summary>The keys an incremental source adds to <see cref="SinkCommit.Properties"/> (and so to the checkpoint).</summary>
public static class IncrementalCommitKeys
{
    /// <summary>The watermark: the largest cursor delivered so far, as typed text (for example <c>int:42</c>,
    /// <c>ts:ns:1700000000123456789</c>, <c>dt:638400000000000000:Utc</c>).</summary>
    public const string Watermark = "incremental.watermark";

    /// <summary>The (cursor, key) pairs delivered inside the lookback window, as a JSON array, used to skip rows
    /// read again.</summary>
    public const string Window = "incremental.window";

    /// <summary>The keys of rows with a null cursor that were delivered (policy <see cref="NullCursorPolicy.Include"/>).</summary>
    public const string NullKeys = "incremental.null-keys";

    /// <summary>The inclusive lower bound the run read from (empty when unbounded).</summary>
    public const string Low = "incremental.low";

    /// <summary>The inclusive upper bound the run read up to, fixed before reading (empty when nothing was read,
    /// <see cref="Unbounded"/> when the source knows no upper bound).</summary>
    public const string High = "incremental.high";

    /// <summary>The value of <see cref="High"/> when the source knows no upper bound (see
    /// <see cref="IncrementalPlan.IsHighUnbounded"/>).</summary>
    public const string Unbounded = "unbounded";

    /// <summary>The rows the source delivered in the run.</summary>
    public const string Rows = "incremental.rows";

    /// <summary>The rows read again and skipped because they were already delivered.</summary>
    public const string Deduplicated = "incremental.deduplicated";

    /// <summary>The rows the source saw and skipped because their cursor was below the window (watermark − lookback),
    /// for sources that read every row (<see cref="Incremental.Over"/>, <see cref="IncrementalFiles"/>).</summary>
    public const string BelowWindow = "incremental.below-window";

    /// <summary>The rows below the window that were not there when the previous run read their range: rows that
    /// arrived too late to be loaded (see <see cref="IncrementalRunResult.LateRows"/>).</summary>
    public const string LateRows = "incremental.late-rows";

    /// <summary>How many rows the run saw below the next run's window, and that window's lower bound
    /// (<c>count typed-value</c>): the next run's baseline for <see cref="LateRows"/>.</summary>
    public const string Settled = "incremental.settled";
}
