using System.Globalization;
using System.Text;

namespace DataEng.Core;

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
