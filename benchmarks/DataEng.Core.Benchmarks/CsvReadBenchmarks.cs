using BenchmarkDotNet.Attributes;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// A CSV file of the standard dataset (ISO timestamps, 20% empty notes) → Arrow batches of 1,000,000 rows, each
/// disposed once counted. Baseline: Sylvan's CSV reader read row by row into the Arrow builders.
/// </summary>
[MemoryDiagnoser]
public class CsvReadBenchmarks
{
    private ScratchDirectory _scratch = null!;
    private string _file = string.Empty;

    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; }

    public static IEnumerable<int> RowCounts() => BenchmarkSizes.Rows();

    [GlobalSetup]
    public void Setup()
    {
        _scratch = new ScratchDirectory("csv");
        _file = _scratch["standard.csv"];
        using var data = StandardDataset.Generate(Rows);
        NaiveRowReaders.WriteCsv(_file, data.Batches);
    }

    [GlobalCleanup]
    public void Cleanup() => _scratch.Dispose();

    [Benchmark]
    public Task<long> DataEngCore_CsvFile() => Ours.ReadCsvAsync(_file, StandardDataset.DefaultBatchRows);

    [Benchmark(Baseline = true)]
    public long Sylvan_RowByRow() => NaiveRowReaders.ReadCsv(_file, StandardDataset.DefaultBatchRows);
}
