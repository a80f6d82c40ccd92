namespace DataEng.Core;

/// <summary>What a stage does with a bad row (a parse error, a failed cast, a transform's rejection).</summary>
public enum BadRowAction
{
    /// <summary>The run fails on the first bad row (the default).</summary>
    Fail,

    /// <summary>The row is dropped and counted.</summary>
    Skip,

    /// <summary>The row is dropped, counted, and written to the dead-letter target with its raw values, the error,
    /// the stage, the run and its position.</summary>
    DeadLetter,
}

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

    internal void ThrowIfInvalid(string stage)
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"The bad-row policy of '{stage}' is not valid:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}");
        }
    }
}

/// <summary>One dead-lettered row.</summary>
/// <param name="PipelineName">The pipeline.</param>
/// <param name="RunNumber">The run.</param>
/// <param name="RunId">The run id.</param>
/// <param name="Stage">The stage that rejected the row.</param>
/// <param name="Position">Where the row was in the source (file and line, page and row…).</param>
/// <param name="Error">Why it was rejected.</param>
/// <param name="RawValues">The row's raw values by column, as text (null for a null value).</param>
public sealed record DeadLetter(string PipelineName, long RunNumber, string RunId, string Stage, string Position, string Error, IReadOnlyDictionary<string, string?> RawValues);

/// <summary>Where dead-lettered rows are written, once per stage and run.</summary>
public interface IDeadLetterTarget
{
    /// <summary>Gets a description for logs.</summary>
    string Name { get; }

    /// <summary>Writes the dead letters of one stage in one run. Writing the same (pipeline, run, stage) again replaces
    /// the earlier write (a rerun of a failed run).</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="context">The run.</param>
    /// <param name="stage">The stage.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the rows are durable.</returns>
    ValueTask WriteAsync(IReadOnlyList<DeadLetter> rows, RunContext context, string stage, CancellationToken cancellationToken = default);
}
