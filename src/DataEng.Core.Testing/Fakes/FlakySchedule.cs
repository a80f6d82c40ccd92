namespace DataEng.Core.Testing;

/// <summary>
/// When a <see cref="FlakySource"/> fails: on given read calls, on every n-th call, or on a seeded random share of
/// calls; optionally after yielding part of the data. Calls are numbered from 1 (one call = one
/// <see cref="ISource.ReadAsync"/> enumeration, that is one attempt to read the source).
/// </summary>
public sealed class FlakySchedule
{
    private readonly Func<int, bool> _fails;

    private FlakySchedule(Func<int, bool> fails, string description, int afterBatches)
    {
        _fails = fails;
        Description = description;
        BatchesBeforeFailure = afterBatches;
    }

    /// <summary>Gets how many batches a failing call yields before it throws (a partial page).</summary>
    /// <value>0 unless set with <see cref="AfterBatches"/>: the call fails before its first batch.</value>
    public int BatchesBeforeFailure { get; }

    /// <summary>Gets a readable description of the schedule.</summary>
    public string Description { get; }

    /// <summary>Fails on the given call numbers (1-based).</summary>
    /// <param name="calls">The failing calls, for example <c>1, 2</c> to fail twice and then succeed.</param>
    /// <returns>The schedule.</returns>
    public static FlakySchedule OnCalls(params int[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Any(static c => c < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(calls), "Call numbers start at 1.");
        }

        var set = calls.ToHashSet();
        return new FlakySchedule(set.Contains, $"fails on calls {string.Join(", ", calls.Order())}", 0);
    }

    /// <summary>Fails on the first <paramref name="count"/> calls, then succeeds.</summary>
    /// <param name="count">How many calls fail.</param>
    /// <returns>The schedule.</returns>
    public static FlakySchedule FirstCalls(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new FlakySchedule(call => call <= count, $"fails on the first {count} calls", 0);
    }

    /// <summary>Fails on every <paramref name="n"/>-th call (calls n, 2n, 3n…).</summary>
    /// <param name="n">The period; at least 1.</param>
    /// <returns>The schedule.</returns>
    public static FlakySchedule EveryNth(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return new FlakySchedule(call => call % n == 0, $"fails on every {n}th call", 0);
    }

    /// <summary>Fails on a random share of calls, reproducibly: whether call k fails depends only on
    /// <paramref name="seed"/> and k.</summary>
    /// <param name="ratio">The share of failing calls, from 0 to 1.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The schedule.</returns>
    public static FlakySchedule Ratio(double ratio, int seed)
    {
        if (!(ratio is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The ratio must be between 0 and 1.");
        }

        return new FlakySchedule(call => new Random(HashCode.Combine(seed, call)).NextDouble() < ratio, $"fails on {ratio:P0} of calls (seed {seed})", 0);
    }

    /// <summary>Returns the same schedule, but failing calls first yield <paramref name="batches"/> batches (a partial
    /// read, as when a connection drops mid-page).</summary>
    /// <param name="batches">The batches yielded before the failure.</param>
    /// <returns>The schedule.</returns>
    public FlakySchedule AfterBatches(int batches)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batches);
        return new FlakySchedule(_fails, Description, batches);
    }

    /// <summary>Returns whether a call fails.</summary>
    /// <param name="call">The call number, from 1.</param>
    /// <returns><see langword="true"/> when the call fails.</returns>
    public bool Fails(int call) => _fails(call);

    /// <inheritdoc />
    public override string ToString() => BatchesBeforeFailure == 0 ? Description : $"{Description}, after {BatchesBeforeFailure} batches";
}
