using Apache.Arrow;
using BenchmarkDotNet.Attributes;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// The partition split alone: one batch of the standard dataset (every batch touches all 30 days) routed into
/// per-partition buffers, no encoding, no I/O. Baseline: LINQ GroupBy + Arrow builders. Ours: the lake writer's
/// pieces — <c>PartitionKeyComputer.Compute</c> (row → partition id), a counting sort of the row indices by partition
/// and <c>RowBuffer.Append</c> (gather into pooled per-partition buffers) — composed as <c>LakeSinkWriter.Split</c>
/// composes them (the sort is repeated here: <c>Split</c> is private). Buffers are reset, not freed, after each
/// invocation: the steady state of a long run, where encoded buffers return to the pool.
/// </summary>
[MemoryDiagnoser]
public class PartitionSplitBenchmarks
{
    private RecordBatch _batch = null!;
    private PartitionKeyComputer _keys = null!;
    private ColumnPlan[] _plans = [];
    private RowBuffer[] _buffers = [];
    private int[] _rowPartitions = [];
    private int[] _sorted = [];
    private int[] _counts = [];

    [ParamsSource(nameof(BatchSizes))]
    public int BatchRows { get; set; }

    public static IEnumerable<int> BatchSizes() => BenchmarkSizes.BatchRows();

    [GlobalSetup]
    public void Setup()
    {
        _batch = StandardDataset.GenerateBatch(0, 0, BatchRows);
        PartitionSpec[] specs = [PartitionSpec.Identity("dt")];
        var table = new LakeTableSchema(StandardDataset.Schema, specs, keepPartitionColumns: false);
        _plans = LakeSchemaResolver.Plan(table, StandardDataset.Schema);
        _keys = new PartitionKeyComputer(StandardDataset.Schema, specs, 1024, detectCollisions: false, existingDirectories: null, datasetRoot: Path.GetTempPath());
        _rowPartitions = new int[BatchRows];
        _sorted = new int[BatchRows];
        _counts = new int[StandardDataset.Days + 2];
        _buffers = [.. Enumerable.Range(0, StandardDataset.Days + 1).Select(_ => new RowBuffer(_plans.Length, PooledMemoryAllocator.Shared))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Release();
        }

        _batch.Dispose();
    }

    [Benchmark]
    public int DataEngCore_CountingSortIntoPooledBuffers()
    {
        var rows = _batch.Length;
        var rowPartitions = _rowPartitions.AsSpan(0, rows);
        _keys.Compute(_batch, rowPartitions);
        var partitions = _keys.Partitions.Count;
        var counts = _counts.AsSpan(0, partitions + 1);
        counts.Clear();
        foreach (var p in rowPartitions)
        {
            counts[p + 1]++;
        }

        for (var p = 1; p <= partitions; p++)
        {
            counts[p] += counts[p - 1];
        }

        var sorted = _sorted.AsSpan(0, rows);
        for (var i = 0; i < rows; i++)
        {
            sorted[counts[rowPartitions[i]]++] = i;
        }

        var start = 0;
        for (var p = 0; p < partitions; p++)
        {
            _buffers[p].Append(_batch, _plans, sorted[start..counts[p]]);
            start = counts[p];
        }

        var total = 0;
        for (var p = 0; p < partitions; p++)
        {
            total += _buffers[p].Rows;
            _buffers[p].Reset();
        }

        return total;
    }

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
