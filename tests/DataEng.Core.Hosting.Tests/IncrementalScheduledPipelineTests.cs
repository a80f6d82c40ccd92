using System.Threading.Channels;
using DataEng.Core.Tests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Hosting.Tests;

/// <summary>Pipelines registered with <c>AddDataEngIncrementalPipeline</c>: exactly once across scheduled runs, health
/// from the last commit, and shutdown that leaves the checkpoint consistent.</summary>
public class IncrementalScheduledPipelineTests
{
    private static readonly DateTimeOffset Start = HostFixture.Start;

    [Fact]
    public async Task ScheduledIncrementalRuns_LoadEachRowExactlyOnce_AcrossTicks()
    {
        var table = new LiveTable();
        var sink = new MemoryTableSink();
        table.Add(1, 3);
        await using var host = new IncrementalHost(table, sink, ("Interval", "00:05:00"));
        await host.StartAsync();

        var first = await host.TickAsync(Start.AddMinutes(5));
        Assert.True(first.Exception is null, first.Exception?.ToString());
        table.Add(4, 3);
        var second = await host.TickAsync(Start.AddMinutes(10));
        var third = await host.TickAsync(Start.AddMinutes(15));
        table.Add(7, 2);
        var fourth = await host.TickAsync(Start.AddMinutes(20));

        Assert.Equal(new long[] { 3, 3, 0, 2 }, new[] { first, second, third, fourth }.Select(r => r.Result!.RowsWritten));
        Assert.Equal(new long[] { 1, 2, 3, 4 }, new[] { first, second, third, fourth }.Select(r => r.IncrementalResult!.Run.RunNumber));
        Assert.True(third.IncrementalResult!.Plan.IsEmpty || third.Result!.RowsWritten == 0);
        Assert.Equal("6", third.IncrementalResult.Watermark);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), sink.Ids);
        Assert.Equal("8", host.Status.LastWatermark);
        Assert.Equal(4, host.Status.LastResult!.RunNumber);
        Assert.True(host.Status.IsIncremental);
    }

    [Fact]
    public async Task ScheduledIncrementalRun_OverASnapshot_LogsItsRangeAsUnbounded()
    {
        var table = new LiveTable();
        var sink = new MemoryTableSink();
        var logs = new CapturingLoggerProvider();
        table.Add(1, 3);
        await using var host = new IncrementalHost(table, sink, [("Interval", "00:05:00")], logs: logs);
        await host.StartAsync();

        var first = await host.TickAsync(Start.AddMinutes(5));
        table.Add(4, 1);
        var second = await host.TickAsync(Start.AddMinutes(10));

        Assert.True(second.IncrementalResult!.Plan.IsHighUnbounded);
        var committed = logs.Lines.Where(l => l.StartsWith("Information 710 ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, committed.Count);
        Assert.Contains("committed 3 rows (range unbounded to unbounded); watermark 3", committed[0]);
        Assert.Contains($"committed 1 rows (range {second.IncrementalResult.Plan.DisplayLow} to unbounded); watermark 4", committed[1]);
        Assert.Contains(logs.Lines, l => l.StartsWith("Information 600 ", StringComparison.Ordinal) && l.Contains(", unbounded]", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Null(first.Exception);
    }

    [Fact]
    public async Task Health_ReportsTheLastCommit_AndFreshnessIsTheTimeSinceIt()
    {
        var table = new LiveTable();
        var sink = new MemoryTableSink();
        table.Add(1, 2);
        await using var host = new IncrementalHost(table, sink, ("Interval", "00:10:00"), ("FreshnessSla", "00:15:00"));
        await host.StartAsync();

        await host.TickAsync(Start.AddMinutes(10));
        var fresh = await host.HealthAsync();
        table.FailWith = new InvalidOperationException("source is down");
        var failed = await host.TickAsync(Start.AddMinutes(20));
        var degraded = await host.HealthAsync();
        host.Clock.Advance(TimeSpan.FromMinutes(6));
        var stale = await host.HealthAsync();

        Assert.Equal(HealthStatus.Healthy, fresh.Status);
        Assert.Equal("2", fresh.Data["watermark"]);
        Assert.Equal(1L, fresh.Data["lastRunNumber"]);
        Assert.Contains("run 1, watermark 2", fresh.Description);
        Assert.Null(failed.Result);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(600d, degraded.Data["secondsSinceLastSuccess"]);
        Assert.Equal(HealthStatus.Unhealthy, stale.Status);
        Assert.Contains("last successful commit 960 s ago (run 1, watermark 2)", stale.Description);
        Assert.Single(sink.Commits);
    }

    [Fact]
    public async Task StopMidRun_LeavesTheCheckpointUnchanged_AndTheNextHostPicksUp()
    {
        var table = new LiveTable();
        var sink = new MemoryTableSink();
        var store = new InMemoryCheckpointStore();
        table.Add(1, 3);
        await using (var host = new IncrementalHost(table, sink, [("Interval", "00:05:00")], store))
        {
            await host.StartAsync();
            await host.TickAsync(Start.AddMinutes(5));
            table.Add(4, 3);
            table.Gate = new SemaphoreSlim(0);
            table.ReadStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await host.SchedulerWaitingForAsync(Start.AddMinutes(10));
            host.Clock.Advance(TimeSpan.FromMinutes(5));
            await HostFixture.Within(table.ReadStarted.Task);

            await HostFixture.Within(host.Host.StopAsync());
            var cancelled = await host.NextRunAsync();

            Assert.IsAssignableFrom<OperationCanceledException>(cancelled.Exception);
            Assert.True(table.SawCancellation);
            Assert.Equal(1, host.Status.CancelledRuns);
            Assert.Equal("3", host.Status.LastWatermark);
        }

        Assert.Equal(1, (await sink.GetLastCommitAsync("orders"))!.RunNumber);
        Assert.Equal(1, (await store.ReadAsync("orders"))!.RunNumber);
        Assert.Equal(new long[] { 1, 2, 3 }, sink.Ids);
        Assert.Equal(1, sink.Aborts);

        table.Gate = null;
        await using (var restarted = new IncrementalHost(table, sink, [("Interval", "00:05:00"), ("RunOnStart", "true")], store))
        {
            await restarted.StartAsync();
            var resumed = await restarted.NextRunAsync();

            Assert.Equal(2, resumed.Result!.RunNumber);
            Assert.Equal(3, resumed.Result.RowsWritten);
            Assert.Equal("6", resumed.IncrementalResult!.Watermark);
        }

        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), sink.Ids);
        Assert.Equal(2, (await store.ReadAsync("orders"))!.RunNumber);
    }

    [Fact]
    public async Task StopDuringCommit_FinishesTheCommit_WithItsWatermark()
    {
        var table = new LiveTable();
        var sink = new MemoryTableSink { CommitGate = new SemaphoreSlim(0) };
        table.Add(1, 4);
        await using var host = new IncrementalHost(table, sink, ("Interval", "00:01:00"));
        await host.StartAsync();
        await host.SchedulerWaitingForAsync(Start.AddMinutes(1));
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await HostFixture.Within(sink.CommitStarted.Task);

        var stopping = host.Host.StopAsync();
        Assert.False(stopping.IsCompleted);
        sink.CommitGate.Release();
        await HostFixture.Within(stopping);
        var run = await host.NextRunAsync();

        Assert.Null(run.Exception);
        Assert.Equal("4", run.IncrementalResult!.Watermark);
        Assert.Equal("int:4", (await sink.GetLastCommitAsync("orders"))!.Get(IncrementalCommitKeys.Watermark));
        Assert.Equal(0, sink.Aborts);
    }

    [Fact]
    public async Task WithoutACheckpointingSink_TheStateIsKeptInTheCheckpointStoreRegisteredInTheServices()
    {
        var table = new LiveTable();
        using var sink = new CollectingSink();
        var store = new InMemoryCheckpointStore();
        table.Add(1, 2);
        await using var host = new IncrementalHost(table, sink, [("Interval", "00:05:00")], store);
        await host.StartAsync();

        await host.TickAsync(Start.AddMinutes(5));
        table.Add(3, 1);
        var second = await host.TickAsync(Start.AddMinutes(10));

        Assert.Equal(1, second.Result!.RowsWritten);
        Assert.Equal(3, sink.RowCount);
        Assert.Equal("int:3", (await store.ReadAsync("orders"))!.Get(IncrementalCommitKeys.Watermark));
    }

    [Fact]
    public async Task Start_IncrementalRegistrationWithoutAStateHome_Fails()
    {
        using var sink = new CollectingSink();
        await using var host = new IncrementalHost(new LiveTable(), sink, ("Interval", "00:05:00"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains("has nowhere to keep its state", error.Message);
        Assert.Contains(nameof(ICheckpointStore), error.Message);
    }

    [Fact]
    public async Task Start_IncrementalRegistrationOfAPlainSource_Fails()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["DataEng:Pipelines:orders:Interval"] = "00:05:00" });
        builder.Services.AddDataEngIncrementalPipeline("orders", _ => Pipeline.Create("orders").Extract(new LiveTable()).Load(new MemoryTableSink()).Build());
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("source 'live-table' is not an IIncrementalSource", error.Message);
    }

    [Fact]
    public async Task RunOptions_GivenInCode_AreUsed()
    {
        var table = new LiveTable();
        using var sink = new CollectingSink();
        var store = new InMemoryCheckpointStore();
        table.Add(1, 2);
        await using var host = new IncrementalHost(table, sink, [("Interval", "00:05:00"), ("RunOnStart", "true")], runOptions: _ => new IncrementalRunOptions { CheckpointStore = store });
        await host.StartAsync();

        var run = await host.NextRunAsync();

        Assert.Equal(2, run.Result!.RowsWritten);
        Assert.Equal(1, (await store.ReadAsync("orders"))!.RunNumber);
    }

    /// <summary>A generic host on a fake clock with one incremental pipeline "orders": <see cref="LiveTable"/> through
    /// <see cref="Incremental.Over"/> into a sink.</summary>
    private sealed class IncrementalHost : IAsyncDisposable
    {
        private readonly LiveTable _table;

        public IncrementalHost(LiveTable table, ISink sink, params (string Key, string Value)[] configuration)
            : this(table, sink, configuration, store: null)
        {
        }

        public IncrementalHost(LiveTable table, ISink sink, (string Key, string Value)[] configuration, ICheckpointStore? store = null, Func<IServiceProvider, IncrementalRunOptions>? runOptions = null, CapturingLoggerProvider? logs = null)
        {
            _table = table;
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }

            builder.Configuration.AddInMemoryCollection(configuration.ToDictionary(c => "DataEng:Pipelines:orders:" + c.Key, c => (string?)c.Value));
            builder.Services.AddSingleton<TimeProvider>(Clock);
            if (store is not null)
            {
                builder.Services.AddSingleton(store);
            }

            builder.Services.AddDataEngIncrementalPipeline(
                "orders",
                sp => Pipeline.Create("orders")
                    .Configure(o =>
                    {
                        o.TimeProvider = sp.GetRequiredService<TimeProvider>();
                        o.LoggerFactory = sp.GetRequiredService<ILoggerFactory>();
                    })
                    .Extract(Incremental.Over(table, new IncrementalOptions { CursorColumn = "id", KeyColumns = ["id"] }))
                    .Load(sink)
                    .Build(),
                o => o.OnRunCompleted = a => Completed.Writer.WriteAsync(a),
                runOptions);
            builder.Services.AddHealthChecks().AddDataEngHealthChecks();
            Host = builder.Build();
        }

        public FakeTimeProvider Clock { get; } = new(Start);

        public IHost Host { get; }

        public Channel<PipelineRunCompletedArguments> Completed { get; } = Channel.CreateUnbounded<PipelineRunCompletedArguments>();

        public PipelineStatus Status => Host.Services.GetRequiredService<PipelineMonitor>().GetStatus("orders");

        private Channel<DateTimeOffset> Waiting { get; } = Channel.CreateUnbounded<DateTimeOffset>();

        public async Task StartAsync()
        {
            Host.Services.GetRequiredService<PipelineMonitor>().Waiting += (_, due) => Waiting.Writer.TryWrite(due);
            await Host.StartAsync();
        }

        public async Task SchedulerWaitingForAsync(DateTimeOffset due)
        {
            while (await Waiting.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)) != due)
            {
            }
        }

        /// <summary>Moves the clock to the run due at <paramref name="due"/> once its timer is armed, and waits for the run.</summary>
        public async Task<PipelineRunCompletedArguments> TickAsync(DateTimeOffset due)
        {
            await SchedulerWaitingForAsync(due);
            Clock.Advance(due - Clock.GetUtcNow());
            return await NextRunAsync();
        }

        public async Task<PipelineRunCompletedArguments> NextRunAsync() => await Completed.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        public async Task<HealthReportEntry> HealthAsync()
        {
            var report = await Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            return report.Entries["dataeng:orders"];
        }

        public async ValueTask DisposeAsync()
        {
            _table.Gate?.Release(100);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await Host.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
            }

            Host.Dispose();
        }
    }
}
