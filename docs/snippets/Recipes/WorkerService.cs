using DataEng.Core.Checkpoints;
using DataEng.Core.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataEng.Core.DocSnippets.Recipes;

/// <summary>Recipe: an incremental load on a schedule in a worker service (docs/recipes.md).</summary>
public static class WorkerService
{
    // <snippet:register>
    public static IServiceCollection AddOrdersToLake(this IServiceCollection services, string connectionString, string lakeRoot, string stateFolder)
    {
        services.AddSingleton<ICheckpointStore>(new FileCheckpointStore(stateFolder));            // the lease: one process at a time

        services.AddDataEngIncrementalPipeline("orders-to-lake", provider =>
        {
            var lakeOptions = new LakeWriteOptions();
            lakeOptions.PartitionBy.Add(PartitionSpec.Identity("region"));

            return Pipeline.Create("orders-to-lake")                                               // same name as above
                .Configure(o =>
                {
                    o.LoggerFactory = provider.GetRequiredService<ILoggerFactory>();
                    o.TimeProvider = provider.GetRequiredService<TimeProvider>();                  // the scheduler's clock
                })
                .Extract(Sql.Incremental(
                    () => new SqliteConnection(connectionString),
                    "orders",
                    new IncrementalOptions
                    {
                        CursorColumn = "updated_at",                                               // Unix milliseconds
                        KeyColumns = ["order_id"],
                        CursorFromTime = now => now.ToUnixTimeMilliseconds(),
                        Lag = TimeSpan.FromSeconds(30),                                            // leave rows still being written
                        NumericLookback = 10 * 60 * 1000,                                          // re-read 10 minutes for late commits
                    }))
                .Load(Lake.Write(lakeRoot, lakeOptions))                                           // data + watermark in one commit
                .Build();
        },
        options => options.OnRunCompleted = run =>
        {
            if (run.IncrementalResult is { } committed)
            {
                Console.WriteLine($"run {committed.Run.RunNumber}: {committed.Run.RowsWritten} rows, watermark {committed.Watermark}");
            }
            else if (run.Exception is { } failure)
            {
                Console.Error.WriteLine($"{run.PipelineName} failed ({run.Status.FailedRuns} so far): {failure.Message}");
            }

            return ValueTask.CompletedTask;
        });                                                                                       // runOptions: null → the ICheckpointStore above

        services.AddHealthChecks().AddDataEngHealthChecks();                                        // "dataeng:orders-to-lake"
        return services;
    }
    // </snippet:register>

    public static IHost CreateHost(string[] args, string connectionString, string lakeRoot, string stateFolder)
    {
        // <snippet:program>
        var builder = Host.CreateApplicationBuilder(args);  // reads appsettings.json: DataEng:Pipelines:orders-to-lake
        builder.Services.AddOrdersToLake(connectionString, lakeRoot, stateFolder);
        IHost host = builder.Build();                       // then: await host.RunAsync();
        // </snippet:program>
        return host;
    }

    public static PipelineStatus Status(IHost host)
    {
        // <snippet:status>
        var monitor = host.Services.GetRequiredService<PipelineMonitor>();
        PipelineStatus status = monitor.GetStatus("orders-to-lake");
        Console.WriteLine($"last commit {status.LastSuccessAt:O} (run {status.LastResult?.RunNumber}, watermark {status.LastWatermark}), next run {status.NextRunAt:O}, failures {status.FailedRuns}");
        // </snippet:status>
        return status;
    }
}
