using System.Globalization;
using DataEng.Core.Tests.Incremental;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Lake;

/// <summary>The lake as the embedded checkpoint of incremental runs: data and watermark in one manifest.</summary>
public class LakeSinkCheckpointingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private Pipeline Build(OrdersDb db, ISink sink, string name = "orders")
        => Pipeline.Create(name)
            .Extract(DataEng.Core.Sql.Incremental(db.Open, db.Table, new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"], PageSize = 4, NumericLookback = 5 }))
            .Load(sink)
            .Configure(o => o.TimeProvider = _time)
            .Build();

    [Fact]
    public void Write_ReturnsACheckpointingSink()
    {
        Assert.IsAssignableFrom<ICheckpointingSink>(Core.Lake.Write("lake"));
    }

    [Fact]
    public async Task RunIncrementalAsync_IntoTheLake_CommitsTheWatermarkInTheSameManifestAsTheData()
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        for (var ts = 1; ts <= 10; ts++)
        {
            db.Insert(ts);
        }

        var pipeline = Build(db, Core.Lake.Write(temp.Root));
        var first = await pipeline.RunIncrementalAsync();

        Assert.Equal(1, first.Run.RunNumber);
        Assert.Equal(10, first.Run.RowsWritten);
        Assert.Equal("int:10", first.EncodedWatermark);
        var dataset = await Core.Lake.OpenAsync(temp.Root);
        var commit = Assert.Single(dataset.Commits);
        Assert.Equal(first.Run.RunId, commit.RunId);
        Assert.Equal(10, commit.RowsAdded);
        Assert.Equal("int:10", commit.Properties[IncrementalCommitKeys.Watermark]);

        var last = await ((ICheckpointingSink)pipeline.Sink).GetLastCommitAsync("orders");
        Assert.NotNull(last);
        Assert.Equal(1, last.RunNumber);
        Assert.Equal(first.Run.RunId, last.RunId);
        Assert.Equal("int:10", last.Get(IncrementalCommitKeys.Watermark));
        Assert.Null(await ((ICheckpointingSink)pipeline.Sink).GetLastCommitAsync("another"));
    }

    [Fact]
    public async Task RunIncrementalAsync_RepeatedRunsWithLateRows_LoadEachRowExactlyOnce()
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        var pipeline = Build(db, Core.Lake.Write(temp.Root));
        for (var ts = 1; ts <= 10; ts++)
        {
            db.Insert(ts);
        }

        await pipeline.RunIncrementalAsync();
        db.Insert(10);  // a tie at the watermark
        db.Insert(7);   // a late row inside the lookback
        db.Insert(11);
        var second = await pipeline.RunIncrementalAsync();
        var third = await pipeline.RunIncrementalAsync();

        Assert.Equal(3, second.Run.RowsWritten);
        Assert.Equal(2, second.Run.RunNumber);
        Assert.Equal(0, third.Run.RowsWritten);
        Assert.Equal(3, third.Run.RunNumber);
        Assert.Equal("int:11", third.EncodedWatermark);
        var ids = Duck.Query($"SELECT id FROM {Duck.Glob(temp.Root)} ORDER BY id").Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(db.AllIds, ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_SecondRunWhileTheFirstHoldsTheLakeLock_FailsAtOnceNamingLakeAndPipeline()
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        for (var ts = 1; ts <= 6; ts++)
        {
            db.Insert(ts);
        }

        // Two pipelines with the same name on the same lake, each with its own sink (as two processes would have), no
        // checkpoint store. The second starts while the first has prepared its files (and holds the lake's lock).
        var second = Build(db, Core.Lake.Write(temp.Root));
        Exception? secondFailure = null;
        var firstOptions = new LakeWriteOptions
        {
            CommitObserver = step =>
            {
                if (step == LakeCommitStep.Prepared && secondFailure is null)
                {
                    secondFailure = Record.Exception(() => Task.Run(() => second.RunIncrementalAsync()).GetAwaiter().GetResult()) ?? new InvalidOperationException("the second run did not fail");
                }
            },
        };
        var first = Build(db, Core.Lake.Write(temp.Root, firstOptions));

        var firstResult = await first.RunIncrementalAsync();

        var e = Assert.IsType<PipelineLockedException>(secondFailure);
        Assert.Equal("orders", e.PipelineName);
        Assert.Contains("Pipeline 'orders' is already running", e.Message, StringComparison.Ordinal);
        Assert.Contains($"the lake '{Path.GetFullPath(temp.Root)}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(firstResult.Run.RunId, e.Message, StringComparison.Ordinal);
        Assert.True(e.IsTransient);
        Assert.Equal(6, Duck.Count(temp.Root));
        var dataset = await Core.Lake.OpenAsync(temp.Root);
        Assert.Equal(firstResult.Run.RunId, Assert.Single(dataset.Commits).RunId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Root, "_dataeng", "staging")));

        // The lock went with the first run: the next run of the second pipeline continues from its commit.
        db.Insert(7);
        var next = await second.RunIncrementalAsync();
        Assert.Equal(2, next.Run.RunNumber);
        Assert.Equal(1, next.Run.RowsWritten);
        var ids = Duck.Query($"SELECT id FROM {Duck.Glob(temp.Root)} ORDER BY id").Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(db.AllIds, ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_OtherPipelinesOnTheSameLake_DoNotWaitForEachOther()
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        db.Insert(1);
        var other = Build(db, Core.Lake.Write(temp.Root), name: "other");
        IncrementalRunResult? otherResult = null;
        var options = new LakeWriteOptions
        {
            CommitObserver = step =>
            {
                if (step == LakeCommitStep.Prepared && otherResult is null)
                {
                    otherResult = Task.Run(() => other.RunIncrementalAsync()).GetAwaiter().GetResult();
                }
            },
        };

        var result = await Build(db, Core.Lake.Write(temp.Root, options)).RunIncrementalAsync();

        Assert.Equal(1, result.Run.RowsWritten);
        Assert.Equal(1, otherResult!.Run.RowsWritten);
        Assert.Equal(2, (await Core.Lake.OpenAsync(temp.Root)).Commits.Count);
    }

    [Fact]
    public async Task RunIncrementalAsync_AnotherProcessCommittedBeforeTheWriterOpened_FailsClearly()
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        db.Insert(1);
        db.Insert(2);
        var winner = Build(db, Core.Lake.Write(temp.Root));
        IncrementalRunResult? winnerResult = null;

        // The loser's source has planned run 1; the winner commits run 1 before the loser's sink writer opens.
        var loser = Pipeline.Create("orders")
            .Extract(DataEng.Core.Sql.Incremental(db.Open, db.Table, new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"] }))
            .Load(new BeforeOpen(Core.Lake.Write(temp.Root), () => winnerResult ??= Task.Run(() => winner.RunIncrementalAsync()).GetAwaiter().GetResult()))
            .Configure(o => o.TimeProvider = _time)
            .Build();

        var e = await Assert.ThrowsAsync<PipelineLockedException>(() => loser.RunIncrementalAsync());

        Assert.Contains(winnerResult!.Run.RunId, e.Message, StringComparison.Ordinal);
        Assert.Equal(2, Duck.Count(temp.Root));
    }

    /// <summary>Runs an action before opening the inner sink's writer; keeps the inner sink's commit lookups.</summary>
    private sealed class BeforeOpen(ISink inner, Action before) : ICheckpointingSink
    {
        public string Name => inner.Name;

        public void Validate(Apache.Arrow.Schema input) => inner.Validate(input);

        public ValueTask<ISinkWriter> OpenAsync(Apache.Arrow.Schema schema, RunContext context, CancellationToken cancellationToken = default)
        {
            before();
            return inner.OpenAsync(schema, context, cancellationToken);
        }

        public ValueTask<CommittedRun?> GetLastCommitAsync(string pipelineName, CancellationToken cancellationToken = default)
            => ((ICheckpointingSink)inner).GetLastCommitAsync(pipelineName, cancellationToken);
    }
}
