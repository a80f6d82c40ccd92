namespace DataEng.Core;

/// <summary>Counts the rows the bad-row handlers of one run skipped or dead-lettered, by stage (thread-safe).</summary>
internal sealed class RejectedRows
{
    private readonly Dictionary<string, (long Skipped, long DeadLettered)> _byStage = new(StringComparer.Ordinal);

    /// <summary>Counts one rejected row of a stage.</summary>
    /// <param name="stage">The stage.</param>
    /// <param name="deadLettered">Whether the row goes to the dead letters (otherwise it was skipped).</param>
    public void Add(string stage, bool deadLettered)
    {
        lock (_byStage)
        {
            _byStage.TryGetValue(stage, out var counts);
            _byStage[stage] = deadLettered ? (counts.Skipped, counts.DeadLettered + 1) : (counts.Skipped + 1, counts.DeadLettered);
        }
    }

    /// <summary>Returns the counts of a stage.</summary>
    /// <param name="stage">The stage.</param>
    /// <returns>The rows skipped and dead-lettered (zero when the stage rejected nothing).</returns>
    public (long Skipped, long DeadLettered) Of(string stage)
    {
        lock (_byStage)
        {
            return _byStage.TryGetValue(stage, out var counts) ? counts : default;
        }
    }

    /// <summary>Returns the counts of all stages together.</summary>
    /// <returns>The rows skipped and dead-lettered in the run.</returns>
    public (long Skipped, long DeadLettered) Total()
    {
        lock (_byStage)
        {
            return (_byStage.Values.Sum(static c => c.Skipped), _byStage.Values.Sum(static c => c.DeadLettered));
        }
    }
}
