namespace DataEng.Core.Checkpoints;

/// <summary>The range one incremental run reads.</summary>
public sealed class IncrementalPlan : IDisposable
{
    private Action? _forget;

    /// <summary>Creates a plan.</summary>
    /// <param name="low">The inclusive lower bound as text, or <see langword="null"/> when unbounded.</param>
    /// <param name="high">The inclusive upper bound as text, or <see langword="null"/> when there is nothing to read.</param>
    /// <param name="isEmpty">Whether the range holds nothing.</param>
    /// <param name="forget">Called once when the plan is disposed, to release what the source kept for the run.</param>
    public IncrementalPlan(string? low, string? high, bool isEmpty, Action? forget = null)
    {
        Low = low;
        High = high;
        IsEmpty = isEmpty;
        _forget = forget;
    }

    /// <summary>Gets the inclusive lower bound as exact typed text (as committed, for example <c>ts:us:1714730220000000</c>),
    /// or <see langword="null"/> when unbounded. <see cref="DisplayLow"/> shows it in the cursor's own type.</summary>
    public string? Low { get; }

    /// <summary>Gets the inclusive upper bound as exact typed text, or <see langword="null"/> when there is nothing to
    /// read. <see cref="DisplayHigh"/> shows it in the cursor's own type.</summary>
    public string? High { get; }

    /// <summary>Gets a value indicating whether the range holds nothing (the run still commits, carrying the state on).
    /// With a lookback the range always reaches back below the watermark, so it is rarely empty: to know whether a run
    /// found anything new, use <see cref="IncrementalRunResult.HasNewRows"/>.</summary>
    public bool IsEmpty { get; }

    /// <summary>
    /// Gets a value indicating whether the source knows no upper bound (for example <see cref="Incremental.Over"/>
    /// reading a full snapshot without a lag): <see cref="High"/> then holds the largest value of the cursor's type,
    /// and the run reads everything from <see cref="Low"/> on.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IsHighUnbounded { get; init; }

    /// <summary>Gets the lower bound for display, in the cursor's own type (<c>42</c>, <c>2026-03-01</c>,
    /// <c>2024-05-03T09:57:00Z</c>, the string itself), or <c>unbounded</c> when there is none.</summary>
    public string DisplayLow => CursorValue.Display(Low) ?? IncrementalCommitKeys.Unbounded;

    /// <summary>Gets the upper bound for display, in the cursor's own type: <c>unbounded</c> when
    /// <see cref="IsHighUnbounded"/> (never the type's largest value), or <c>(nothing)</c> when there is nothing to read.</summary>
    public string DisplayHigh => IsHighUnbounded ? IncrementalCommitKeys.Unbounded : CursorValue.Display(High) ?? "(nothing)";

    /// <summary>Returns the range for display, for example <c>[10, unbounded]</c>.</summary>
    /// <returns>The range as <c>[</c><see cref="DisplayLow"/><c>, </c><see cref="DisplayHigh"/><c>]</c>.</returns>
    public override string ToString() => $"[{DisplayLow}, {DisplayHigh}]";

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _forget, null)?.Invoke();
}
