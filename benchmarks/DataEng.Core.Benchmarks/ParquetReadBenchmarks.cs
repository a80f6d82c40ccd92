using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// Parquet → Arrow batches of 1,000,000 rows (each batch disposed as soon as it is counted), in three categories:
/// <c>all</c> columns of one file; a <c>projection</c> (<c>id</c>, <c>amount</c>); <c>pruned</c>: 3 of the 30 day
/// partitions of a Hive dataset (ours: the lake source over DuckDB's dataset, no manifest; in <c>all</c>, reading the
/// whole dataset, 30 files, against ParquetSharp's single file). Inputs are written in the global setup by ParquetSharp (file) and DuckDB (dataset),
/// Snappy, so no reader reads its own writer's output. Baseline of each category: ParquetSharp's Arrow reader (for
/// <c>pruned</c>, over the three matching files found by hand).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ParquetReadBenchmarks
{
    private static readonly string[] PrunedDays = ["2024-01-05", "2024-01-06", "2024-01-07"];
    private static readonly string[] ProjectedColumns = ["id", "amount"];
    private ScratchDirectory _scratch = null!;
    private string _file = string.Empty;
    private string _dataset = string.Empty;
    private string[] _prunedFiles = [];

    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; }

    public static IEnumerable<int> RowCounts() => BenchmarkSizes.Rows();

    [GlobalSetup]
    public void Setup()
    {
        _scratch = new ScratchDirectory("read");
        _file = _scratch["input.parquet"];
        _dataset = _scratch["lake"];
        using var data = StandardDataset.Generate(Rows);
        ParquetSharpPeer.WriteFile(_file, StandardDataset.Schema, data.Batches, WriteSettings.Snappy);
        using var duck = DuckDbPeer.Open();
        duck.CopyArrowPartitioned(data.Batches, _dataset, WriteSettings.Snappy);
        _prunedFiles = [.. PrunedDays.SelectMany(d => Directory.EnumerateFiles(Path.Combine(_dataset, $"dt={d}"), "*.parquet"))];
    }

    [GlobalCleanup]
    public void Cleanup() => _scratch.Dispose();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("all")]
    public Task<long> ParquetSharp_AllColumns() => ParquetSharpPeer.ReadFileAsync(_file, null, StandardDataset.DefaultBatchRows);

    [Benchmark]
    [BenchmarkCategory("all")]
    public Task<long> DataEngCore_File_AllColumns() => Ours.ReadFileAsync(_file, null, StandardDataset.DefaultBatchRows);

    [Benchmark]
    [BenchmarkCategory("projection")]
    public Task<long> DataEngCore_File_Projection() => Ours.ReadFileAsync(_file, ProjectedColumns, StandardDataset.DefaultBatchRows);

    [Benchmark]
    [BenchmarkCategory("all")]
    public Task<long> ParquetNet_Naive_AllColumns() => NaiveParquetNet.ReadFileToArrowAsync(_file);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("projection")]
    public Task<long> ParquetSharp_Projection() => ParquetSharpPeer.ReadFileAsync(_file, [0, 4], StandardDataset.DefaultBatchRows);

    [Benchmark]
    [BenchmarkCategory("all")]
    public Task<long> DataEngCore_Lake_AllColumns() => Ours.ReadLakeAsync(_dataset);

    [Benchmark]
    [BenchmarkCategory("pruned")]
    public Task<long> DataEngCore_Lake_Pruned() => Ours.ReadLakeAsync(_dataset, filter: static p => PrunedDays.Contains(p.GetText("dt")));

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("pruned")]
    public async Task<long> ParquetSharp_PrunedByHand()
    {
        long rows = 0;
        foreach (var file in _prunedFiles)
        {
            rows += await ParquetSharpPeer.ReadFileAsync(file, null, StandardDataset.DefaultBatchRows).ConfigureAwait(false);
        }

        return rows;
    }
}
