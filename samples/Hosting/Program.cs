using System.Globalization;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

// A worker service that runs a small pipeline every second (see appsettings.json) and prints its health after each
// run. `--runs N` stops it after N runs; any DataEng:Pipelines:readings:* key can be overridden on the command line,
// for example `--DataEng:Pipelines:readings:Cron "*/5 * * * *"`.
// <snippet:register>
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var stopAfter = builder.Configuration.GetValue<int?>("runs");
var sink = new CollectingSink("memory");

builder.Services.AddDataEngPipeline(
    "readings",
    _ => Pipeline.Create("readings").Extract(new SensorSource()).Load(sink).Build(),
    options => options.OnRunCompleted = async run =>
    {
        var health = await run.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(run.CancellationToken);
        var entry = health.Entries["dataeng:readings"];
        var outcome = run.Result is { } result ? $"committed {result.RowsWritten} rows" : $"failed: {run.Exception?.Message}";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run.Status.SuccessfulRuns + run.Status.FailedRuns} of '{run.PipelineName}': {outcome}; {sink.RowCount} rows kept; health: {entry.Status} ({entry.Description})"));
        if (stopAfter is { } n && run.Status.SuccessfulRuns >= n)
        {
            Console.WriteLine($"completed {run.Status.SuccessfulRuns} runs; overall health: {health.Status}");
            run.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        }
    });
builder.Services.AddHealthChecks().AddDataEngHealthChecks();

using var host = builder.Build();
await host.RunAsync();
// </snippet:register>
sink.Dispose();
return 0;

/// <summary>Pretends to read three sensors: one batch per run, stamped with the run's clock.</summary>
internal sealed class SensorSource : ISource
{
    private static readonly Schema ReadingSchema = new Schema.Builder()
        .Field(f => f.Name("sensor").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("read_at").DataType(new TimestampType(TimeUnit.Millisecond, "UTC")).Nullable(false))
        .Field(f => f.Name("celsius").DataType(DoubleType.Default))
        .Build();

    public string Name => "sensors";

    public Schema Schema => ReadingSchema;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var now = context.TimeProvider.GetUtcNow();
        var sensors = new StringArray.Builder();
        var times = new TimestampArray.Builder(new TimestampType(TimeUnit.Millisecond, "UTC"));
        var values = new DoubleArray.Builder();
        foreach (var (sensor, i) in new[] { "north", "south", "east" }.Select((s, i) => (s, i)))
        {
            sensors.Append(sensor);
            times.Append(now);
            values.Append(20 + i + (context.RunNumber % 5 / 10.0));
        }

        yield return new RecordBatch(ReadingSchema, [sensors.Build(context.Allocator), times.Build(context.Allocator), values.Build(context.Allocator)], 3);
    }
}
