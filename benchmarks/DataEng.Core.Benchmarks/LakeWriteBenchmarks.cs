using BenchmarkDotNet.Attributes;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// Arrow batches in memory → a Hive-partitioned dataset of 30 day-partitions (<c>dt=YYYY-MM-DD/</c>), Snappy and
/// Zstd (level 1 for every engine). Ours: a pipeline InMemorySource → Lake.Write (its commit fsyncs every file;
/// the peers do not). Baseline: DuckDB's <c>COPY … PARTITION_BY (dt)</c> from a table it holds (loaded
/// in the global setup, not timed). Peers: the same COPY over our batches through DuckDB's Arrow scan; a naive
/// Parquet.Net writer (LINQ GroupBy on dt, one file per partition).
/// </summary>
[MemoryDiagnoser]
public class LakeWriteBenchmarks
{
    private StandardDataset _data = null!;
    private ScratchDirectory _scratch = null!;
    private DuckDbPeer _duck = null!;
    private string _output = string.Empty;

    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; }

    [Params(ParquetCodec.Snappy, ParquetCodec.Zstd)]
    public ParquetCodec Codec { get; set; }

    public static IEnumerable<int> RowCounts() => BenchmarkSizes.Rows();

    private WriteSettings Settings => WriteSettings.For(Codec);

    [GlobalSetup]
    public void Setup()
    {
        _data = StandardDataset.Generate(Rows);
        _scratch = new ScratchDirectory("lake-write");
        _duck = DuckDbPeer.Open();
        _duck.LoadTable(_data);
        _output = _scratch["lake"];
    }

    [IterationSetup]
    public void ClearOutput()
    {
        ScratchDirectory.Clear(_output);
        Directory.CreateDirectory(_output);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _duck.Dispose();
        _data.Dispose();
        _scratch.Dispose();
    }

    [Benchmark]
    public Task<RunResult> DataEngCore_LakeWriter() => Ours.WriteLakeAsync(_output, _data.Batches, Settings);

    [Benchmark(Baseline = true)]
    public void DuckDb_CopyPartitionByFromTable() => _duck.CopyTablePartitioned(_output, Settings);

    [Benchmark]
    public void DuckDb_CopyPartitionByFromArrow() => _duck.CopyArrowPartitioned(_data.Batches, _output, Settings);

    [Benchmark]
    public Task ParquetNet_NaiveGroupBy() => NaiveParquetNet.WritePartitionedAsync(_output, _data.Batches, Settings);
}
