using DataEng.Core.Tests.Checkpoints;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Polly;
using Polly.Retry;

namespace DataEng.Core.Tests.Incremental;

public class IncrementalSqlSourceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private Pipeline Build(OrdersDb db, ISink sink, IncrementalOptions? options = null, string name = "orders", string cursor = "ts")
        => Pipeline.Create(name)
            .Extract(DataEng.Core.Sql.Incremental(db.Open, db.Table, IncrementalTests.WithColumns(options ?? new IncrementalOptions { PageSize = 3 }, cursor, "id")))
            .Load(sink)
            .Configure(o => o.TimeProvider = _time)
            .Build();

    [Fact]
    public async Task RunIncrementalAsync_NewRows_LoadsOnlyWhatIsNewEachRun()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var pipeline = Build(db, sink);
        for (var i = 0; i < 10; i++)
        {
            db.Insert(i);
        }

        var first = await pipeline.RunIncrementalAsync();
        Assert.Equal(1, first.Run.RunNumber);
        Assert.Equal(10, first.Run.RowsWritten);
        Assert.Equal("int:9", first.EncodedWatermark);

        db.Insert(10);
        db.Insert(11);
        var second = await pipeline.RunIncrementalAsync();
        Assert.Equal(2, second.Run.RunNumber);
        Assert.Equal(2, second.Run.RowsWritten);
        Assert.Equal("int:9", second.Plan.Low);
        Assert.Equal("int:11", second.Plan.High);

        var third = await pipeline.RunIncrementalAsync();
        Assert.Equal(0, third.Run.RowsWritten);
        Assert.Equal("int:11", third.EncodedWatermark);
        Assert.Equal(db.AllIds, sink.Ids);
    }

    [Fact]
    public async Task IncrementalQuery_BaseQuery_ReadsIncrementallyThroughIt()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var source = DataEng.Core.Sql.IncrementalQuery(db.Open, "SELECT id, ts, note FROM orders WHERE note IS NULL OR note <> 'skip'", new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"], PageSize = 2 });
        var pipeline = Pipeline.Create("query").Extract(source).Load(sink).Configure(o => o.TimeProvider = _time).Build();
        var expected = new List<long> { db.Insert(1), db.Insert(2) };
        db.Insert(2, "skip");
        await pipeline.RunIncrementalAsync();
        expected.Add(db.Insert(3));
        db.Insert(4, "skip");

        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal(1, second.Run.RowsWritten);
        Assert.Equal(expected, sink.Ids);
    }

    [Fact]
    public async Task Incremental_FromADataSource_ReadsIncrementally()
    {
        using var db = new OrdersDb();
        await using var dataSource = Microsoft.Data.Sqlite.SqliteFactory.Instance.CreateDataSource(db.ConnectionString);
        var sink = new LedgerSink();
        var pipeline = Pipeline.Create("data-source").Extract(DataEng.Core.Sql.Incremental(dataSource, "orders", new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"] })).Load(sink).Build();
        db.Insert(1);
        await pipeline.RunIncrementalAsync();
        db.Insert(2);

        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal(1, second.Run.RowsWritten);
        Assert.Equal(db.AllIds, sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_HeavyTiesAcrossPages_DeliversEachRowOnce()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var pipeline = Build(db, sink, new IncrementalOptions { PageSize = 2 });
        foreach (var ts in new[] { 5, 5, 5, 5, 5, 6, 6, 6, 7 })
        {
            db.Insert(ts);
        }

        await pipeline.RunIncrementalAsync();
        Assert.Equal(db.AllIds, sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_TieArrivingLateAtTheWatermark_IsNotLostNorDoubled()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var pipeline = Build(db, sink);
        db.Insert(1);
        db.Insert(2);
        await pipeline.RunIncrementalAsync();

        // A row with the watermark's own cursor value commits after the run read up to it.
        db.Insert(2);
        var result = await pipeline.RunIncrementalAsync();

        Assert.Equal(1, result.Run.RowsWritten);
        Assert.Equal("1", result.Run.CommitProperties[IncrementalCommitKeys.Deduplicated]);
        Assert.Equal(db.AllIds, sink.Ids.Order());
    }

    [Fact]
    public async Task RunIncrementalAsync_LateRowInsideTheLookback_IsLoadedOnce()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var pipeline = Build(db, sink, new IncrementalOptions { PageSize = 3, NumericLookback = 10 });
        for (var ts = 100; ts < 110; ts++)
        {
            db.Insert(ts);
        }

        await pipeline.RunIncrementalAsync();
        db.Insert(101);
        db.Insert(111);
        var result = await pipeline.RunIncrementalAsync();

        Assert.Equal(2, result.Run.RowsWritten);
        Assert.Equal("int:99", result.Plan.Low);
        Assert.Equal(db.AllIds, sink.Ids.Order());
        await pipeline.RunIncrementalAsync();
        Assert.Equal(db.AllIds, sink.Ids.Order());
    }

    [Fact]
    public async Task RunIncrementalAsync_InitialValue_StartsThereInclusive()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var pipeline = Build(db, sink, new IncrementalOptions { InitialValue = 5L });
        for (var ts = 0; ts < 8; ts++)
        {
            db.Insert(ts);
        }

        var result = await pipeline.RunIncrementalAsync();

        Assert.Equal(3, result.Run.RowsWritten);
        Assert.Equal(db.AllIds[5..], sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_LagWithClockCursor_LeavesRecentRowsForTheNextRun()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var options = new IncrementalOptions { Lag = TimeSpan.FromMinutes(5), CursorFromTime = static t => t.ToUnixTimeMilliseconds() };
        var pipeline = Build(db, sink, options);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        db.Insert(now - 600_000);
        db.Insert(now - 300_000);
        db.Insert(now - 299_999);
        db.Insert(now);

        var first = await pipeline.RunIncrementalAsync();
        Assert.Equal(2, first.Run.RowsWritten);
        Assert.Equal($"int:{now - 300_000}", first.Plan.High);

        _time.Advance(TimeSpan.FromMinutes(5));
        var second = await pipeline.RunIncrementalAsync();
        Assert.Equal(2, second.Run.RowsWritten);
        Assert.Equal(db.AllIds, sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_NullCursorWithFailPolicy_FailsNamingTheColumn()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        db.Insert(1);
        db.Insert(null);

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => Build(db, sink).RunIncrementalAsync());

        var inner = Assert.IsType<DataFormatException>(e.InnerException);
        Assert.Equal("ts", inner.Column);
        Assert.Empty(sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_NullCursorExcluded_SkipsThoseRows()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var keep = db.Insert(1);
        db.Insert(null);

        await Build(db, sink, new IncrementalOptions { NullCursor = NullCursorPolicy.Exclude }).RunIncrementalAsync();

        Assert.Equal([keep], sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_NullCursorIncluded_DeliversThoseRowsOnce()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var pipeline = Build(db, sink, new IncrementalOptions { NullCursor = NullCursorPolicy.Include, PageSize = 2 });
        db.Insert(1);
        db.Insert(null);
        db.Insert(null);
        db.Insert(null);
        await pipeline.RunIncrementalAsync();
        db.Insert(null);
        await pipeline.RunIncrementalAsync();
        await pipeline.RunIncrementalAsync();

        Assert.Equal(db.AllIds, sink.Ids.Order());
    }

    [Fact]
    public async Task RunIncrementalAsync_AmbiguousCommit_IsRecognisedAndNothingIsDuplicated()
    {
        using var db = new OrdersDb();
        var crash = true;
        var sink = new LedgerSink { Crash = step => step == "commit-after" && crash };
        var pipeline = Build(db, sink);
        db.Insert(1);
        db.Insert(2);

        var first = await pipeline.RunIncrementalAsync();
        Assert.Equal(1, first.Run.RunNumber);
        Assert.Equal("int:2", first.EncodedWatermark);

        crash = false;
        db.Insert(3);
        var second = await pipeline.RunIncrementalAsync();
        Assert.Equal(2, second.Run.RunNumber);
        Assert.Equal(db.AllIds, sink.Ids);
    }

    [Theory]
    [InlineData("write:1")]
    [InlineData("write:2")]
    [InlineData("prepare")]
    [InlineData("commit-before")]
    public async Task RunIncrementalAsync_CrashBeforeTheCommit_CommitsNothingAndTheRerunLoadsEverythingOnce(string step)
    {
        using var db = new OrdersDb();
        var crash = true;
        var sink = new LedgerSink { Crash = s => s == step && crash };
        var pipeline = Build(db, sink);
        for (var i = 0; i < 7; i++)
        {
            db.Insert(i % 3);
        }

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunIncrementalAsync());
        Assert.IsType<InjectedCrashException>(e.InnerException);
        Assert.Empty(sink.Ids);

        crash = false;
        var rerun = await pipeline.RunIncrementalAsync();
        Assert.Equal(1, rerun.Run.RunNumber);
        Assert.Equal(db.AllIds.Order(), sink.Ids.Order());
    }

    [Fact]
    public async Task RunIncrementalAsync_ExternalStoreWriteLost_IsRepairedFromTheSinkBeforePlanning()
    {
        using var db = new OrdersDb();
        var sink = new LedgerSink();
        var inner = new InMemoryCheckpointStore(_time);
        var store = new FlakyStore(inner);
        var pipeline = Build(db, sink);
        db.Insert(1);

        store.FailWrites = true;
        await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });
        Assert.Null(await inner.ReadAsync("orders"));

        store.FailWrites = false;
        db.Insert(2);
        var second = await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });

        Assert.Equal(2, second.Run.RunNumber);
        Assert.Equal(1, second.Previous!.RunNumber);
        Assert.Equal(2, (await inner.ReadAsync("orders"))!.RunNumber);
        Assert.Equal(db.AllIds, sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_WithStoreOnly_KeepsStateInTheStore()
    {
        using var db = new OrdersDb();
        using var sink = new CollectingSink();
        var store = new InMemoryCheckpointStore(_time);
        var pipeline = Build(db, sink);
        db.Insert(1);
        db.Insert(2);
        await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });
        db.Insert(3);
        var second = await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });

        Assert.Equal(1, second.Run.RowsWritten);
        Assert.Equal("int:3", (await store.ReadAsync("orders"))!.Get(IncrementalCommitKeys.Watermark));
        Assert.Equal(3, sink.RowCount);
    }

    [Fact]
    public async Task RunIncrementalAsync_WithoutCheckpointingSinkOrStore_FailsClearly()
    {
        using var db = new OrdersDb();
        using var sink = new CollectingSink();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Build(db, sink).RunIncrementalAsync());
        Assert.Contains("CheckpointStore", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WithoutPlanning_FailsClearly()
    {
        using var db = new OrdersDb();
        var e = await Assert.ThrowsAsync<PipelineStageException>(() => Build(db, new LedgerSink()).RunAsync());
        Assert.Contains("RunIncrementalAsync", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunIncrementalAsync_SecondConcurrentRun_FailsWithPipelineLocked()
    {
        using var db = new OrdersDb();
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var sink = new LedgerSink
        {
            OnWrite = async () =>
            {
                entered.TrySetResult();
                await release.Task;
            },
        };
        var store = new InMemoryCheckpointStore(_time);
        var pipeline = Build(db, sink);
        db.Insert(1);

        var first = pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var second = await Assert.ThrowsAsync<PipelineLockedException>(() => pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store }));
        Assert.Equal("orders", second.PipelineName);

        release.SetResult();
        Assert.Equal(1, (await first).Run.RowsWritten);
        Assert.Equal(db.AllIds, sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_LeaseLostDuringTheRun_DoesNotCommit()
    {
        using var db = new OrdersDb();
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var sink = new LedgerSink
        {
            OnWrite = async () =>
            {
                entered.TrySetResult();
                await release.Task;
            },
        };
        var store = new InMemoryCheckpointStore(_time, TimeSpan.FromMinutes(2));
        var pipeline = Build(db, sink);
        db.Insert(1);

        var run = pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store, LeaseRenewalInterval = TimeSpan.FromHours(1) });
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromMinutes(3));
        await using (var thief = await store.AcquireLeaseAsync("orders"))
        {
            release.SetResult();
            var e = await Assert.ThrowsAsync<PipelineStageException>(() => run);
            Assert.IsType<PipelineLockedException>(e.InnerException);
        }

        Assert.Empty(sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_RunLongerThanTheLease_KeepsItByRenewing()
    {
        using var db = new OrdersDb();
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var sink = new LedgerSink
        {
            OnWrite = async () =>
            {
                entered.TrySetResult();
                await release.Task;
            },
        };
        var store = new InMemoryCheckpointStore(_time, TimeSpan.FromMinutes(2));
        var pipeline = Build(db, sink);
        db.Insert(1);

        var run = pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store, LeaseRenewalInterval = TimeSpan.FromSeconds(30) });
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            await Assert.ThrowsAsync<PipelineLockedException>(async () => await store.AcquireLeaseAsync("orders"));
        }

        release.SetResult();
        Assert.Equal(1, (await run).Run.RowsWritten);
        Assert.Equal(db.AllIds, sink.Ids);
    }

    [Theory]
    [InlineData("we\"ird'; DROP TABLE orders;--", "c'ur\"sor;--")]
    [InlineData("‘uni’ “code” ＂table＂", "ｃ‘ursor’")]
    public async Task RunIncrementalAsync_HostileIdentifiersAndCursorValues_InjectNothing(string table, string cursor)
    {
        using var db = new OrdersDb(table, "TEXT", cursor);
        db.Execute("CREATE TABLE orders (id INTEGER)");
        string[] values = ["a'; DROP TABLE orders;--", "b\"; DELETE FROM orders;--", "c‘’“”＇", "d' OR '1'='1", "e\\'--"];
        foreach (var value in values)
        {
            db.Insert(value, value);
        }

        var sink = new LedgerSink();
        var pipeline = Build(db, sink, new IncrementalOptions { PageSize = 2 }, cursor: cursor);
        var first = await pipeline.RunIncrementalAsync();
        db.Insert("f'); DROP TABLE orders;--");
        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal(5, first.Run.RowsWritten);
        Assert.Equal("str:e\\'--", first.EncodedWatermark);
        Assert.Equal(1, second.Run.RowsWritten);
        Assert.Equal("str:f'); DROP TABLE orders;--", second.EncodedWatermark);
        Assert.Equal(6, db.Count());
        db.Execute("SELECT COUNT(*) FROM orders");
        Assert.Equal(db.AllIds, sink.Ids);
    }

    [PostgresFact]
    public async Task RunIncrementalAsync_HostileIdentifiersAndCursorValuesOnPostgres_InjectNothing()
    {
        var table = "pg‘t’ \"x\"; DROP TABLE dataeng_checkpoints;--" + Guid.NewGuid().ToString("N")[..6];
        const string cursor = "c'ur\"sor;--";
        var quotedTable = OrdersDb.Quote(table);
        string[] values = ["a'; DROP TABLE dataeng_leases;--", "b\"; DELETE FROM x;--", "c‘’“”＇", "d' OR '1'='1", "e\\'--", "f$$ $x$"];
        await using var admin = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
        await admin.OpenAsync();
        async Task Exec(string sql, params object[] args)
        {
            await using var command = admin.CreateCommand();
            command.CommandText = sql;
            foreach (var arg in args)
            {
                command.Parameters.AddWithValue(arg);
            }

            await command.ExecuteNonQueryAsync();
        }

        await Exec($"CREATE TABLE {quotedTable} (id BIGINT PRIMARY KEY, {OrdersDb.Quote(cursor)} TEXT COLLATE \"C\", note TEXT)");
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                await Exec($"INSERT INTO {quotedTable} VALUES ($1, $2, $2)", (long)i + 1, values[i]);
            }

            var sink = new LedgerSink();
            var pipeline = Pipeline.Create("pg-injection")
                .Extract(DataEng.Core.Sql.Incremental(() => new NpgsqlConnection(PostgresFactAttribute.ConnectionString), table, new IncrementalOptions { CursorColumn = cursor, KeyColumns = ["id"], PageSize = 2 }))
                .Load(sink)
                .Build();
            var first = await pipeline.RunIncrementalAsync();
            await Exec($"INSERT INTO {quotedTable} VALUES (99, 'g''); DROP TABLE x;--', 'late')");
            var second = await pipeline.RunIncrementalAsync();

            Assert.Equal(values.Length, first.Run.RowsWritten);
            Assert.Equal("str:" + values[^1], first.EncodedWatermark);
            Assert.Equal(1, second.Run.RowsWritten);
            Assert.Equal([1L, 2, 3, 4, 5, 6, 99], sink.Ids);
        }
        finally
        {
            await Exec($"DROP TABLE {quotedTable}");
        }
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.10)]
    [InlineData(0.50)]
    public async Task RunIncrementalAsync_TransientFaultStorm_LosesAndDuplicatesNothing(double pageFailureRate)
    {
        using var db = new OrdersDb();
        var random = new Random(42);
        const int pageSize = 20;

        // A per-row failure probability that fails about pageFailureRate of the page reads, part-way through the page.
        var rowFailure = 1 - Math.Pow(1 - pageFailureRate, 1.0 / pageSize);
        var failures = 0;
        Microsoft.Data.Sqlite.SqliteConnection Open()
        {
            var connection = db.Open();
            connection.Open();
            connection.CreateFunction("maybe_fail", (long id) =>
            {
                // Evaluated as each row of a page is stepped (a virtual generated column): a failure cuts the page.
                if (random.NextDouble() < rowFailure)
                {
                    failures++;
                    throw new TransientDataEngException("injected transient fault");
                }

                return id;
            }, isDeterministic: true);
            return connection;
        }

        db.Register("maybe_fail", static (long id) => id);
        db.Execute("ALTER TABLE orders ADD COLUMN probe INTEGER GENERATED ALWAYS AS (maybe_fail(id)) VIRTUAL");

        var retry = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 1000,
                Delay = TimeSpan.Zero,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception?.Message.Contains("injected transient fault", StringComparison.Ordinal) == true),
            })
            .Build();
        var sink = new LedgerSink();
        var source = DataEng.Core.Sql.Incremental(Open, "orders", new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"], PageSize = pageSize, Resilience = retry });
        var pipeline = Pipeline.Create("storm").Extract(source).Load(sink).Configure(o => o.TimeProvider = _time).Build();
        for (var run = 0; run < 5; run++)
        {
            for (var i = 0; i < 100; i++)
            {
                db.Insert((run * 40) + random.Next(40)); // never below the last watermark (no lookback here)
            }

            await pipeline.RunIncrementalAsync();
        }

        Assert.True(failures > 0);
        Assert.Equal(db.AllIds.Order(), sink.Ids.Order());
        Assert.Equal(sink.Ids.Count, sink.Ids.Distinct().Count());
    }

    private sealed class FlakyStore(ICheckpointStore inner) : ICheckpointStore
    {
        public bool FailWrites { get; set; }

        public string Name => inner.Name;

        public ValueTask<CheckpointLease> AcquireLeaseAsync(string pipelineName, CancellationToken cancellationToken = default) => inner.AcquireLeaseAsync(pipelineName, cancellationToken);

        public ValueTask<CommittedRun?> ReadAsync(string pipelineName, CancellationToken cancellationToken = default) => inner.ReadAsync(pipelineName, cancellationToken);

        public ValueTask WriteAsync(CheckpointLease lease, CommittedRun run, CancellationToken cancellationToken = default)
            => FailWrites ? throw new IOException("store unreachable") : inner.WriteAsync(lease, run, cancellationToken);
    }
}
