using DataEng.Core.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataEng.Core.DocSnippets.Recipes;

/// <summary>Recipe: a pipeline on a schedule in a worker service (docs/recipes.md).</summary>
public static class WorkerService
{
    // <snippet:register>
    public static IServiceCollection AddOrdersSnapshot(this IServiceCollection services, string connectionString, string lakeRoot)
    {
        services.AddDataEngPipeline("orders-snapshot", provider =>
        {
            var lakeOptions = new LakeWriterOptions { Mode = LakeWriteMode.OverwritePartitions };  // each run replaces
            lakeOptions.PartitionBy.Add(PartitionSpec.Identity("region"));                         // the regions it wrote

            return Pipeline.Create("orders-snapshot")                                              // same name as above
                .Configure(o => o.LoggerFactory = provider.GetRequiredService<ILoggerFactory>())
                .Extract(Sql.Query(() => new SqliteConnection(connectionString), "SELECT order_id, region, amount FROM orders"))
                .Load(Lake.Write(lakeRoot, lakeOptions))
                .Build();
        },
        options => options.OnRunCompleted = run =>
        {
            if (run.Exception is { } failure)
            {
                Console.Error.WriteLine($"{run.PipelineName} failed ({run.Status.FailedRuns} so far): {failure.Message}");
            }

            return ValueTask.CompletedTask;
        });

        services.AddHealthChecks().AddDataEngHealthChecks();                                        // "dataeng:orders-snapshot"
        return services;
    }
    // </snippet:register>

    public static IHost CreateHost(string[] args, string connectionString, string lakeRoot)
    {
        // <snippet:program>
        var builder = Host.CreateApplicationBuilder(args);  // reads appsettings.json: DataEng:Pipelines:orders-snapshot
        builder.Services.AddOrdersSnapshot(connectionString, lakeRoot);
        IHost host = builder.Build();                       // then: await host.RunAsync();
        // </snippet:program>
        return host;
    }

    public static PipelineStatus Status(IHost host)
    {
        // <snippet:status>
        var monitor = host.Services.GetRequiredService<PipelineMonitor>();
        PipelineStatus status = monitor.GetStatus("orders-snapshot");
        Console.WriteLine($"last success {status.LastSuccessAt:O}, next run {status.NextRunAt:O}, failures {status.FailedRuns}");
        // </snippet:status>
        return status;
    }
}
