namespace DataEng.Core.Diagnostics;

/// <summary>What one stage did in a run.</summary>
/// <param name="Name">The stage name.</param>
/// <param name="Kind">The stage kind.</param>
/// <param name="Rows">Rows the stage produced (for a sink: rows written).</param>
/// <param name="Batches">Batches the stage produced (for a sink: batches written).</param>
/// <param name="Bytes">Arrow buffer bytes of the batches the stage produced (for a sink: of the batches written).</param>
/// <param name="Duration">Time spent inside the stage's own code (summed over parallel workers).</param>
public sealed record StageMetrics(string Name, StageKind Kind, long Rows, long Batches, long Bytes, TimeSpan Duration)
{
    /// <summary>Gets the bad rows the stage skipped under its <see cref="BadRowPolicy"/> (<see cref="BadRowAction.Skip"/>).</summary>
    public long RowsSkipped { get; init; }

    /// <summary>Gets the bad rows the stage wrote to its dead-letter target (<see cref="BadRowAction.DeadLetter"/>).</summary>
    public long RowsDeadLettered { get; init; }

    /// <summary>Gets the bytes the stage wrote to spill files because its state outgrew its memory budget.</summary>
    public long BytesSpilled { get; init; }
}
