using Apache.Arrow;
using BenchmarkDotNet.Attributes;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// The partition split alone: one batch of the standard dataset (every batch touches all 30 days) routed into
/// per-partition buffers, no encoding, no I/O. Baseline: LINQ GroupBy + Arrow builders.
/// </summary>
[MemoryDiagnoser]
public class PartitionSplitBenchmarks
{
    private RecordBatch _batch = null!;

    [ParamsSource(nameof(BatchSizes))]
    public int BatchRows { get; set; }

    public static IEnumerable<int> BatchSizes() => BenchmarkSizes.BatchRows();

    [GlobalSetup]
    public void Setup() => _batch = StandardDataset.GenerateBatch(0, 0, BatchRows);

    [GlobalCleanup]
    public void Cleanup() => _batch.Dispose();

    [Benchmark(Baseline = true)]
    public int Naive_LinqGroupBy()
    {
        var parts = NaiveSplit.SplitByDay(_batch);
        foreach (var part in parts.Values)
        {
            part.Dispose();
        }

        return parts.Count;
    }
}
