namespace DataEng.Core.Stages;

/// <summary>
/// Applies a <see cref="BadRowPolicy"/> for one stage in one run: stages (a CSV reader, a cast, a validation) report
/// each bad row with <see cref="Reject"/> and the good ones with <see cref="Accept"/>, then call
/// <see cref="CompleteAsync"/> when they end, which checks the ratio and writes the dead letters.
/// </summary>
public sealed class BadRowHandler
{
    private const int LoggedRowsPerRun = 10;
    private readonly BadRowPolicy _policy;
    private readonly RunContext _context;
    private readonly List<DeadLetter> _letters = [];
    private long _good;

    /// <summary>Creates a handler.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="stage">The stage name.</param>
    /// <param name="context">The run.</param>
    public BadRowHandler(BadRowPolicy policy, string stage, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrEmpty(stage);
        ArgumentNullException.ThrowIfNull(context);
        policy.ThrowIfInvalid(stage);
        _policy = policy;
        _context = context;
        Stage = stage;
    }

    /// <summary>Gets the stage name.</summary>
    public string Stage { get; }

    /// <summary>Gets the bad rows reported so far in this run.</summary>
    public long Rejected { get; private set; }

    /// <summary>Gets all rows reported so far (good and bad).</summary>
    public long Seen => _good + Rejected;

    /// <summary>Reports rows that were good.</summary>
    /// <param name="rows">How many.</param>
    public void Accept(long rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        _good += rows;
    }

    /// <summary>Reports a bad row. With <see cref="BadRowAction.Fail"/> this throws; otherwise the row is counted (and kept
    /// for the dead-letter target) and this throws only when the run exceeds <see cref="BadRowPolicy.MaxCount"/>.</summary>
    /// <param name="position">Where the row is (for example <c>orders.csv:17</c>).</param>
    /// <param name="error">Why it is bad.</param>
    /// <param name="rawValues">Its raw values by column, as text.</param>
    /// <param name="cause">The exception that made it bad, if any.</param>
    /// <exception cref="DataFormatException">The policy is <see cref="BadRowAction.Fail"/>.</exception>
    /// <exception cref="DataEngException">Too many bad rows in this run.</exception>
    public void Reject(string position, string error, IReadOnlyDictionary<string, string?> rawValues, Exception? cause = null)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(rawValues);
        if (_policy.Action == BadRowAction.Fail)
        {
            const string Hint = "(set BadRowPolicy.Action to Skip or DeadLetter to go on without bad rows)";
            throw cause is DataFormatException { Source: { } file, Problem: { } problem } located
                ? new DataFormatException(file, located.Row, located.Column, $"{problem} {Hint}", cause)
                : new DataFormatException(Stage, null, null, $"bad row at {position}: {error} {Hint}", cause);
        }

        Rejected++;
        if (Rejected <= LoggedRowsPerRun)
        {
            Log.RowRejected(_context.Logger, Stage, position, _context.RunNumber, error);
        }

        if (Rejected > _policy.MaxCount)
        {
            throw new DataEngException($"Stage '{Stage}' rejected more than {_policy.MaxCount} rows in run {_context.RunNumber} of '{_context.PipelineName}' (the last at {position}: {error}); nothing was committed. Fix the input or raise {nameof(BadRowPolicy.MaxCount)}.", cause);
        }

        _context.Rejected.Add(Stage, deadLettered: _policy.Action == BadRowAction.DeadLetter);
        DataEngTelemetry.RejectedRows.Add(1, new("dataeng.pipeline", _context.PipelineName), new("dataeng.stage", Stage), new("dataeng.action", _policy.Action == BadRowAction.DeadLetter ? "dead-letter" : "skip"));
        if (_policy.Action == BadRowAction.DeadLetter)
        {
            _letters.Add(new DeadLetter(_context.PipelineName, _context.RunNumber, _context.RunId, Stage, position, error, rawValues));
        }
    }

    /// <summary>Ends the stage: checks <see cref="BadRowPolicy.MaxRatio"/> and writes the dead letters.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the dead letters are durable.</returns>
    /// <exception cref="DataEngException">The share of bad rows is above the threshold.</exception>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (Rejected > 0 && (double)Rejected / Seen > _policy.MaxRatio)
        {
            throw new DataEngException($"Stage '{Stage}' rejected {Rejected} of {Seen} rows in run {_context.RunNumber} of '{_context.PipelineName}', more than {_policy.MaxRatio:P1}; nothing was committed. Fix the input or raise {nameof(BadRowPolicy.MaxRatio)}.");
        }

        if (_letters.Count > 0 && _policy.Target is { } target)
        {
            await target.WriteAsync(_letters, _context, Stage, cancellationToken).ConfigureAwait(false);
            Log.RowsDeadLettered(_context.Logger, Stage, _letters.Count, _context.RunNumber, target.Name);
        }
    }
}
