using System.Globalization;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Incremental;

/// <summary>Incremental reads over SQLite columns declared DATETIME/TIMESTAMP/DATE that store ISO-8601 text.</summary>
public class SqliteTextCursorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private Pipeline Build(OrdersDb db, ISink sink, IncrementalOptions options, string name = "orders")
        => Pipeline.Create(name)
            .Extract(DataEng.Core.Sql.Incremental(db.Open, db.Table, IncrementalTests.WithColumns(options, "ts", "id")))
            .Load(sink)
            .Configure(o => o.TimeProvider = _time)
            .Build();

    private static string Us(string iso)
    {
        Assert.True(TextValueParser.TryParseIsoTimestamp(iso, out var ticks, out _, out _));
        return "ts:us:" + ((ticks - DateTime.UnixEpoch.Ticks) / 10).ToString(CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("DATETIME")]
    [InlineData("TIMESTAMP")]
    public async Task RunIncrementalAsync_DatetimeDeclaredTextColumn_IsATimestampCursor(string declared)
    {
        using var db = new OrdersDb(cursorType: declared);
        using var sink = new CollectingSink();
        db.Insert("2026-03-01 10:00:00");
        db.Insert("2026-03-01 10:00:00.25");

        var result = await Build(db, sink, new IncrementalOptions { PageSize = 10 }).RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = new InMemoryCheckpointStore(_time) });

        Assert.Equal(Us("2026-03-01 10:00:00.25"), result.EncodedWatermark);
        var batch = Assert.Single(sink.Batches);
        Assert.IsType<Apache.Arrow.Types.TimestampType>(batch.Schema.GetFieldByName("ts").DataType);
    }

    [Fact]
    public async Task RunIncrementalAsync_LagOverDatetimeText_TakesTiesAtTheBoundAndLeavesLaterRows()
    {
        using var db = new OrdersDb(cursorType: "DATETIME");
        var sink = new LedgerSink();
        var pipeline = Build(db, sink, new IncrementalOptions { PageSize = 2, Lag = TimeSpan.FromMinutes(5) });
        db.Insert("2026-03-01 11:50:00");
        var atBound = new[] { db.Insert("2026-03-01 11:55"), db.Insert("2026-03-01 11:55:00"), db.Insert("2026-03-01 11:55:00.000000"), db.Insert("2026-03-01 11:55:00.0000004") };
        var later = new[] { db.Insert("2026-03-01 11:55:00.000001"), db.Insert("2026-03-01 11:55:00.5"), db.Insert("2026-03-01 12:00:00") };

        var first = await pipeline.RunIncrementalAsync();

        Assert.Equal(Us("2026-03-01 11:55:00"), first.Plan.High);
        Assert.Equal(db.AllIds.Except(later), sink.Ids.Order());
        Assert.Subset(sink.Ids.ToHashSet(), atBound.ToHashSet());

        _time.Advance(TimeSpan.FromMinutes(5));
        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal(later.Length, second.Run.RowsWritten);
        Assert.Equal(db.AllIds, sink.Ids.Order());
    }

    [Fact]
    public async Task RunIncrementalAsync_LookbackOverMixedFractionDigits_LoadsLateRowsAndTiesOnceAcrossRuns()
    {
        using var db = new OrdersDb(cursorType: "DATETIME");
        var sink = new LedgerSink();
        var pipeline = Build(db, sink, new IncrementalOptions { PageSize = 2, Lookback = TimeSpan.FromMinutes(1) });
        foreach (var ts in new[] { "2026-03-01 10:00:00", "2026-03-01 10:00:00.5", "2026-03-01 10:00:00.50", "2026-03-01 10:00:00.500", "2026-03-01 10:00:00.25", "2026-03-01 10:00:01.1234567", "2026-03-01 10:00:01" })
        {
            db.Insert(ts);
        }

        var first = await pipeline.RunIncrementalAsync();
        Assert.Equal(7, first.Run.RowsWritten);
        Assert.Equal(Us("2026-03-01 10:00:01.123456"), first.EncodedWatermark);

        // Late rows: a tie at the watermark (same text, and the same instant written longer), and rows inside the lookback.
        db.Insert("2026-03-01 10:00:01.1234567");
        db.Insert("2026-03-01 10:00:01.12345670");
        db.Insert("2026-03-01 10:00:00.75");
        db.Insert("2026-03-01 09:59:30");
        db.Insert("2026-03-01 10:00:02");
        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal(5, second.Run.RowsWritten);
        Assert.Equal("7", second.Run.CommitProperties[IncrementalCommitKeys.Deduplicated]);
        var third = await pipeline.RunIncrementalAsync();
        Assert.Equal(0, third.Run.RowsWritten);
        Assert.Equal(db.AllIds, sink.Ids.Order());
        Assert.Equal(sink.Ids.Count, sink.Ids.Distinct().Count());
    }

    [Fact]
    public async Task RunIncrementalAsync_IsoTextWithTAndZ_BindsBoundsInTheStoredLayout()
    {
        using var db = new OrdersDb(cursorType: "TIMESTAMP");
        var sink = new LedgerSink();
        var pipeline = Build(db, sink, new IncrementalOptions { PageSize = 2, Lookback = TimeSpan.FromSeconds(2), Lag = TimeSpan.FromHours(1) });
        db.Insert("2026-03-01T10:59:58.000Z");
        db.Insert("2026-03-01T10:59:59.999Z");
        db.Insert("2026-03-01T11:00:00.000Z");
        db.Insert("2026-03-01T11:00:00.001Z");

        var first = await pipeline.RunIncrementalAsync();
        Assert.Equal(3, first.Run.RowsWritten);

        db.Insert("2026-03-01T10:59:59.000Z");
        db.Insert("2026-03-01T11:00:00.000Z");
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal(3, second.Run.RowsWritten);
        Assert.Equal(db.AllIds, sink.Ids.Order());
    }

    [Fact]
    public async Task RunIncrementalAsync_DateDeclaredText_IsADateCursorWithLookback()
    {
        using var db = new OrdersDb(cursorType: "DATE");
        var sink = new LedgerSink();
        var pipeline = Build(db, sink, new IncrementalOptions { PageSize = 2, Lookback = TimeSpan.FromDays(1) });
        db.Insert("2026-02-27");
        db.Insert("2026-02-28");

        var first = await pipeline.RunIncrementalAsync();
        db.Insert("2026-02-27");
        db.Insert("2026-02-28");
        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal("date:2026-02-28", first.EncodedWatermark);
        Assert.Equal("date:2026-02-27", second.Plan.Low);
        Assert.Equal(2, second.Run.RowsWritten);
        Assert.Equal("2", second.Run.CommitProperties[IncrementalCommitKeys.Deduplicated]);
        Assert.Equal(db.AllIds, sink.Ids.Order());
    }

    [Fact]
    public async Task RunIncrementalAsync_TextThatIsNoTimestamp_FailsNamingColumnRowAndValue()
    {
        using var db = new OrdersDb(cursorType: "DATETIME");
        var sink = new LedgerSink();
        db.Insert("2026-02-28 10:00:00");
        db.Insert("2026-02-30 10:00:00");
        db.Insert("2026-03-01 10:00:00");

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => Build(db, sink, new IncrementalOptions { PageSize = 10 }).RunIncrementalAsync());

        var inner = Assert.IsType<DataFormatException>(e.InnerException);
        Assert.Equal("ts", inner.Column);
        Assert.Equal(2, inner.Row);
        Assert.Contains("2026-02-30 10:00:00", inner.Message, StringComparison.Ordinal);
        Assert.Empty(sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_LargestTextIsNoTimestamp_FailsNamingTheValue()
    {
        using var db = new OrdersDb(cursorType: "DATETIME");
        var sink = new LedgerSink();
        db.Insert("2026-02-28 10:00:00");
        db.Insert("yesterday");

        var e = await Assert.ThrowsAnyAsync<DataEngException>(() => Build(db, sink, new IncrementalOptions()).RunIncrementalAsync());

        var inner = e as DataFormatException ?? Assert.IsType<DataFormatException>(e.InnerException);
        Assert.Equal("ts", inner.Column);
        Assert.Contains("'yesterday'", inner.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunIncrementalAsync_CheckpointWrittenWhenTheColumnWasText_ContinuesFromIt()
    {
        using var db = new OrdersDb(cursorType: "DATETIME");
        using var sink = new CollectingSink();
        var store = new InMemoryCheckpointStore(_time);
        db.Insert("2026-03-01 10:00:00");
        var old = db.Insert("2026-03-01 10:00:01");
        await using (var lease = await store.AcquireLeaseAsync("orders"))
        {
            await store.WriteAsync(lease, new CommittedRun(1, "r1", new Dictionary<string, string> { [IncrementalCommitKeys.Watermark] = "str:2026-03-01 10:00:01", [IncrementalCommitKeys.Window] = "[[\"str:2026-03-01 10:00:01\",\"int:" + old + "\"]]" }));
        }

        var fresh = db.Insert("2026-03-01 10:00:02");

        var result = await Build(db, sink, new IncrementalOptions { PageSize = 2 }).RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });

        Assert.Equal(Us("2026-03-01 10:00:01"), result.Plan.Low);
        Assert.Equal(1, result.Run.RowsWritten);
        Assert.Equal(fresh, ((Apache.Arrow.Int64Array)Assert.Single(sink.Batches).Column("id")).GetValue(0));
    }

    /// <summary>Random timestamps with heavy ties written in random text layouts (fraction digits from none to nine,
    /// seconds left out at whole minutes), late rows inside the lookback, random page sizes and runs: every row once.</summary>
    [Fact]
    public async Task RunIncrementalAsync_RandomTextTimestampsTiesAndLateRows_DeliverEveryRowOnce()
    {
        var row = Gen.Select(Gen.Int[-3000, 1500], Gen.Int[0, 3]);
        var scenario = Gen.Select(Gen.Int[1, 5], Gen.Int[0, 2000], row.Array[0, 8].Array[1, 6]);
        var origin = new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Unspecified).Ticks;

        await scenario.SampleAsync(
            async sample =>
            {
                var (pageSize, lookbackMs, runs) = sample;
                using var db = new OrdersDb(cursorType: "DATETIME");
                var sink = new LedgerSink();
                var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero));
                var pipeline = Pipeline.Create("text-property")
                    .Extract(DataEng.Core.Sql.Incremental(db.Open, db.Table, new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"], PageSize = pageSize, Lookback = TimeSpan.FromMilliseconds(lookbackMs) }))
                    .Load(sink)
                    .Configure(o => o.TimeProvider = time)
                    .Build();
                var frontier = origin;
                foreach (var rows in runs)
                {
                    var committed = await sink.GetLastCommitAsync("text-property");
                    var floor = committed?.Get(IncrementalCommitKeys.Watermark) is { } w
                        ? DateTime.UnixEpoch.Ticks + (long.Parse(w[6..], CultureInfo.InvariantCulture) * 10) - (lookbackMs * TimeSpan.TicksPerMillisecond)
                        : long.MinValue;
                    foreach (var (offset, layout) in rows)
                    {
                        // Offsets in steps of 0.1 ms give heavy ties; late rows land inside the lookback, never below it.
                        var ticks = Math.Max(floor, frontier + (offset * 1000L));
                        frontier = Math.Max(frontier, ticks);
                        db.Insert(Text(ticks, layout));
                    }

                    await pipeline.RunIncrementalAsync();
                }

                await pipeline.RunIncrementalAsync();
                var loaded = sink.Ids;
                Assert.Equal(loaded.Count, loaded.Distinct().Count());
                Assert.Equal(db.AllIds, loaded.Order());
            },
            iter: 100,
            threads: 1);
    }

    private static string Text(long ticks, int layout)
    {
        var value = new DateTime(ticks, DateTimeKind.Unspecified);
        var fraction = (ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture);
        return layout switch
        {
            0 => value.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (fraction.TrimEnd('0') is { Length: > 0 } f ? "." + f : string.Empty),
            1 => value.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "." + fraction,
            2 => value.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "." + fraction + "00",
            _ => ticks % TimeSpan.TicksPerMinute == 0 ? value.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : value.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + fraction[3..],
        };
    }
}
