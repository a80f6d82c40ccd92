using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks.Compare;

/// <summary>What a case produces, which decides how its output is prepared and verified.</summary>
internal enum CaseKind
{
    /// <summary>Writes a Hive-partitioned dataset into an empty directory.</summary>
    WriteDataset,

    /// <summary>Writes one Parquet file.</summary>
    WriteFile,

    /// <summary>Reads a Parquet file into Arrow batches; the engine returns the rows it read.</summary>
    Read,
}

/// <summary>Everything an engine's turn may use. The dataset and DuckDB's copy of it are loaded before any turn.</summary>
internal sealed class CompareContext
{
    public required StandardDataset Data { get; init; }

    public required DuckDbPeer Duck { get; init; }

    /// <summary>Gets whether DuckDB holds the dataset in its table <see cref="DuckDbPeer.TableName"/>.</summary>
    public bool DuckTableLoaded { get; set; }

    public required WriteSettings Settings { get; init; }

    /// <summary>Gets the Parquet file the read cases read (written once before the turns, not timed).</summary>
    public string ReadInput { get; set; } = string.Empty;

    /// <summary>Gets the rows the streaming case generates while it writes (not held in memory).</summary>
    public long StreamRows { get; init; }

    /// <summary>Gets the rows per batch the streaming case generates.</summary>
    public int StreamBatchRows { get; init; } = StandardDataset.DefaultBatchRows;

    /// <summary>Gets the <see cref="PipelineOptions.ChannelCapacity"/> of our lake pipelines (null: the pipeline's default).</summary>
    public int? ChannelCapacity { get; init; }

    /// <summary>Gets the rows per batch readers produce.</summary>
    public int ReadBatchRows { get; init; } = StandardDataset.DefaultBatchRows;
}

/// <summary>One engine of a case: a name and the timed work of one turn.</summary>
/// <param name="Name">The engine as shown in the table.</param>
/// <param name="Run">The timed work: writes to the output path (write cases) or returns rows read (read cases).</param>
/// <param name="IsOurs">Whether this is DataEng.Core (the reference of the ratio column).</param>
/// <param name="Note">What the reader of the table must know about this engine's number.</param>
/// <param name="NeedsDuckTable">Whether the engine reads the dataset from a DuckDB table (loaded before its turns).</param>
internal sealed record CompareEngine(string Name, Func<CompareContext, string, Task<long>> Run, bool IsOurs = false, string? Note = null, bool NeedsDuckTable = false);

/// <summary>A case: one hot path, run by several engines with the same input and settings.</summary>
/// <param name="Key">The name used in <c>--cases</c>.</param>
/// <param name="Title">The case as shown in the table.</param>
/// <param name="Kind">What the case produces.</param>
/// <param name="Engines">Ours first, then the peers.</param>
/// <param name="Streaming">The input is generated while it is written (<see cref="CompareContext.StreamRows"/> rows),
/// not held in memory: the case measures memory independent of the input size.</param>
internal sealed record CompareCase(string Key, string Title, CaseKind Kind, IReadOnlyList<CompareEngine> Engines, bool Streaming = false);

/// <summary>The measurements of one engine in one case.</summary>
internal sealed class EngineResult(CompareCase @case, CompareEngine engine)
{
    public CompareCase Case { get; } = @case;

    public CompareEngine Engine { get; } = engine;

    public List<double> Seconds { get; set; } = [];

    /// <summary>Gets or sets the process CPU time (user + system, all threads) of each measured turn.</summary>
    public List<double> CpuSeconds { get; set; } = [];

    /// <summary>Gets or sets the resident set before the engine's first turn (runtime + dataset + its input).</summary>
    public long BaselineBytes { get; set; }

    public double LastWarmUp { get; set; }

    public long OutputBytes { get; set; }

    public long PeakBytes { get; set; }

    public long PeakDeltaBytes { get; set; }

    public string? Failure { get; set; }

    /// <summary>Gets or sets the memory breakdown of the last measured turn (<c>--memory-breakdown</c> only).</summary>
    public string? Breakdown { get; set; }

    public double MedianSeconds => Median(Seconds);

    public double MedianCpuSeconds => Median(CpuSeconds);

    /// <summary>Gets (max − min) / median of the measured turns.</summary>
    public double Spread => Seconds.Count < 2 ? 0 : (Seconds.Max() - Seconds.Min()) / MedianSeconds;

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
