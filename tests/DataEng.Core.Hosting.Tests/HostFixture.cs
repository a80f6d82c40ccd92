using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Hosting.Tests;

/// <summary>A real generic host on a fake clock, with one pipeline "orders" (controlled source → controlled sink).</summary>
internal sealed class HostFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2024, 5, 1, 10, 7, 0, TimeSpan.Zero);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public HostFixture(Dictionary<string, string?> configuration, Action<ScheduledPipelineOptions>? configure = null, string pipelineName = "orders")
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Services.AddDataEngPipeline("orders", _ => Pipeline.Create(pipelineName).Extract(Source).Load(Sink).Build(), o =>
        {
            configure?.Invoke(o);
            o.OnRunCompleted = a => Completed.Writer.WriteAsync(a);
        });
        builder.Services.AddHealthChecks().AddDataEngHealthChecks();
        Host = builder.Build();
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    public ControlledSource Source { get; } = new();

    public ControlledSink Sink { get; } = new();

    public Channel<PipelineRunCompletedArguments> Completed { get; } = Channel.CreateUnbounded<PipelineRunCompletedArguments>();

    public IHost Host { get; }

    public PipelineStatus Status => Monitor.GetStatus("orders");

    public PipelineMonitor Monitor => Host.Services.GetRequiredService<PipelineMonitor>();

    public Channel<DateTimeOffset> Waiting { get; } = Channel.CreateUnbounded<DateTimeOffset>();

    public async Task StartAsync()
    {
        Monitor.Waiting += (_, due) => Waiting.Writer.TryWrite(due);
        await Host.StartAsync();
    }

    /// <summary>Waits until the scheduler's timer for <paramref name="due"/> is registered with the clock, so the test
    /// can move the clock without racing the registration.</summary>
    public async Task SchedulerWaitingForAsync(DateTimeOffset due)
    {
        while (await Waiting.Reader.ReadAsync().AsTask().WaitAsync(Patience) != due)
        {
        }
    }

    public async Task<PipelineRunCompletedArguments> NextRunAsync() => await Completed.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    public async Task<HealthReportEntry> HealthAsync()
    {
        var report = await Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["dataeng:orders"];
    }

    public static Task Within(Task task) => task.WaitAsync(Patience);

    public async ValueTask DisposeAsync()
    {
        Source.Gate?.Release(100);
        Sink.CommitGate?.Release(100);
        using var cts = new CancellationTokenSource(Patience);
        await Host.StopAsync(cts.Token);
        Host.Dispose();
    }
}
