using Apache.Arrow;
using Apache.Arrow.Types;
using Microsoft.Extensions.Logging;
using Polly;

namespace DataEng.Core.DocSnippets;

/// <summary>The code of docs/resilience.md.</summary>
public static class ResilienceExamples
{
    public static Pipeline RetriedStages(string csvFolder, string outputFile, TimeProvider clock, ILoggerFactory loggerFactory)
    {
        // <snippet:with-resilience>
        var source = Csv.Files(csvFolder)
            .WithResilience(DataEngResilience.CreateSourcePipeline(clock, loggerFactory, "csv"));
        var sink = ParquetFile.Write(outputFile)
            .WithResilience(DataEngResilience.CreateSinkPipeline(clock, loggerFactory, "parquet"));

        var pipeline = Pipeline.Create("csv-to-parquet")
            .Configure(o => { o.TimeProvider = clock; o.LoggerFactory = loggerFactory; })
            .Extract(source)
            .Load(sink)
            .Build();
        // </snippet:with-resilience>
        return pipeline;
    }

    public static ResiliencePipeline CustomPipeline(TimeProvider clock)
    {
        // <snippet:custom-retry>
        var retry = DataEngResilience.CreateRetryOptions(maxRetryAttempts: 8, delay: TimeSpan.FromMilliseconds(200));
        retry.OnRetry = args =>
        {
            Console.WriteLine($"retry {args.AttemptNumber + 1} after {args.RetryDelay}: {args.Outcome.Exception?.Message}");
            return ValueTask.CompletedTask;
        };

        ResiliencePipeline pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(retry)                                 // handles TransientErrors.IsTransient failures only
            .AddTimeout(TimeSpan.FromMinutes(2))
            .Build();
        // </snippet:custom-retry>
        return pipeline;
    }

    public static bool Classify(Exception failure)
    {
        // <snippet:classify>
        if (TransientErrors.IsTransient(failure))
        {
            Console.WriteLine("worth retrying later: " + failure.Message);
        }
        else if (failure is IOException io && TransientErrors.IsDiskFull(io))
        {
            Console.WriteLine("the disk is full: free space, then run again");
        }
        // </snippet:classify>
        return TransientErrors.IsTransient(failure);
    }

    public static async Task<RunResult> BadRowsAsync(string csvFile, string deadLetterFolder, CancellationToken cancellationToken = default)
    {
        // <snippet:bad-rows>
        var deadLetters = new BadRowPolicy
        {
            Action = BadRowAction.DeadLetter,                // or Skip, or Fail (the default)
            MaxCount = 100,                                  // more bad rows than this fail the run
            MaxRatio = 0.05,                                 // so does more than 5 % of the rows, checked at the end
            Target = DeadLetters.ToFolder(deadLetterFolder), // pipeline=P/run-N-STAGE.parquet
        };

        var csv = new CsvSourceOptions                       // records that do not convert to the schema
        {
            Schema = new Schema([new Field("sensor", StringType.Default, false), new Field("celsius", DoubleType.Default, true)], null),
            BadRows = deadLetters,
        };
        using var sink = new CollectingSink();
        var pipeline = Pipeline.Create("readings")
            .Extract(Csv.File(csvFile, csv))
            .Transform(BadRows.Validate(static (RecordBatch batch, int row) =>
            {
                var celsius = (DoubleArray)batch.Column("celsius");
                return celsius.GetValue(row) is < -90 or > 60 ? "celsius out of range" : null;
            }, new BadRowValidationOptions { Name = "plausible", Policy = deadLetters })) // rows that convert but break a rule
            .Load(sink)
            .Build();

        RunResult result = await pipeline.RunAsync(cancellationToken);
        // </snippet:bad-rows>
        return result;
    }
}
