using Apache.Arrow;
using Apache.Arrow.Types;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Incremental;

public class IncrementalTests
{
    private static readonly Schema EventsSchema = new(
        [new Field("id", Int64Type.Default, false), new Field("at", new TimestampType(TimeUnit.Nanosecond, "UTC"), true)],
        null);

    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);

    private readonly List<(long Id, long? At)> _rows = [];

    private static long Nanos(DateTimeOffset t) => (t.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>A snapshot source: every read yields all rows so far, in two batches.</summary>
    private sealed class Snapshot(IncrementalTests owner) : ISource
    {
        public string Name => "events";

        public Schema Schema => EventsSchema;

        public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            foreach (var chunk in owner._rows.Chunk(Math.Max(1, (owner._rows.Count + 1) / 2)))
            {
                // Raw nanoseconds, which DateTimeOffset (100 ns ticks) could not carry.
                var ids = new Int64Array.Builder();
                var values = new ArrowBuffer.Builder<long>();
                var valid = new ArrowBuffer.BitmapBuilder();
                foreach (var (id, value) in chunk)
                {
                    ids.Append(id);
                    values.Append(value ?? 0);
                    valid.Append(value is not null);
                }

                var atArray = new TimestampArray((TimestampType)EventsSchema.FieldsList[1].DataType, values.Build(), valid.Build(), chunk.Length, valid.UnsetBitCount, 0);
                yield return new RecordBatch(EventsSchema, [ids.Build(), atArray], chunk.Length);
            }
        }
    }

    [Fact]
    public void Over_OptionsWithoutColumns_ListsEveryProblemAtOnce()
    {
        var source = new InMemorySource(new Apache.Arrow.Schema.Builder().Field(f => f.Name("id").DataType(Apache.Arrow.Types.Int64Type.Default)).Build(), []);

        var e = Assert.Throws<DataEngValidationException>(() => DataEng.Core.Incremental.Over(source, new IncrementalOptions { SchemaName = "dbo", PageSize = 0 }));

        Assert.Equal(4, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.StartsWith(nameof(IncrementalOptions.CursorColumn), StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith(nameof(IncrementalOptions.KeyColumns), StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith(nameof(IncrementalOptions.PageSize), StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith(nameof(IncrementalOptions.SchemaName), StringComparison.Ordinal));
    }

    [Fact]
    public void SqlIncremental_OptionsChangedAfterTheCall_DoNotReachTheSource()
    {
        var keys = new List<string> { "id" };
        var options = new IncrementalOptions { Name = "orders-source", CursorColumn = "ts", KeyColumns = keys };

        var source = DataEng.Core.Sql.Incremental(() => new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:"), "orders", options);
        options.Name = "changed";
        options.CursorColumn = "";
        keys.Clear();

        Assert.Equal("orders-source", source.Name);
        Assert.Equal("sql:orders", DataEng.Core.Sql.Incremental(() => new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:"), "orders", new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"] }).Name);
        Assert.Throws<DataEngValidationException>(() => DataEng.Core.Sql.IncrementalQuery(() => new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:"), "SELECT 1", new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"], SchemaName = "main" }));
    }

    /// <summary>Sets the cursor and key columns on options a test built for its settings.</summary>
    internal static IncrementalOptions WithColumns(IncrementalOptions options, string cursorColumn, params string[] keyColumns)
    {
        options.CursorColumn = cursorColumn;
        options.KeyColumns = keyColumns;
        return options;
    }

    private Pipeline Build(LedgerSink sink, IncrementalOptions options)
        => Pipeline.Create("events")
            .Extract(DataEng.Core.Incremental.Over(new Snapshot(this), WithColumns(options, "at", "id")))
            .Load(sink)
            .Configure(o => o.TimeProvider = _time)
            .Build();

    [Fact]
    public async Task Over_NanosecondCursor_KeepsTheExactWatermarkAndLoadsEachRowOnce()
    {
        var sink = new LedgerSink();
        var pipeline = Build(sink, new IncrementalOptions());
        var t = Nanos(Now) - 1_000_000_000;
        _rows.AddRange([(1, t + 1), (2, t + 789), (3, t + 789)]);

        var first = await pipeline.RunIncrementalAsync();
        _rows.AddRange([(4, t + 789), (5, t + 790), (6, t + 788)]);
        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal($"ts:ns:{t + 789}", first.EncodedWatermark);
        Assert.Equal($"ts:ns:{t + 790}", second.EncodedWatermark);
        Assert.Equal(2, second.Run.RowsWritten);
        Assert.Equal([1L, 2, 3, 4, 5], sink.Ids);
    }

    [Fact]
    public async Task Over_Lag_LeavesRowsNewerThanNowMinusLagToTheNextRun()
    {
        var sink = new LedgerSink();
        var pipeline = Build(sink, new IncrementalOptions { Lag = TimeSpan.FromSeconds(10), NullCursor = NullCursorPolicy.Exclude });
        _rows.AddRange([(1, Nanos(Now) - 10_000_000_001), (2, Nanos(Now) - 10_000_000_000), (3, Nanos(Now) - 9_999_999_999), (4, null)]);

        var first = await pipeline.RunIncrementalAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal($"ts:ns:{Nanos(Now) - 10_000_000_000}", first.Plan.High);
        Assert.Equal(2, first.Run.RowsWritten);
        Assert.Equal(1, second.Run.RowsWritten);
        Assert.Equal([1L, 2, 3], sink.Ids);
    }

    [Fact]
    public async Task Over_WithoutALag_PlansAnUnboundedRange_AndLogsItAsUnbounded()
    {
        var sink = new LedgerSink();
        var logs = new CapturingLoggerFactory();
        var pipeline = Pipeline.Create("events")
            .Extract(DataEng.Core.Incremental.Over(new Snapshot(this), new IncrementalOptions { CursorColumn = "at", KeyColumns = ["id"] }))
            .Load(sink)
            .Configure(o =>
            {
                o.TimeProvider = _time;
                o.LoggerFactory = logs;
            })
            .Build();
        _rows.AddRange([(1, Nanos(Now) - 5), (2, Nanos(Now) - 4)]);

        var first = await pipeline.RunIncrementalAsync();
        var second = await pipeline.RunIncrementalAsync();

        Assert.True(first.Plan.IsHighUnbounded);
        Assert.Equal($"ts:ns:{long.MaxValue}", first.Plan.High);
        Assert.Equal("[unbounded, unbounded]", first.Plan.ToString());
        Assert.StartsWith("ts:ns:", second.Plan.Low, StringComparison.Ordinal);
        Assert.Equal($"[{second.Plan.DisplayLow}, unbounded]", second.Plan.ToString());
        Assert.Equal(IncrementalCommitKeys.Unbounded, first.Run.CommitProperties[IncrementalCommitKeys.High]);
        var planned = logs.Provider.Lines.Where(l => l.StartsWith("Information 600 ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, planned.Count);
        Assert.Contains("Incremental run 1 of pipeline 'events' planned: [unbounded, unbounded]", planned[0]);
        Assert.Contains($"Incremental run 2 of pipeline 'events' planned: [{second.Plan.DisplayLow}, unbounded]", planned[1]);
        Assert.DoesNotContain(logs.Provider.Lines, l => l.Contains(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.DoesNotContain(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), second.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_WithALag_PlansABoundedRange()
    {
        var sink = new LedgerSink();
        var pipeline = Build(sink, new IncrementalOptions { Lag = TimeSpan.FromSeconds(10) });
        _rows.Add((1, Nanos(Now) - 20_000_000_000));

        var run = await pipeline.RunIncrementalAsync();

        Assert.False(run.Plan.IsHighUnbounded);
        Assert.Equal("2026-03-01T11:59:50Z", run.Plan.DisplayHigh);
        Assert.Equal($"ts:ns:{Nanos(Now) - 10_000_000_000}", run.Run.CommitProperties[IncrementalCommitKeys.High]);
    }

    [Fact]
    public void Over_StringCursor_IsRejectedWhenBuilt()
    {
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("name", StringType.Default, false)], null);
        var source = DataEng.Core.Incremental.Over(new InMemorySource(schema, []), new IncrementalOptions { CursorColumn = "name", KeyColumns = ["id"] });
        Assert.Throws<SchemaMismatchException>(() => source.Schema);
    }
}
