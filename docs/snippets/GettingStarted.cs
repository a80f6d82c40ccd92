using DataEng.Core.Diagnostics;
using DataEng.Core.Tables;

namespace DataEng.Core.DocSnippets;

/// <summary>The code of docs/getting-started.md.</summary>
public static class GettingStarted
{
    // <snippet:order-row>
    public sealed record Order(long Id, string Customer, double Amount, DateTimeOffset CreatedAt);
    // </snippet:order-row>

    /// <summary>Loads three orders into a day-partitioned lake under <paramref name="lakeRoot"/>.</summary>
    public static async Task<RunResult> FirstPipelineAsync(string lakeRoot, CancellationToken cancellationToken = default)
    {
        // <snippet:first-pipeline>
        Order[] orders =
        [
            new(1, "ann", 120.50, new DateTimeOffset(2024, 1, 1, 9, 30, 0, TimeSpan.Zero)),
            new(2, "bob", -3.00, new DateTimeOffset(2024, 1, 1, 17, 5, 0, TimeSpan.Zero)),
            new(3, "cyd", 42.00, new DateTimeOffset(2024, 1, 2, 8, 0, 0, TimeSpan.Zero)),
        ];

        var lakeOptions = new LakeWriteOptions();
        lakeOptions.PartitionBy.Add(PartitionSpec.Day("CreatedAt").As("day"));      // folders day=2024-01-01/

        var pipeline = Pipeline.Create("orders")                                     // the name keys commits and logs
            .Extract(Rows.From(orders))                                              // typed rows → Arrow batches
            .Filter("Amount", (double amount) => amount > 0)                         // vectorised; drops bob's refund
            .Derive("AmountCents", "Amount", (double amount) => (long)Math.Round(amount * 100))
            .Load(Lake.Write(lakeRoot, lakeOptions))                                 // Parquet files + one manifest commit
            .Build();                                                                // validates every stage at once

        RunResult result = await pipeline.RunAsync(cancellationToken);
        Console.WriteLine(result);                                                   // rows, batches, bytes, time per stage
        // </snippet:first-pipeline>
        return result;
    }

    /// <summary>Reads the lake written by <see cref="FirstPipelineAsync"/> back.</summary>
    public static async Task<long> ReadBackAsync(string lakeRoot, CancellationToken cancellationToken = default)
    {
        // <snippet:read-back>
        var dataset = await LakeDataset.OpenAsync(lakeRoot, cancellationToken: cancellationToken);
        LakeSnapshot snapshot = dataset.Latest!;                                     // null before the first commit
        Console.WriteLine($"version {snapshot.Version}: {snapshot.RowCount} rows in {snapshot.Files.Count} files");
        foreach (LakePartition partition in snapshot.Partitions)
        {
            Console.WriteLine($"  {partition.Path}: {partition.RowCount} rows");
        }

        using var collected = new CollectingSink();
        await Pipeline.Create("read-orders")
            .Extract(Lake.Read(lakeRoot))                                            // only published files; "day" rebuilt
            .Load(collected)
            .Build()
            .RunAsync(cancellationToken);
        Console.WriteLine($"read {collected.RowCount} rows with schema {SchemaText.Describe(collected.Schema!)}");
        // </snippet:read-back>
        return collected.RowCount;
    }
}
