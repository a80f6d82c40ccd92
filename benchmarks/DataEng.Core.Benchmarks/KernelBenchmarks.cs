using Apache.Arrow;
using Apache.Arrow.Types;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DataEng.Core.Benchmarks.Data;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// Columnar kernels on one batch of the standard dataset, one category each: <c>filter</c> (<c>amount &gt; 50000</c>,
/// every column gathered), <c>derive</c> (<c>amount_cents = (long)(amount × 100)</c>), <c>cast</c>
/// (<c>customer_id</c> int32 → int64) and <c>hash</c> (Murmur3 of <c>customer_id</c>). Baseline of each category: the
/// same work written by hand with the Arrow builders and per-value getters. Ours: <see cref="BatchKernels"/> and
/// <see cref="BatchTransforms"/> (span and row lambdas for derive). Output buffers come from the library's pooled
/// allocator; each output is disposed in the benchmark, so the pool is reused across invocations. The allocation
/// column counts managed bytes only: comparing it across batch sizes shows whether anything is allocated per row.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class KernelBenchmarks
{
    private RecordBatch _batch = null!;

    [ParamsSource(nameof(BatchSizes))]
    public int BatchRows { get; set; }

    public static IEnumerable<int> BatchSizes() => BenchmarkSizes.BatchRows();

    private static readonly RowPredicate AmountAbove = RowPredicate.Column("amount").GreaterThan(50_000.0);
    private static readonly string[] HashColumns = ["customer_id"];
    private IBatchTransform _deriveSpan = null!;
    private IBatchTransform _deriveRow = null!;
    private RunContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _batch = StandardDataset.GenerateBatch(0, 0, BatchRows);
        _context = Peers.Ours.NewContext();
        _deriveSpan = BatchTransforms.Derive<double, long>("amount_cents", "amount", static (ReadOnlySpan<double> amount, Span<long> cents) =>
        {
            for (var i = 0; i < amount.Length; i++)
            {
                cents[i] = (long)(amount[i] * 100);
            }
        });
        _deriveRow = BatchTransforms.Derive<double, long>("amount_cents", "amount", static amount => (long)(amount * 100));
        _ = _deriveSpan.GetOutputSchema(_batch.Schema);
        _ = _deriveRow.GetOutputSchema(_batch.Schema);
    }

    [Benchmark]
    [BenchmarkCategory("filter")]
    public int DataEngCore_Filter()
    {
        using var filtered = BatchKernels.Filter(_batch, AmountAbove);
        return filtered.Length;
    }

    [Benchmark]
    [BenchmarkCategory("derive")]
    public int DataEngCore_Derive_SpanLambda()
    {
        using var derived = _deriveSpan.Apply(_batch, _context);
        return derived.ColumnCount;
    }

    [Benchmark]
    [BenchmarkCategory("derive")]
    public int DataEngCore_Derive_RowLambda()
    {
        using var derived = _deriveRow.Apply(_batch, _context);
        return derived.ColumnCount;
    }

    [Benchmark]
    [BenchmarkCategory("cast")]
    public int DataEngCore_Cast()
    {
        var cast = BatchKernels.Cast(_batch.Column(3), Int64Type.Default);
        var length = cast.Length;
        cast.Dispose();
        return length;
    }

    [Benchmark]
    [BenchmarkCategory("hash")]
    public int DataEngCore_Hash()
    {
        using var hashes = BatchKernels.Hash(_batch, HashColumns);
        return hashes.Length;
    }

    [GlobalCleanup]
    public void Cleanup() => _batch.Dispose();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("filter")]
    public int Naive_Filter()
    {
        var amount = (DoubleArray)_batch.Column(4);
        var keep = new List<int>();
        for (var i = 0; i < _batch.Length; i++)
        {
            if (amount.GetValue(i) > 50_000)
            {
                keep.Add(i);
            }
        }

        using var filtered = Peers.NaiveTake.Rows(_batch, keep);
        return filtered.Length;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("derive")]
    public int Naive_Derive()
    {
        var amount = (DoubleArray)_batch.Column(4);
        var builder = new Int64Array.Builder();
        for (var i = 0; i < _batch.Length; i++)
        {
            builder.Append((long)(amount.GetValue(i)!.Value * 100));
        }

        using var cents = builder.Build();
        return cents.Length;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("cast")]
    public int Naive_Cast()
    {
        var customer = (Int32Array)_batch.Column(3);
        var builder = new Int64Array.Builder();
        for (var i = 0; i < _batch.Length; i++)
        {
            builder.Append(customer.GetValue(i)!.Value);
        }

        using var cast = builder.Build();
        return cast.Length;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("hash")]
    public int Naive_Hash()
    {
        var customer = (Int32Array)_batch.Column(3);
        var builder = new UInt32Array.Builder();
        for (var i = 0; i < _batch.Length; i++)
        {
            builder.Append(StableHash.Murmur3_32(customer.GetValue(i)!.Value));
        }

        using var hashes = builder.Build();
        return hashes.Length;
    }
}
