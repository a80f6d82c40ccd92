using System.Diagnostics;
using DataEng.Core.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Hosting.Tests;

// Code shown in docs/hosting.md (checked by DocSnippetsTests): testing a hosted pipeline with public API only.
public class HostingGuideExamples
{
    [Fact]
    public async Task AHostedPipeline_CanBeTestedOnAFakeClock()
    {
        using var data = TestBatch.Parse("id\n1\n2");
        var source = new InMemorySource(data.Schema, [data]);

        // <snippet:host-test>
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["DataEng:Pipelines:orders:Interval"] = "00:05:00" });
        builder.Services.AddSingleton<TimeProvider>(clock);
        using var sink = new CollectingSink();
        builder.Services.AddDataEngPipeline("orders", _ => Pipeline.Create("orders").Extract(source).Load(sink).Build());
        using var host = builder.Build();
        await host.StartAsync();

        var monitor = host.Services.GetRequiredService<PipelineMonitor>();
        var due = clock.GetUtcNow().AddMinutes(5);
        await Until(() => monitor.GetStatus("orders").NextRunAt == due);   // the scheduler's timer is armed
        clock.Advance(TimeSpan.FromMinutes(5));
        await Until(() => monitor.GetStatus("orders").SuccessfulRuns == 1);
        Assert.Equal(2, sink.RowCount);
        await host.StopAsync();
        // </snippet:host-test>
    }

    // <snippet:until>
    /// <summary>Waits for a condition that the scheduler makes true on another thread (no fixed sleeps).</summary>
    private static async Task Until(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "timed out");
            await Task.Delay(1);
        }
    }
    // </snippet:until>
}
