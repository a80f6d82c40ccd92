using BenchmarkDotNet.Attributes;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// ADO.NET → Arrow: <c>SELECT * FROM standard</c> on a SQLite file (Microsoft.Data.Sqlite) into batches of
/// 1,000,000 rows, each disposed once counted. Sizes are capped at 1,000,000 rows: building the SQLite file row by
/// row dominates the setup beyond that, and the per-row cost does not change with size. Baseline: the reader's typed
/// getters into the Arrow builders.
/// </summary>
[MemoryDiagnoser]
public class SqliteReadBenchmarks
{
    private ScratchDirectory _scratch = null!;
    private string _database = string.Empty;

    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; }

    public static IEnumerable<int> RowCounts() => BenchmarkSizes.BatchRows();

    [GlobalSetup]
    public void Setup()
    {
        _scratch = new ScratchDirectory("sqlite");
        _database = _scratch["standard.db"];
        using var data = StandardDataset.Generate(Rows);
        NaiveRowReaders.WriteSqlite(_database, data.Batches);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _scratch.Dispose();
    }

    [Benchmark]
    public Task<long> DataEngCore_SqlQuery() => Ours.ReadSqliteAsync(_database, StandardDataset.DefaultBatchRows);

    [Benchmark(Baseline = true)]
    public long AdoNet_RowByRow() => NaiveRowReaders.ReadSqlite(_database, StandardDataset.DefaultBatchRows);
}
