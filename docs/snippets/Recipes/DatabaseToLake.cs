using Microsoft.Data.Sqlite;

namespace DataEng.Core.DocSnippets.Recipes;

/// <summary>Recipe: a database table into the lake, incrementally and exactly once (docs/recipes.md).</summary>
public static class DatabaseToLake
{
    // <snippet:pipeline>
    public static Pipeline Build(string connectionString, string lakeRoot)
    {
        var lakeOptions = new LakeWriteOptions();
        lakeOptions.PartitionBy.Add(PartitionSpec.Identity("region"));             // region=eu/, region=us/

        return Pipeline.Create("orders-to-lake")                                    // the name keys the checkpoint
            .Extract(Sql.Incremental(
                () => new SqliteConnection(connectionString),
                "orders",
                new IncrementalOptions
                {
                    CursorColumn = "updated_at",                                    // grows when a row changes
                    KeyColumns = ["order_id"],                                      // unique; orders ties on the cursor
                    CursorFromTime = now => now.ToUnixTimeMilliseconds(),           // updated_at is Unix milliseconds
                    Lag = TimeSpan.FromSeconds(30),                                 // leave rows still being written
                    NumericLookback = 10 * 60 * 1000,                               // re-read 10 minutes for late commits
                    PageSize = 5_000,
                }))
            .Filter("amount", (double amount) => amount >= 0)
            .Load(Lake.Write(lakeRoot, lakeOptions))                                // data + watermark in one commit
            .Build();
    }
    // </snippet:pipeline>

    // <snippet:run>
    public static async Task<string> RunOnceAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        // Plans [watermark − lookback, min(MAX(updated_at), now − lag)], reads it in keyset pages, skips rows already
        // loaded, and commits the rows with the next watermark. A failed or killed run leaves nothing visible;
        // the next one reads the same range again.
        IncrementalRunResult result = await pipeline.RunIncrementalAsync(cancellationToken: cancellationToken);
        // With a lookback the plan always re-reads the window, so ask whether any row was new, not whether the plan was empty.
        var line = result.HasNewRows
            ? $"run {result.Run.RunNumber}: {result.NewRows} new rows up to {result.Watermark}"   // updated_at as a number
            : $"run {result.Run.RunNumber}: nothing new";
        Console.WriteLine(line);
        return line;
    }
    // </snippet:run>
}
