using DataEng.Core.Testing;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Testing;

using Csv = DataEng.Core.Csv;
using Lake = DataEng.Core.Lake;

// The code shown in the package READMEs (src/*/README.md): DocSnippetsTests checks that each README shows exactly
// these regions, so the examples on nuget.org compile.
public class PackageReadmeExamples
{
    [Fact]
    public async Task TestingReadme_Example_Passes()
    {
        // <snippet:testing-readme>
        // 1. Inline input: a table literal (types given or inferred), anonymous objects or tuples.
        using var input = TestBatch.Parse("""
            id:int64 | name:string | amount:double?
            1        | a           | 1.5
            2        | null        | null
            """);

        // 2. Run the transform under test through the real pipeline runner, in memory.
        var addGross = BatchTransforms.Derive("gross", "amount", (double amount) => amount * 1.2);
        using var output = await TestRun.TransformAsync(addGross, [input]);

        // 3. Compare schemas and contents; a failure shows the first differing rows and columns.
        using var expected = TestBatch.Parse("""
            id:int64 | name:string? | amount:double? | gross:double?
            1        | a            | 1.5            | 1.8
            2        | null         | null           | null
            """);
        BatchAssert.Equal(expected, output, new BatchComparison { FloatingTolerance = 1e-9 });

        // ...or read the output as typed rows.
        var rows = output.Rows<(long Id, string? Name, double? Amount, double? Gross)>();
        // </snippet:testing-readme>
        Assert.Equal(2, rows.Count);
        Assert.Null(rows[1].Gross);
    }

    [Fact]
    public async Task TestingReadme_ClockExample_RunsOnTheFakeClock()
    {
        using var input = TestBatch.Parse("id\n1");
        var transform = BatchTransforms.Derive("twice", "id", (long id) => id * 2);
        // <snippet:testing-readme-clock>
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var output = await TestRun.TransformAsync(transform, [input], new TestRunOptions { TimeProvider = clock });
        clock.Advance(TimeSpan.FromHours(1)); // watermark lag, freshness and schedules move only when you say so
        // </snippet:testing-readme-clock>
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromHours(1), output.Result.StartedAt);
    }

    /// <summary>Compiled, not run: it reads a folder of the current directory.</summary>
    internal static async Task<RunResult> CoreReadmeExampleAsync()
    {
        // <snippet:core-readme>
        var lake = new LakeWriteOptions();
        lake.PartitionBy.Add(PartitionSpec.Day("sold_at"));

        var pipeline = Pipeline.Create("sales")
            .Extract(Csv.Files("drop", "*.csv"))                             // schema inferred, or set CsvSourceOptions.Schema
            .Filter("amount", (double amount) => amount > 0)                 // vectorised; rows with a null amount are dropped
            .Derive("amount_cents", "amount", (double amount) => (long)Math.Round(amount * 100))
            .Load(Lake.Write("lake/sales", lake))                            // Parquet files + one atomic commit per run
            .Build();                                                        // checks the whole chain, lists every problem

        RunResult result = await pipeline.RunAsync();
        Console.WriteLine(result);                                           // rows, batches, bytes and time per stage
        // </snippet:core-readme>
        return result;
    }

    /// <summary>Compiled, not run: it writes checkpoints.db in the current directory.</summary>
    internal static async Task<IncrementalRunResult> SqliteReadmeExampleAsync(Pipeline pipeline)
    {
        // <snippet:sqlite-readme>
        var store = new SqliteCheckpointStore("Data Source=checkpoints.db");
        var result = await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });
        // </snippet:sqlite-readme>
        return result;
    }

    /// <summary>Compiled, not run: it needs a PostgreSQL server.</summary>
    internal static async Task<IncrementalRunResult> PostgreSqlReadmeExampleAsync(Pipeline pipeline, string connectionString)
    {
        // <snippet:postgresql-readme>
        var store = new PostgreSqlCheckpointStore(connectionString);
        var result = await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });
        // </snippet:postgresql-readme>
        return result;
    }
}
