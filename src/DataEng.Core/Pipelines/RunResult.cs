using System.Globalization;
using System.Text;

namespace DataEng.Core;

/// <summary>The kind of a pipeline stage.</summary>
public enum StageKind
{
    /// <summary>A source.</summary>
    Source,

    /// <summary>A stateless batch transform.</summary>
    BatchTransform,

    /// <summary>A stateful stream transform.</summary>
    StreamTransform,

    /// <summary>A sink.</summary>
    Sink,
}

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
}

/// <summary>Progress of a running pipeline.</summary>
/// <param name="RowsRead">Rows the source produced so far.</param>
/// <param name="RowsWritten">Rows the sink accepted so far.</param>
/// <param name="BytesWritten">Arrow buffer bytes the sink accepted so far.</param>
/// <param name="Elapsed">Time since the run started.</param>
public readonly record struct RunProgress(long RowsRead, long RowsWritten, long BytesWritten, TimeSpan Elapsed)
{
    /// <summary>Gets the rows written per second since the start.</summary>
    public double RowsPerSecond => Elapsed > TimeSpan.Zero ? RowsWritten / Elapsed.TotalSeconds : 0;
}

/// <summary>The outcome of a successful run.</summary>
/// <param name="PipelineName">The pipeline.</param>
/// <param name="RunNumber">The run number.</param>
/// <param name="RunId">The run id.</param>
/// <param name="StartedAt">When the run started.</param>
/// <param name="Duration">How long the run took, commit included.</param>
/// <param name="Stages">Per-stage metrics, in pipeline order.</param>
public sealed record RunResult(string PipelineName, long RunNumber, string RunId, DateTimeOffset StartedAt, TimeSpan Duration, IReadOnlyList<StageMetrics> Stages)
{
    /// <summary>Gets the rows the source produced.</summary>
    public long RowsRead => Stages.Count == 0 ? 0 : Stages[0].Rows;

    /// <summary>Gets the rows the sink wrote.</summary>
    public long RowsWritten => Stages.Count == 0 ? 0 : Stages[^1].Rows;

    /// <summary>Gets the bad rows all stages skipped under their <see cref="BadRowPolicy"/>.</summary>
    public long RowsSkipped { get; init; }

    /// <summary>Gets the bad rows all stages wrote to their dead-letter targets.</summary>
    public long RowsDeadLettered { get; init; }

    /// <summary>Gets the key/values committed with the data.</summary>
    public IReadOnlyDictionary<string, string> CommitProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>Renders the result as a small text table.</summary>
    /// <returns>The table.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Run {RunNumber} of '{PipelineName}' ({RunId}): {RowsRead:N0} rows read, {RowsWritten:N0} written");
        if (RowsSkipped > 0 || RowsDeadLettered > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", {RowsSkipped:N0} bad rows skipped, {RowsDeadLettered:N0} dead-lettered");
        }

        text.Append(CultureInfo.InvariantCulture, $" in {Duration.TotalSeconds:F3} s").AppendLine();
        text.AppendLine("  stage                           kind              rows    batches          bytes   time (s)    skipped  dead-lett.");
        foreach (var s in Stages)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Truncate(s.Name, 30),-30}  {s.Kind,-15} {s.Rows,10:N0} {s.Batches,10:N0} {s.Bytes,14:N0} {s.Duration.TotalSeconds,10:F3} {s.RowsSkipped,10:N0} {s.RowsDeadLettered,11:N0}").AppendLine();
        }

        return text.ToString();
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..(length - 1)] + "…";
}
