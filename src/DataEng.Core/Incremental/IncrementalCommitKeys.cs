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
}
