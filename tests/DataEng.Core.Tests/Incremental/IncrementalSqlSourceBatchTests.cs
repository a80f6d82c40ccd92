using Apache.Arrow;
using DataEng.Core.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Incremental;

/// <summary>How the incremental SQL source builds its batches: through <see cref="DataReaderBatchReader"/>, keyset
/// bounds from the provider's values, and who owns what.</summary>
public class IncrementalSqlSourceBatchTests
{
    [Fact]
    public async Task RunIncrementalAsync_RowsDroppedAsAlreadyLoaded_LeakNoArrowMemory()
    {
        using var db = new OrdersDb();
        var allocator = new CountingMemoryAllocator();
        var store = new InMemoryCheckpointStore(new FakeTimeProvider());
        var sink = new CollectingSink();
        var pipeline = Pipeline.Create("owned")
            .Extract(DataEng.Core.Sql.Incremental(db.Open, db.Table, new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"], PageSize = 3, NumericLookback = 5 }))
            .Load(sink)
            .Configure(o => o.Allocator = allocator)
            .Build();
        for (var ts = 0; ts < 10; ts++)
        {
            db.Insert(ts);
        }

        await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });
        db.Insert(8);
        var second = await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });

        Assert.Equal(1, second.Run.RowsWritten);
        Assert.Equal("6", second.Run.CommitProperties[IncrementalCommitKeys.Deduplicated]);
        Assert.Equal(11, sink.RowCount);
        Assert.True(allocator.TotalAllocations > 0);
        sink.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task RunIncrementalAsync_CompositeKeyAcrossPages_DeliversEachRowOnceWithTypedColumns()
    {
        using var db = new OrdersDb();
        db.Execute("CREATE TABLE events (ts INTEGER NOT NULL, region TEXT NOT NULL, seq INTEGER NOT NULL, amount DECIMAL(10,2), PRIMARY KEY (ts, region, seq))");
        var rows = 0;
        foreach (var region in new[] { "eu", "us", "ap" })
        {
            for (var seq = 0; seq < 4; seq++)
            {
                db.Execute($"INSERT INTO events VALUES ({seq % 2}, '{region}', {seq}, {seq}.25)");
                rows++;
            }
        }

        using var sink = new CollectingSink();
        var result = await Pipeline.Create("events")
            .Extract(DataEng.Core.Sql.Incremental(db.Open, "events", new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["region", "seq"], PageSize = 2 }))
            .Load(sink)
            .Build()
            .RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = new InMemoryCheckpointStore() });

        Assert.Equal(rows, result.Run.RowsWritten);
        var seen = sink.Batches.SelectMany(static b => Enumerable.Range(0, b.Length).Select(i => (((StringArray)b.Column("region")).GetString(i), ((Int64Array)b.Column("seq")).GetValue(i)!.Value))).ToList();
        Assert.Equal(rows, seen.Distinct().Count());
        Assert.All(sink.Batches, static b => Assert.IsType<Decimal128Array>(b.Column("amount")));
    }

    [Fact]
    public async Task ReadBatchAsync_CaptureRow_KeepsTheProviderValuesOfThatRowOnly()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE t (id INTEGER, ts DATETIME); INSERT INTO t VALUES (1, '2026-03-01 10:00:00.50'), (2, '2026-03-01 10:00:00.500'), (3, NULL)";
            create.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, ts FROM t ORDER BY id";
        using var reader = command.ExecuteReader();
        var rows = new DataReaderBatchReader(reader, SqlTypeMapping.DeriveSchema(reader, "t"), "t", new CountingMemoryAllocator()) { RowNumberOffset = 10 };
        rows.CaptureRow(2, [1, 0]);

        using var batch = await rows.ReadBatchAsync();

        Assert.Equal(3, batch!.Length);
        Assert.Equal(new object?[] { "2026-03-01 10:00:00.500", 2L }, rows.Captured);
    }

    [Fact]
    public async Task ReadBatchAsync_RowNumberOffset_NumbersTheFailingRowAcrossReaders()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE t (ts DATETIME); INSERT INTO t VALUES ('2026-03-01'), ('not a time')";
            create.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT ts FROM t";
        using var reader = command.ExecuteReader();
        var rows = new DataReaderBatchReader(reader, SqlTypeMapping.DeriveSchema(reader, "t"), "t", new CountingMemoryAllocator()) { RowNumberOffset = 10 };

        var e = await Assert.ThrowsAsync<DataFormatException>(async () => await rows.ReadBatchAsync());

        Assert.Equal(12, e.Row);
        Assert.Equal("ts", e.Column);
        Assert.Contains("'not a time'", e.Message, StringComparison.Ordinal);
    }
}
