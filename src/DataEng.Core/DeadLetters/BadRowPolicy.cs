namespace DataEng.Core;

/// <summary>The bad-row policy of one stage: fail, skip or dead-letter, with thresholds per run.</summary>
public sealed class BadRowPolicy
{
    /// <summary>Gets the default policy: fail on the first bad row.</summary>
    public static BadRowPolicy Fail { get; } = new();

    /// <summary>Gets or sets what happens to a bad row.</summary>
    /// <value>The default value is <see cref="BadRowAction.Fail"/>.</value>
    public BadRowAction Action { get; set; } = BadRowAction.Fail;

    /// <summary>Gets or sets the most bad rows a run may have before it fails.</summary>
    /// <value>The default value is 1000. Must not be negative.</value>
    public long MaxCount { get; set; } = 1000;

    /// <summary>Gets or sets the largest share of bad rows (bad / all rows the stage saw) a run may have; checked when
    /// the stage ends.</summary>
    /// <value>The default value is 0.01 (1 %). Must be between 0 and 1.</value>
    public double MaxRatio { get; set; } = 0.01;

    /// <summary>Gets or sets where dead-lettered rows go (<see cref="DeadLetters.ToFolder"/>, <see cref="DeadLetters.ToSink"/>).</summary>
    /// <value>The default value is <see langword="null"/>; required when <see cref="Action"/> is
    /// <see cref="BadRowAction.DeadLetter"/>.</value>
    public IDeadLetterTarget? Target { get; set; }

    /// <summary>Returns every problem with this policy.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Action))
        {
            problems.Add($"{nameof(Action)} is not a valid action ({Action}).");
        }

        if (MaxCount < 0)
        {
            problems.Add($"{nameof(MaxCount)} must not be negative (was {MaxCount}).");
        }

        if (double.IsNaN(MaxRatio) || MaxRatio < 0 || MaxRatio > 1)
        {
            problems.Add($"{nameof(MaxRatio)} must be between 0 and 1 (was {MaxRatio}).");
        }

        if (Action == BadRowAction.DeadLetter && Target is null)
        {
            problems.Add($"{nameof(Target)} is required to dead-letter rows (use DeadLetters.ToFolder or DeadLetters.ToSink).");
        }

        return problems;
    }

    internal void ThrowIfInvalid(string stage) => ValidationProblems.ThrowIfAny($"{nameof(BadRowPolicy)} of '{stage}'", Validate());
}
