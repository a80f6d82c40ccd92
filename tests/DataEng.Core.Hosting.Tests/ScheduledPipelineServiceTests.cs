using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace DataEng.Core.Hosting.Tests;

public class ScheduledPipelineServiceTests
{
    private static Dictionary<string, string?> Config(params (string Key, string Value)[] values)
        => values.ToDictionary(v => "DataEng:Pipelines:orders:" + v.Key, v => (string?)v.Value);

    [Fact]
    public async Task Interval_RunsOncePerInterval_FromConfiguration()
    {
        await using var host = new HostFixture(Config(("Interval", "00:05:00")));
        await host.StartAsync();

        await host.SchedulerWaitingForAsync(HostFixture.Start.AddMinutes(5));
        Assert.Equal(HostFixture.Start.AddMinutes(5), host.Status.NextRunAt);
        host.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, host.Status.SuccessfulRuns + host.Status.FailedRuns);

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        var first = await host.NextRunAsync();
        await host.SchedulerWaitingForAsync(HostFixture.Start.AddMinutes(10));
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await host.NextRunAsync();

        Assert.Equal(1, first.Result!.RunNumber);
        Assert.Equal(2, second.Result!.RunNumber);
        Assert.Equal(2, host.Sink.Commits);
        Assert.Equal(HostFixture.Start.AddMinutes(10), host.Status.LastSuccessAt);
    }

    [Fact]
    public async Task Cron_RunsAtMatchingMinutes()
    {
        await using var host = new HostFixture(Config(("Cron", "*/15 * * * *")));
        await host.StartAsync();

        await host.SchedulerWaitingForAsync(new DateTimeOffset(2024, 5, 1, 10, 15, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 15, 0, TimeSpan.Zero), host.Status.NextRunAt);
        host.Clock.Advance(TimeSpan.FromMinutes(8));
        await host.NextRunAsync();

        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 15, 0, TimeSpan.Zero), host.Status.LastRunStartedAt);
        await host.SchedulerWaitingForAsync(new DateTimeOffset(2024, 5, 1, 10, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 30, 0, TimeSpan.Zero), host.Status.NextRunAt);
    }

    [Fact]
    public async Task CodeDefaults_AreOverriddenByConfiguration()
    {
        await using var host = new HostFixture(Config(("Interval", "00:00:30")), o => o.Interval = TimeSpan.FromHours(1));
        await host.StartAsync();

        await host.SchedulerWaitingForAsync(HostFixture.Start.AddSeconds(30));
        Assert.Equal(HostFixture.Start.AddSeconds(30), host.Status.NextRunAt);
        Assert.Equal(TimeSpan.FromMinutes(1), host.Status.FreshnessSla);
    }

    [Fact]
    public async Task CronInConfiguration_ReplacesAnIntervalSetInCode()
    {
        await using var host = new HostFixture(Config(("Cron", "0 * * * *")), o => o.Interval = TimeSpan.FromMinutes(1));
        await host.StartAsync();

        await host.SchedulerWaitingForAsync(new DateTimeOffset(2024, 5, 1, 11, 0, 0, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromHours(2), host.Status.FreshnessSla);
    }

    [Fact]
    public async Task RunOnStart_RunsImmediately()
    {
        await using var host = new HostFixture(Config(("Interval", "01:00:00"), ("RunOnStart", "true")));
        await host.StartAsync();

        var run = await host.NextRunAsync();

        Assert.NotNull(run.Result);
        Assert.Equal(HostFixture.Start, host.Status.LastSuccessAt);
    }

    [Fact]
    public async Task Runs_NeverOverlap_AndMissedOccurrencesAreSkipped()
    {
        await using var host = new HostFixture(Config(("Interval", "00:01:00")));
        host.Source.Gate = new SemaphoreSlim(0);
        await host.StartAsync();

        await host.SchedulerWaitingForAsync(HostFixture.Start.AddMinutes(1));
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await HostFixture.Within(host.Source.ReadStarted.Task);
        host.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.True(host.Status.IsRunning);
        Assert.Equal(1, host.Source.MaxConcurrentReads);

        host.Source.ReadStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Source.Gate.Release();
        await host.NextRunAsync();
        await host.SchedulerWaitingForAsync(HostFixture.Start.AddMinutes(5));
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await HostFixture.Within(host.Source.ReadStarted.Task);
        host.Source.Gate.Release();
        await host.NextRunAsync();

        Assert.Equal(1, host.Source.MaxConcurrentReads);
        Assert.Equal(2, host.Status.SuccessfulRuns);
    }

    [Fact]
    public async Task Health_FreshThenFailedThenStaleThenRecovered()
    {
        await using var host = new HostFixture(Config(("Interval", "00:10:00"), ("FreshnessSla", "00:15:00")));
        var beforeStart = await host.HealthAsync();
        await host.StartAsync();

        var waiting = await host.HealthAsync();
        await host.SchedulerWaitingForAsync(HostFixture.Start.AddMinutes(10));
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        await host.NextRunAsync();
        var fresh = await host.HealthAsync();

        host.Source.FailWith = new TransientDataEngException("database unreachable");
        await host.SchedulerWaitingForAsync(HostFixture.Start.AddMinutes(20));
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        var failed = await host.NextRunAsync();
        var degraded = await host.HealthAsync();

        await host.SchedulerWaitingForAsync(HostFixture.Start.AddMinutes(30));
        host.Clock.Advance(TimeSpan.FromMinutes(6));
        var stale = await host.HealthAsync();

        host.Source.FailWith = null;
        host.Clock.Advance(TimeSpan.FromMinutes(4));
        await host.NextRunAsync();
        var recovered = await host.HealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, beforeStart.Status);
        Assert.Equal(HealthStatus.Healthy, waiting.Status);
        Assert.Equal(HealthStatus.Healthy, fresh.Status);
        Assert.Equal(0.0, fresh.Data["secondsSinceLastSuccess"]);
        Assert.IsType<PipelineStageException>(failed.Exception);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("database unreachable", (string)degraded.Data["lastFailure"]);
        Assert.Contains("last run failed", degraded.Description);
        Assert.Equal(HealthStatus.Unhealthy, stale.Status);
        Assert.Contains("stale", stale.Description);
        Assert.Contains("database unreachable", stale.Description);
        Assert.Equal(960.0, stale.Data["secondsSinceLastSuccess"]);
        Assert.Equal(HealthStatus.Healthy, recovered.Status);
    }

    [Fact]
    public async Task Health_NoCommitWithinTheSlaSinceStart_IsUnhealthy()
    {
        await using var host = new HostFixture(Config(("Cron", "0 0 1 1 *"), ("FreshnessSla", "01:00:00")));
        await host.StartAsync();

        host.Clock.Advance(TimeSpan.FromMinutes(61));
        var health = await host.HealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("no successful commit since the start", health.Description);
    }

    [Fact]
    public async Task Disabled_DoesNotRun_AndIsHealthy()
    {
        await using var host = new HostFixture(Config(("Enabled", "false")));
        await host.StartAsync();

        host.Clock.Advance(TimeSpan.FromDays(1));
        var health = await host.HealthAsync();

        Assert.False(host.Status.Enabled);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Empty(host.Sink.Calls);
    }

    [Fact]
    public async Task Start_InvalidOptions_FailsListingEveryProblem()
    {
        await using var host = new HostFixture(Config(("Interval", "-00:01:00"), ("Cron", "61 * * *"), ("TimeZone", "Mars/Olympus"), ("FreshnessSla", "00:00:00")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains(error.Failures, f => f.Contains("Interval or Cron, not both"));
        Assert.Contains(error.Failures, f => f.Contains("Interval must be positive"));
        Assert.Contains(error.Failures, f => f.Contains("has 4 fields"));
        Assert.Contains(error.Failures, f => f.Contains("Mars/Olympus"));
        Assert.Contains(error.Failures, f => f.Contains("FreshnessSla must be positive"));
        Assert.All(error.Failures, f => Assert.StartsWith("DataEng:Pipelines:orders", f));
    }

    [Fact]
    public async Task Start_NoSchedule_Fails()
    {
        await using var host = new HostFixture([]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains("needs a schedule", error.Message);
    }

    [Fact]
    public async Task Start_PipelineNamedDifferently_Fails()
    {
        await using var host = new HostFixture(Config(("Interval", "00:01:00")), pipelineName: "other");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains("registered as 'orders' is named 'other'", error.Message);
    }

    [Fact]
    public async Task Stop_DuringCommit_LetsTheCommitFinish()
    {
        await using var host = new HostFixture(Config(("Interval", "00:01:00")));
        host.Sink.CommitGate = new SemaphoreSlim(0);
        await host.StartAsync();
        await host.SchedulerWaitingForAsync(HostFixture.Start.AddMinutes(1));
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await HostFixture.Within(host.Sink.CommitStarted.Task);

        var stopping = host.Host.StopAsync();
        await WaitUntil(() => host.Host.Services.GetService(typeof(Microsoft.Extensions.Hosting.IHostApplicationLifetime)) is Microsoft.Extensions.Hosting.IHostApplicationLifetime l && l.ApplicationStopping.IsCancellationRequested);
        Assert.False(stopping.IsCompleted);
        host.Sink.CommitGate.Release();
        await HostFixture.Within(stopping);

        Assert.Equal(1, host.Sink.Commits);
        Assert.DoesNotContain("abort", host.Sink.Calls);
    }

    [Fact]
    public async Task Stop_BeforeCommit_CancelsTheRun_WhichAborts()
    {
        await using var host = new HostFixture(Config(("Interval", "00:01:00")));
        host.Source.Gate = new SemaphoreSlim(0);
        await host.StartAsync();
        await host.SchedulerWaitingForAsync(HostFixture.Start.AddMinutes(1));
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await HostFixture.Within(host.Source.ReadStarted.Task);

        await HostFixture.Within(host.Host.StopAsync());
        var run = await host.NextRunAsync();

        Assert.True(host.Source.SawCancellation);
        Assert.IsAssignableFrom<OperationCanceledException>(run.Exception);
        Assert.Contains("abort", host.Sink.Calls);
        Assert.DoesNotContain("commit", host.Sink.Calls);
        Assert.Equal(1, host.Status.CancelledRuns);
        Assert.Equal(0, host.Status.FailedRuns);
    }

    [Fact]
    public async Task Stop_CommitOutlastingTheShutdownTimeout_StopReturnsWhenTheHostGivesUp()
    {
        await using var host = new HostFixture(Config(("Interval", "00:01:00")));
        host.Sink.CommitGate = new SemaphoreSlim(0);
        await host.StartAsync();
        await host.SchedulerWaitingForAsync(HostFixture.Start.AddMinutes(1));
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await HostFixture.Within(host.Sink.CommitStarted.Task);

        using var shutdownTimeout = new CancellationTokenSource();
        var stopping = host.Host.StopAsync(shutdownTimeout.Token);
        Assert.False(stopping.IsCompleted);
        shutdownTimeout.Cancel();
        await HostFixture.Within(stopping.ContinueWith(_ => { }, TaskScheduler.Default));

        Assert.Equal(0, host.Sink.Commits);
        host.Sink.CommitGate.Release();
        await HostFixture.Within(WaitUntil(() => host.Sink.Commits == 1));
    }

    [Fact]
    public void AddDataEngPipeline_SameNameTwice_Throws()
    {
        var services = new ServiceCollection();
        services.AddDataEngPipeline("a", _ => throw new InvalidOperationException());

        Assert.Throws<ArgumentException>(() => services.AddDataEngPipeline("a", _ => throw new InvalidOperationException()));
    }

    /// <summary>Waits for a condition that another task makes true shortly (polls with yields; no fixed sleeps).</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "condition not met within 30 s");
            await Task.Yield();
            await Task.Delay(1);
        }
    }
}
