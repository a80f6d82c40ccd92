using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Incremental;

public class IncrementalPropertyTests
{
    private static readonly string[] CrashSteps = ["none", "write:1", "write:2", "write:3", "prepare", "commit-before", "commit-after"];

    /// <summary>
    /// Many runs over a source with heavy ties and late rows inside the lookback, random page sizes, and a crash
    /// injected at a random step of random runs: after recovery every row is in the sink exactly once.
    /// </summary>
    [Fact]
    public async Task RunIncrementalAsync_TiesLateRowsAndCrashes_LoseNothingInsideTheLookbackAndDuplicateNothing()
    {
        var step = Gen.Select(Gen.Int[-4, 2].Array[0, 9], Gen.Int[0, CrashSteps.Length - 1]);
        var scenario = Gen.Select(Gen.Int[1, 6], Gen.Int[0, 3], step.Array[1, 8]);

        await scenario.SampleAsync(
            async sample =>
            {
                var (pageSize, lookback, steps) = sample;
                using var db = new OrdersDb();
                var sink = new LedgerSink();
                var crashAt = "none";
                sink.Crash = s => s == crashAt;
                var pipeline = Pipeline.Create("property")
                    .Extract(DataEng.Core.Sql.Incremental(db.Open, "orders", new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"], PageSize = pageSize, NumericLookback = lookback }))
                    .Load(sink)
                    .Configure(o => o.TimeProvider = new FakeTimeProvider())
                    .Build();
                long frontier = 10;
                foreach (var (offsets, crash) in steps)
                {
                    var committed = await sink.GetLastCommitAsync("property");
                    var floor = committed?.Get(IncrementalCommitKeys.Watermark) is { } w ? long.Parse(w[4..], System.Globalization.CultureInfo.InvariantCulture) - lookback : long.MinValue;
                    foreach (var offset in offsets)
                    {
                        // Late rows land anywhere inside the lookback window, never below it.
                        var ts = Math.Max(floor, frontier + offset);
                        frontier = Math.Max(frontier, ts);
                        db.Insert(ts);
                    }

                    crashAt = CrashSteps[crash];
                    try
                    {
                        await pipeline.RunIncrementalAsync();
                    }
                    catch (PipelineStageException e) when (e.InnerException is InjectedCrashException)
                    {
                    }
                }

                crashAt = "none";
                await pipeline.RunIncrementalAsync();
                await pipeline.RunIncrementalAsync();

                var loaded = sink.Ids;
                Assert.Equal(loaded.Count, loaded.Distinct().Count());
                Assert.Equal(db.AllIds.Order(), loaded.Order());
            },
            iter: 150,
            threads: 1);
    }
}
