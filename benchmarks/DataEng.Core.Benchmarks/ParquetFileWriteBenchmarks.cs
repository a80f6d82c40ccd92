using BenchmarkDotNet.Attributes;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// Arrow batches in memory → one Parquet file (Snappy, row groups of one batch): ours (ArrowParquetWriter). Baseline: ParquetSharp's Arrow
/// writer (Arrow C++). Peers: DuckDB's COPY over our batches (Arrow scan), hand-written Parquet.Net (one DataField
/// per column from CLR arrays; the POCO serializer over rows built beforehand, not timed).
/// </summary>
[MemoryDiagnoser]
public class ParquetFileWriteBenchmarks
{
    private StandardDataset _data = null!;
    private ScratchDirectory _scratch = null!;
    private DuckDbPeer _duck = null!;
    private List<NaiveParquetNet.Row> _rows = [];
    private string _output = string.Empty;

    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; }

    public static IEnumerable<int> RowCounts() => BenchmarkSizes.Rows();

    private static WriteSettings Settings => WriteSettings.Snappy;

    [GlobalSetup]
    public void Setup()
    {
        _data = StandardDataset.Generate(Rows);
        _scratch = new ScratchDirectory("file-write");
        _duck = DuckDbPeer.Open();
        _output = _scratch["out.parquet"];
    }

    [GlobalSetup(Target = nameof(ParquetNet_Serializer))]
    public void SetupSerializer()
    {
        Setup();
        _rows = NaiveParquetNet.ToRows(_data.Batches);
    }

    [IterationSetup]
    public void ClearOutput() => ScratchDirectory.Clear(_output);

    [GlobalCleanup]
    public void Cleanup()
    {
        _duck.Dispose();
        _data.Dispose();
        _scratch.Dispose();
    }

    [Benchmark]
    public Task DataEngCore_ArrowParquetWriter() => Ours.WriteFileAsync(_output, StandardDataset.Schema, _data.Batches, Settings);

    [Benchmark(Baseline = true)]
    public void ParquetSharp_ArrowWriter() => ParquetSharpPeer.WriteFile(_output, StandardDataset.Schema, _data.Batches, Settings);

    [Benchmark]
    public void DuckDb_CopyFromArrow() => _duck.CopyArrowToFile(_data.Batches, _output, Settings);

    [Benchmark]
    public Task ParquetNet_DataFieldPerColumn() => NaiveParquetNet.WriteFileAsync(_output, _data.Batches, Settings);

    [Benchmark]
    public Task ParquetNet_Serializer() => NaiveParquetNet.WriteRowsAsync(_output, _rows, Settings);
}
