using Microsoft.Data.Sqlite;

namespace DataEng.Core.DocSnippets.Guides;

/// <summary>The code of the repository's README.md.</summary>
public static class ReadmeExample
{
    public static async Task<RunResult> PipelineIn20LinesAsync()
    {
        // <snippet:pipeline>
        var orders = Pipeline.Create("orders")
            .Extract(Sql.Query(() => new SqliteConnection("Data Source=shop.db"), "SELECT * FROM orders"))
            .Filter("amount", (double v) => v > 0)                       // vectorised, nulls dropped
            .Derive("amount_cents", "amount", (double v) => (long)Math.Round(v * 100))
            .Cast("id", DataTypes.Int32)                                  // overflow → clear error naming row and value
            .Load(Lake.Write("lake/orders", new LakeWriteOptions         // Hive-partitioned Parquet, atomic manifest commits
            {
                PartitionBy = { PartitionSpec.Day("created_at") },
            }))
            .Build();                                                     // validates the chain, lists every problem at once

        RunResult result = await orders.RunAsync();                       // or RunIncrementalAsync() for exactly-once loads
        Console.WriteLine(result);                                        // rows, batches, bytes and time per stage
        // </snippet:pipeline>
        return result;
    }
}
