using System.Globalization;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core;
using DataEng.Core.Checkpoints;
using DataEng.Core.Stages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

// A worker service that loads new sensor readings every second, incrementally (see appsettings.json), and prints the
// committed run and its health after each run. `--runs N` stops it after N runs; any DataEng:Pipelines:readings:* key
// can be overridden on the command line, for example `--DataEng:Pipelines:readings:Cron "*/5 * * * *"`.
// <snippet:register>
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var stopAfter = builder.Configuration.GetValue<int?>("runs");
var sink = new CollectingSink("memory");

builder.Services.AddSingleton<ICheckpointStore>(new InMemoryCheckpointStore());   // keeps the watermark (use a
                                                                                 // FileCheckpointStore or the lake)
builder.Services.AddDataEngIncrementalPipeline(
    "readings",
    _ => Pipeline.Create("readings")
        .Extract(Incremental.Over(new SensorLog(), new IncrementalOptions { CursorColumn = "read_at", KeyColumns = ["sensor", "read_at"] }))
        .Load(sink)
        .Build(),
    options => options.OnRunCompleted = async run =>
    {
        var health = await run.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(run.CancellationToken);
        var entry = health.Entries["dataeng:readings"];
        var outcome = run.IncrementalResult is { } committed
            ? $"run {committed.Run.RunNumber} committed {committed.Run.RowsWritten} new rows up to {committed.Watermark}"
            : $"failed: {run.Exception?.Message}";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"'{run.PipelineName}': {outcome}; {sink.RowCount} rows kept; health: {entry.Status} ({entry.Description})"));
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

/// <summary>Pretends to be a device that keeps the last minute of readings of three sensors, one a second: every read
/// returns that whole window, and <see cref="Incremental.Over"/> keeps only the readings not loaded yet.</summary>
internal sealed class SensorLog : ISource
{
    private static readonly TimestampType Millis = new(TimeUnit.Millisecond, "UTC");
    private static readonly Schema ReadingSchema = new Schema.Builder()
        .Field(f => f.Name("sensor").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("read_at").DataType(Millis).Nullable(false))
        .Field(f => f.Name("celsius").DataType(DoubleType.Default))
        .Build();

    public string Name => "sensors";

    public Schema Schema => ReadingSchema;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var now = context.TimeProvider.GetUtcNow();
        var last = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        var sensors = new StringArray.Builder();
        var times = new TimestampArray.Builder(Millis);
        var values = new DoubleArray.Builder();
        var rows = 0;
        for (var at = last.AddMinutes(-1); at <= last; at = at.AddSeconds(1))
        {
            foreach (var (sensor, i) in new[] { "north", "south", "east" }.Select((s, i) => (s, i)))
            {
                sensors.Append(sensor);
                times.Append(at);
                values.Append(20 + i + (at.Second % 10 / 10.0));
                rows++;
            }
        }

        yield return new RecordBatch(ReadingSchema, [sensors.Build(context.Allocator), times.Build(context.Allocator), values.Build(context.Allocator)], rows);
    }
}
