using DataEng.Core.Stages;
using Microsoft.Data.Sqlite;

namespace DataEng.Core.DocSnippets.Guides;

/// <summary>The code of docs/incremental.md.</summary>
public static class IncrementalGuide
{
    /// <param name="cs">A SQLite connection string to a database with an <c>orders</c> table.</param>
    /// <param name="lake">A sink that keeps checkpoints (an <see cref="Checkpoints.ICheckpointingSink"/>), such as <see cref="Lake.Write"/>.</param>
    public static async Task<IncrementalRunResult> RunAsync(string cs, ISink lake)
    {
        // <snippet:run>
        var pipeline = Pipeline.Create("orders")                       // the name keys the checkpoint
            .Extract(Sql.Incremental(() => new SqliteConnection(cs), "orders",
                new IncrementalOptions { CursorColumn = "updated_at", KeyColumns = ["id"],
                                         Lag = TimeSpan.FromSeconds(30), Lookback = TimeSpan.FromMinutes(10) }))
            .Load(lake)                                                 // an ICheckpointingSink: the manifest is the checkpoint
            .Build();

        var result = await pipeline.RunIncrementalAsync();              // or new IncrementalRunOptions { CheckpointStore = store }
        Console.WriteLine($"{result.Run.RowsWritten} rows, watermark {result.Watermark}");
        // </snippet:run>
        return result;
    }
}
