using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Incremental;

/// <summary>What an incremental run tells its user: new rows, watermarks in the cursor's own type, late rows skipped.</summary>
public sealed class IncrementalReportingTests : IDisposable
{
    private static readonly Schema EventsSchema = new(
        [new Field("id", Int64Type.Default, false), new Field("at", new TimestampType(TimeUnit.Microsecond, "UTC"), false)],
        null);

    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly List<(long Id, long At)> _rows = [];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dataeng-late-" + Guid.NewGuid().ToString("N"));

    public IncrementalReportingTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static long Micros(DateTimeOffset t) => (t.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    private sealed class Snapshot(IncrementalReportingTests owner) : ISource
    {
        public string Name => "events";

        public Schema Schema => EventsSchema;

        public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            var ids = new Int64Array.Builder();
            var at = new TimestampArray.Builder((TimestampType)EventsSchema.FieldsList[1].DataType);
            foreach (var (id, micros) in owner._rows)
            {
                ids.Append(id);
                at.Append(DateTimeOffset.UnixEpoch.AddTicks(micros * 10));
            }

            yield return new RecordBatch(EventsSchema, [ids.Build(), at.Build()], owner._rows.Count);
        }
    }

    private static IncrementalOptions WithCursor(IncrementalOptions options)
    {
        options.CursorColumn = "at";
        options.KeyColumns = ["id"];
        return options;
    }

    private Pipeline Build(LedgerSink sink, IncrementalOptions options, CapturingLoggerFactory? logs = null, string name = "events")
        => Pipeline.Create(name)
            .Extract(DataEng.Core.Incremental.Over(new Snapshot(this), WithCursor(options)))
            .Load(sink)
            .Configure(o =>
            {
                o.TimeProvider = _time;
                if (logs is not null)
                {
                    o.LoggerFactory = logs;
                }
            })
            .Build();

    [Fact]
    public async Task HasNewRows_WithALookback_IsFalseWhenNothingNewArrivedAlthoughThePlanIsNotEmpty()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var pipeline = Pipeline.Create("orders")
            .Extract(DataEng.Core.Sql.Incremental(db.Open, db.Table, new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"], NumericLookback = 5 }))
            .Load(sink)
            .Configure(o => o.TimeProvider = _time)
            .Build();
        db.Insert(10);
        db.Insert(20);

        var first = await pipeline.RunIncrementalAsync();
        var quiet = await pipeline.RunIncrementalAsync();
        db.Insert(17); // late, inside the lookback window [15, 20]
        var late = await pipeline.RunIncrementalAsync();
        db.Insert(30);
        var fresh = await pipeline.RunIncrementalAsync();

        Assert.Equal((2L, true), (first.NewRows, first.HasNewRows));
        Assert.False(quiet.Plan.IsEmpty); // the lookback re-reads [15, 20] ...
        Assert.Equal((0L, false), (quiet.NewRows, quiet.HasNewRows)); // ... but nothing in it is new
        Assert.Equal((1L, true), (late.NewRows, late.HasNewRows));
        Assert.Equal((1L, true), (fresh.NewRows, fresh.HasNewRows));
        Assert.Equal(db.AllIds, sink.Ids);
    }

    [Fact]
    public async Task Watermark_TimestampCursor_IsShownAsIso8601InResultsPlansAndLogs()
    {
        var sink = new LedgerSink();
        var logs = new CapturingLoggerFactory();
        var pipeline = Build(sink, new IncrementalOptions { Lookback = TimeSpan.FromMinutes(1), Lag = TimeSpan.FromSeconds(30) }, logs);
        _rows.AddRange([(1, Micros(new DateTimeOffset(2024, 5, 3, 9, 57, 0, TimeSpan.Zero))), (2, Micros(new DateTimeOffset(2024, 5, 3, 9, 57, 0, TimeSpan.Zero)) + 250_000)]);

        var first = await pipeline.RunIncrementalAsync();
        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal("ts:us:1714730220250000", first.EncodedWatermark);
        Assert.Equal("2024-05-03T09:57:00.25Z", first.Watermark);
        Assert.Equal("2024-05-03T09:56:00.25Z", second.Plan.DisplayLow);
        Assert.Equal("2026-03-01T11:59:30Z", second.Plan.DisplayHigh);
        Assert.Equal("[2024-05-03T09:56:00.25Z, 2026-03-01T11:59:30Z]", second.Plan.ToString());
        Assert.Equal("Incremental run 2 of 'events': 0 new rows, range [2024-05-03T09:56:00.25Z, 2026-03-01T11:59:30Z], watermark 2024-05-03T09:57:00.25Z", second.ToString());
        Assert.Contains(logs.Provider.Lines, static l => l.StartsWith("Information 600 ", StringComparison.Ordinal) && l.Contains("planned: [2024-05-03T09:56:00.25Z, 2026-03-01T11:59:30Z]", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Provider.Lines, static l => l.Contains("ts:us:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watermark_IntegerCursorOverASnapshot_ShowsAPlainNumberAndAnUnboundedCeiling()
    {
        var schema = new Schema([new Field("id", Int64Type.Default, false)], null);
        var sink = new LedgerSink();
        var source = DataEng.Core.Incremental.Over(new InMemorySource(schema, [new RecordBatch(schema, [new Int64Array.Builder().AppendRange([1, 2, 42]).Build()], 3)]), new IncrementalOptions { CursorColumn = "id", KeyColumns = ["id"] });
        var pipeline = Pipeline.Create("ids").Extract(source).Load(sink).Build();

        var result = await pipeline.RunIncrementalAsync();

        Assert.Equal("42", result.Watermark);
        Assert.Equal("[unbounded, unbounded]", result.Plan.ToString());
        Assert.DoesNotContain(long.MaxValue.ToString(CultureInfo.InvariantCulture), result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToDisplayString_EveryKind_IsTheValueInItsOwnType()
    {
        Assert.Equal("42", CursorValue.Integer(42).ToDisplayString());
        Assert.Equal("-7", CursorValue.Integer(-7).ToDisplayString());
        Assert.Equal("12.50", CursorValue.FromClr(12.50m)!.Value.ToDisplayString());
        Assert.Equal("1.5", CursorValue.FromClr(1.5)!.Value.ToDisplayString());
        Assert.Equal("2026-03-01", CursorValue.FromClr(new DateOnly(2026, 3, 1))!.Value.ToDisplayString());
        Assert.Equal("2026-03-01T10:00:00.25Z", CursorValue.FromClr(new DateTime(2026, 3, 1, 10, 0, 0, 250, DateTimeKind.Utc))!.Value.ToDisplayString());
        Assert.Equal("2026-03-01T10:00:00", CursorValue.FromClr(new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Unspecified))!.Value.ToDisplayString());
        Assert.Equal("2026-03-01T10:00:00.0000001+02:00", CursorValue.FromClr(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.FromHours(2)).AddTicks(1))!.Value.ToDisplayString());
        Assert.Equal("2026-03-01T10:00:00-05:30", CursorValue.FromClr(new DateTimeOffset(2026, 3, 1, 10, 0, 0, new TimeSpan(-5, -30, 0)))!.Value.ToDisplayString());
        Assert.Equal("2024-05-03T09:57:00Z", CursorValue.Timestamp(1714730220000000, TimeUnit.Microsecond).ToDisplayString());
        Assert.Equal("2024-05-03T09:57:00.123456789Z", CursorValue.Timestamp(1714730220123456789, TimeUnit.Nanosecond).ToDisplayString());
        Assert.Equal("1970-01-01T00:00:01.5Z", CursorValue.Timestamp(1500, TimeUnit.Millisecond).ToDisplayString());
        Assert.Equal("1969-12-31T23:59:59Z", CursorValue.Timestamp(-1, TimeUnit.Second).ToDisplayString());
        Assert.Equal("1969-12-31T23:59:59.999999Z", CursorValue.Timestamp(-1, TimeUnit.Microsecond).ToDisplayString());
        Assert.Equal($"ts:us:{long.MaxValue}", CursorValue.Timestamp(long.MaxValue, TimeUnit.Microsecond).ToDisplayString()); // beyond year 9999
        Assert.Equal("orders-2026.csv", CursorValue.String("orders-2026.csv").ToDisplayString());
        Assert.Equal("not a cursor", CursorValue.Display("not a cursor"));
        Assert.Null(CursorValue.Display(null));
    }

    [Fact]
    public void ToDisplayString_Timestamps_ParseBackToTheExactValueInEveryUnit()
    {
        var maxSeconds = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond;
        var minSeconds = -DateTime.UnixEpoch.Ticks / TimeSpan.TicksPerSecond;
        var cases = Gen.Int[0, 3].SelectMany(unitIndex =>
        {
            var perSecond = unitIndex switch { 0 => 1L, 1 => 1_000L, 2 => 1_000_000L, _ => 1_000_000_000L };
            var low = unitIndex == 3 ? long.MinValue : minSeconds * perSecond;
            var high = unitIndex == 3 ? long.MaxValue : ((maxSeconds + 1) * perSecond) - 1;
            return Gen.Long[low, high].Select(value => (unitIndex, value));
        });
        cases.Sample(static c =>
        {
            var (unitIndex, value) = c;
            var (unit, perSecond, digits) = unitIndex switch
            {
                0 => (TimeUnit.Second, 1L, 0),
                1 => (TimeUnit.Millisecond, 1_000L, 3),
                2 => (TimeUnit.Microsecond, 1_000_000L, 6),
                _ => (TimeUnit.Nanosecond, 1_000_000_000L, 9),
            };
            var text = CursorValue.Timestamp(value, unit).ToDisplayString();

            // Parse the display text back: whole seconds by .NET's parser, the fraction padded to the unit's digits.
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            var whole = DateTime.ParseExact(text[..(dot < 0 ? text.Length - 1 : dot)], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            var fraction = dot < 0 ? 0 : long.Parse(text[(dot + 1)..^1].PadRight(digits, '0'), CultureInfo.InvariantCulture);
            var parsed = ((decimal)(whole.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond * perSecond) + fraction;
            return text.EndsWith('Z') && parsed == value && (dot < 0 || !text[..^1].EndsWith('0'));
        });
    }

    [Fact]
    public async Task LateRows_ARowArrivingBelowTheWindow_IsCountedWarnedAndMeteredOnce()
    {
        var sink = new LedgerSink();
        var logs = new CapturingLoggerFactory();
        using var meter = new LateRowsListener("late-events");
        var pipeline = Build(sink, new IncrementalOptions { Lookback = TimeSpan.FromMinutes(10) }, logs, "late-events");
        var t = Micros(Now.AddHours(-1));
        _rows.AddRange([(1, t - (120 * 60_000_000L)), (2, t - (60 * 60_000_000L)), (3, t)]);

        var first = await pipeline.RunIncrementalAsync();
        _rows.Add((4, t - (5 * 60_000_000L)));   // late but inside the window [t − 10 min, t]: loaded
        _rows.Add((5, t - (30 * 60_000_000L)));  // below the window: skipped, and told
        var second = await pipeline.RunIncrementalAsync();
        var third = await pipeline.RunIncrementalAsync();
        _rows.Add((6, t + 1));
        _rows.Add((7, t - (90 * 60_000_000L)));  // below again, after the watermark moved
        var fourth = await pipeline.RunIncrementalAsync();

        Assert.Equal([1L, 2, 3, 4, 6], sink.Ids);
        Assert.Equal([0L, 1, 0, 1], new[] { first, second, third, fourth }.Select(static r => r.LateRows));
        Assert.Equal([3L, 1, 0, 1], new[] { first, second, third, fourth }.Select(static r => r.NewRows));
        Assert.Equal("3", second.Run.CommitProperties[IncrementalCommitKeys.BelowWindow]);
        var warnings = logs.Provider.Lines.Where(static l => l.StartsWith("Warning 610 ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("Source 'events' skipped 1 rows in run 2 of pipeline 'late-events' that arrived after their range was loaded: their cursor is below the window's lower bound 2026-03-01T10:50:00Z", warnings[0], StringComparison.Ordinal);
        Assert.Equal(2, meter.Total);
        Assert.Contains("1 late rows below the window skipped", second.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LateRows_AFileNamedBelowTheWatermark_IsCountedAsLate()
    {
        var schema = new Schema([new Field("id", Int64Type.Default, false)], null);
        var sink = new LedgerSink();
        var id = 0L;
        void Write(string name) => File.WriteAllText(Path.Combine(_folder, name), (++id).ToString(CultureInfo.InvariantCulture));
        InMemorySource Open(string path) => new(schema, [new RecordBatch(schema, [new Int64Array.Builder().Append(long.Parse(File.ReadAllText(path), CultureInfo.InvariantCulture)).Build()], 1)]);
        var pipeline = Pipeline.Create("files").Extract(IncrementalFiles.Source(_folder, "*.txt", schema, Open, FileOrder.Name)).Load(sink).Configure(o => o.TimeProvider = _time).Build();
        Write("a.txt");
        Write("c.txt");

        var first = await pipeline.RunIncrementalAsync();
        Write("b.txt"); // sorts before the watermark c.txt: never loaded
        var second = await pipeline.RunIncrementalAsync();
        Write("d.txt");
        var third = await pipeline.RunIncrementalAsync();

        Assert.Equal([1L, 2, 4], sink.Ids);
        Assert.Equal([0L, 1, 0], new[] { first, second, third }.Select(static r => r.LateRows));
        Assert.Equal("c.txt", second.Watermark);
    }

    [Fact]
    public async Task LateRows_RandomArrivals_MatchAModelThatKnowsWhenEachRowArrived()
    {
        // A first snapshot larger than the tracker's pruning threshold (2 × MaxWindowKeys + 1024), then runs that add
        // rows anywhere, some of them below the window. Model: a row is late when its cursor is below the run's lower
        // bound in the first run it is present; every other row is loaded exactly once.
        var scenario = Gen.Select(
            Gen.Long[0, 1_000_000].Array[1_150, 1_400],
            Gen.Long[-5_000, 2_000].Array[0, 30].Array[1, 4],
            Gen.Int[0, 300]);
        await scenario.SampleAsync(
            async sample =>
            {
                var (initial, later, lookback) = sample;
                var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("at", Int64Type.Default, false)], null);
                var rows = new List<(long Id, long At)>();
                var source = DataEng.Core.Incremental.Over(new ListSource(schema, rows), new IncrementalOptions { CursorColumn = "at", KeyColumns = ["id"], NumericLookback = lookback, MaxWindowKeys = 50 });
                var sink = new LedgerSink();
                var pipeline = Pipeline.Create("late-model").Extract(source).Load(sink).Build();
                var late = new HashSet<long>();
                foreach (var at in initial)
                {
                    rows.Add((rows.Count + 1, at));
                }

                var first = await pipeline.RunIncrementalAsync();
                Assert.Equal(0, first.LateRows);
                var watermark = long.Parse(first.EncodedWatermark![4..], CultureInfo.InvariantCulture);
                foreach (var offsets in later)
                {
                    var low = watermark - lookback;
                    var expected = 0L;
                    foreach (var offset in offsets)
                    {
                        var at = Math.Max(0, watermark + offset);
                        rows.Add((rows.Count + 1, at));
                        if (at < low)
                        {
                            late.Add(rows.Count);
                            expected++;
                        }
                    }

                    var run = await pipeline.RunIncrementalAsync();
                    Assert.Equal(expected, run.LateRows);
                    watermark = long.Parse(run.EncodedWatermark![4..], CultureInfo.InvariantCulture);
                }

                Assert.Equal(rows.Select(static r => r.Id).Where(id => !late.Contains(id)).Order(), sink.Ids.Order());
            },
            iter: 25,
            threads: 1);
    }

    /// <summary>A snapshot of (id, at) rows, read whole on every run.</summary>
    private sealed class ListSource(Schema schema, List<(long Id, long At)> rows) : ISource
    {
        public string Name => "list";

        public Schema Schema => schema;

        public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return new RecordBatch(schema, [new Int64Array.Builder().AppendRange(rows.Select(static r => r.Id)).Build(), new Int64Array.Builder().AppendRange(rows.Select(static r => r.At)).Build()], rows.Count);
        }
    }

    /// <summary>Sums the late-rows counter of one pipeline.</summary>
    private sealed class LateRowsListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<long> _values = new();

        public LateRowsListener(string pipeline)
        {
            _listener.InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == DataEngTelemetry.Name && instrument.Name == "dataeng.incremental.late_rows")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "dataeng.pipeline" && Equals(tag.Value, pipeline))
                    {
                        _values.Enqueue(value);
                    }
                }
            });
            _listener.Start();
        }

        public long Total => _values.Sum();

        public void Dispose() => _listener.Dispose();
    }
}
