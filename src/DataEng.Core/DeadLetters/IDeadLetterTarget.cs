namespace DataEng.Core.Stages;

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
