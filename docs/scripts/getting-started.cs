#!/usr/bin/env dotnet
// The program of docs/getting-started.md, whole: every line below the #:project directive is on that page, in this
// order, so pasting the page's blocks into Program.cs gives this program (DocSnippetsTests compiles and runs exactly
// that). Writes the lake to ./lake, or to the folder given as the first argument.
//
//   dotnet run docs/scripts/getting-started.cs [lake-folder]
//
// Outside this repository, replace the #:project line by  #:package DataEng.Core@<version>
#:project ../../src/DataEng.Core/DataEng.Core.csproj

// <snippet:first-pipeline>
using DataEng.Core;
using DataEng.Core.Diagnostics;   // SchemaText
using DataEng.Core.Tables;        // LakeSnapshot, LakePartition

var lakeRoot = args.Length > 0 ? args[0] : "lake";                           // dotnet run -- <folder>, or ./lake
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };  // Ctrl+C cancels the run cleanly

Order[] orders =
[
    new(1, "ann", 120.50, new DateTimeOffset(2024, 1, 1, 9, 30, 0, TimeSpan.Zero)),
    new(2, "bob", -3.00, new DateTimeOffset(2024, 1, 1, 17, 5, 0, TimeSpan.Zero)),
    new(3, "cyd", 42.00, new DateTimeOffset(2024, 1, 2, 8, 0, 0, TimeSpan.Zero)),
];

var lakeOptions = new LakeWriteOptions { Mode = LakeWriteMode.OverwritePartitions };   // a re-run replaces its days
lakeOptions.PartitionBy.Add(PartitionSpec.Day("CreatedAt").As("day"));      // folders day=2024-01-01/

var pipeline = Pipeline.Create("orders")                                     // the name keys commits and logs
    .Extract(Rows.From(orders))                                              // typed rows → Arrow batches
    .Filter("Amount", (double amount) => amount > 0)                         // vectorised; drops bob's refund
    .Derive("AmountCents", "Amount", (double amount) => (long)Math.Round(amount * 100))
    .Load(Lake.Write(lakeRoot, lakeOptions))                                 // Parquet files + one manifest commit
    .Build();                                                                // validates every stage at once

RunResult result = await pipeline.RunAsync(cancellation.Token);
Console.WriteLine(result);                                                   // rows, batches, bytes, time per stage
// </snippet:first-pipeline>

// <snippet:read-back>
var dataset = await LakeDataset.OpenAsync(lakeRoot, cancellationToken: cancellation.Token);
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
    .RunAsync(cancellation.Token);
Console.WriteLine($"read {collected.RowCount} rows with schema {SchemaText.Describe(collected.Schema!)}");
// </snippet:read-back>

// <snippet:rerun>
await pipeline.RunAsync(cancellation.Token);                                 // the same load again
var afterRerun = await LakeDataset.OpenAsync(lakeRoot, cancellationToken: cancellation.Token);
Console.WriteLine($"after a re-run: {afterRerun.Latest!.RowCount} rows");    // still 2: both days were replaced
// </snippet:rerun>

// <snippet:incremental>
var newOrders = Incremental.Over(Rows.From(orders), new IncrementalOptions { CursorColumn = "CreatedAt", KeyColumns = ["Id"] });
var incremental = Pipeline.Create("orders-incremental")
    .Extract(newOrders)                                                      // only rows past the committed watermark
    .Load(Lake.Write(lakeRoot + "-incremental"))                             // Append: each run adds what is new
    .Build();

IncrementalRunResult first = await incremental.RunIncrementalAsync(cancellationToken: cancellation.Token);
IncrementalRunResult second = await incremental.RunIncrementalAsync(cancellationToken: cancellation.Token);
Console.WriteLine($"incremental: {first.Run.RowsWritten} rows, then {second.Run.RowsWritten}");  // 3, then 0
// </snippet:incremental>

#pragma warning disable CA1050 // the repository's analyzers want namespaces; a new console project does not
// <snippet:order-row>
public sealed record Order(long Id, string Customer, double Amount, DateTimeOffset CreatedAt);
// </snippet:order-row>
