using Apache.Arrow;
using DataEng.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DataEng.Core.DocSnippets;

/// <summary>The code of docs/pipelines.md.</summary>
public static class Running
{
    public static async Task<RunResult> ConfiguredRunAsync(ILoggerFactory loggerFactory, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        // <snippet:configure>
        using var sink = new CollectingSink();
        var pipeline = Pipeline.Create("numbers")
            .Configure(options =>
            {
                options.ChannelCapacity = 8;                 // batches waiting between two stages (backpressure)
                options.MaxDegreeOfParallelism = 2;          // batch transforms on 2 batches at once, order kept
                options.LoggerFactory = loggerFactory;
                options.TimeProvider = clock;                // durations, progress, lags, retries
                options.ProgressInterval = TimeSpan.FromSeconds(5);
            })
            .Extract(new NumbersSource(count: 100_000))
            .Transform(new AddSquare())
            .Load(sink)
            .Build();
        // </snippet:configure>

        // <snippet:run-options>
        var run = new RunOptions
        {
            Progress = new Progress<RunProgress>(p => Console.WriteLine($"{p.RowsWritten:N0} rows, {p.RowsPerSecond:N0} rows/s")),
            RunId = "nightly-2024-01-02",                  // default: a new id
        };
        run.CommitProperties["source-file"] = "numbers"; // committed atomically with the data (if the sink keeps them)

        RunResult result = await pipeline.RunAsync(run, cancellationToken);
        foreach (StageMetrics stage in result.Stages)
        {
            Console.WriteLine($"{stage.Kind,-15} {stage.Name,-12} {stage.Rows,10:N0} rows {stage.Batches,5} batches {stage.Bytes,12:N0} bytes {stage.Duration.TotalMilliseconds,8:N0} ms");
        }
        // </snippet:run-options>
        return result;
    }

    public static string Validation()
    {
        // <snippet:validation>
        var builder = Pipeline.Create("broken")
            .Configure(o => o.ChannelCapacity = 0)           // must be at least 1
            .Extract(new NumbersSource(count: 10))
            .Select("id")                                    // there is no column "id"
            .Load(new NullSink());

        // builder.Build() throws one PipelineValidationException with every problem of every stage (e.Problems):
        //   Pipeline 'broken' is not valid (2 problems):
        //     - ChannelCapacity must be at least 1 (was 0).
        //     - select: unknown column 'id'; the input has: n
        // </snippet:validation>
        try
        {
            builder.Build();
            return "";
        }
        catch (PipelineValidationException e)
        {
            return e.Message;
        }
    }

    public static async Task<long> InMemoryAsync(CancellationToken cancellationToken = default)
    {
        // <snippet:in-memory>
        var schema = new Schema([new Field("n", Apache.Arrow.Types.Int64Type.Default, nullable: false)], null);
        using var batch = new RecordBatch(schema, [new Int64Array.Builder().AppendRange([1, 2, 3]).Build()], 3);
        using var collected = new CollectingSink();
        await Pipeline.Create("in-memory")
            .Extract(new InMemorySource(schema, [batch]))  // each run yields shared references; you keep the original
            .Load(collected)                               // keeps shared copies of every batch until disposed
            .Build()
            .RunAsync(cancellationToken);
        Console.WriteLine($"{collected.RowCount} rows in {collected.Batches.Count} batches, commit {collected.Commits[0].RunNumber}");
        // </snippet:in-memory>
        return collected.RowCount;
    }
}
