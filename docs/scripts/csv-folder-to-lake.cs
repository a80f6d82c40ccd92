#!/usr/bin/env dotnet
// Loads a folder of CSV files into a Hive-partitioned Parquet lake, incrementally: each run loads only the files that
// are new since the lake's last commit (the commit holds the watermark together with the data, so a run that is
// repeated or interrupted never loads a file twice).
//
//   dotnet run docs/scripts/csv-folder-to-lake.cs                                  demo on scratch folders
//   dotnet run docs/scripts/csv-folder-to-lake.cs <csv-folder> <lake> [column...]   your files, partitioned by the columns
//
// The demo writes two days of sales as CSV files, loads them, drops a third file into the folder and runs again, then
// runs once more with nothing new. With your own folder, the schema is inferred from the first file (by name) and every
// file must have the same columns. Outside this repository, replace the #:project line by  #:package DataEng.Core@<version>
#:project ../../src/DataEng.Core/DataEng.Core.csproj

using System.Globalization;
using DataEng.Core;
using DataEng.Core.Checkpoints;
using DataEng.Core.Diagnostics;

var demo = args.Length == 0;
if (!demo && args.Length < 2)
{
    Console.Error.WriteLine("usage: dotnet run csv-folder-to-lake.cs [<csv-folder> <lake> [partition-column...]]");
    return 2;
}

var scratch = Path.Combine(Path.GetTempPath(), $"dataeng-csv-to-lake-{Guid.NewGuid():N}");
var csvFolder = demo ? Path.Combine(scratch, "drop") : Path.GetFullPath(args[0]);
var lakeRoot = demo ? Path.Combine(scratch, "lake") : Path.GetFullPath(args[1]);
try
{
    if (demo)
    {
        Directory.CreateDirectory(csvFolder);
        WriteSales(csvFolder, "sales-2026-11-01.csv", new DateOnly(2026, 11, 1), firstId: 1);
        WriteSales(csvFolder, "sales-2026-11-02.csv", new DateOnly(2026, 11, 2), firstId: 101);
    }

    var first = Directory.EnumerateFiles(csvFolder, "*.csv").Order(StringComparer.Ordinal).FirstOrDefault();
    if (first is null)
    {
        Console.Error.WriteLine($"no *.csv file in {csvFolder}");
        return 1;
    }

    // One schema for every file: inferred from the first one (or, in your own script, written out).
    var schema = Csv.File(first).Schema;
    var csv = new CsvSourceOptions { Schema = schema };
    var lakeOptions = new LakeWriteOptions();
    string[] partitionColumns = demo ? ["region"] : args[2..];
    foreach (var column in partitionColumns)
    {
        lakeOptions.PartitionBy.Add(PartitionSpec.Identity(column));
    }

    if (demo)
    {
        lakeOptions.PartitionBy.Add(PartitionSpec.Month("sold_on"));
    }

    // Files are recognised by name (time-stamped names sort in arrival order); FileOrder.ModifiedTime suits folders
    // whose names do not sort.
    var pipeline = Pipeline.Create("csv-to-lake")
        .Extract(IncrementalFiles.Source(csvFolder, "*.csv", schema, path => Csv.File(path, csv), FileOrder.Name))
        .Load(Lake.Write(lakeRoot, lakeOptions))
        .Build();

    Console.WriteLine($"csv folder  {csvFolder}");
    Console.WriteLine($"lake        {lakeRoot}");
    Console.WriteLine($"schema      {SchemaText.Describe(schema)}");
    Console.WriteLine();

    var loaded = await RunAsync(pipeline, lakeRoot);
    if (demo)
    {
        WriteSales(csvFolder, "sales-2026-12-01.csv", new DateOnly(2026, 12, 1), firstId: 201);
        loaded += await RunAsync(pipeline, lakeRoot);
        var again = await RunAsync(pipeline, lakeRoot);   // nothing new: loads nothing
        if (loaded != 30 || again != 0)
        {
            Console.Error.WriteLine($"expected 30 rows over the first two runs and none in the third, got {loaded} and {again}");
            return 1;
        }
    }

    var lake = await Lake.OpenAsync(lakeRoot);
    var snapshot = lake.Latest;
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lake version {lake.Version}: {snapshot?.RowCount ?? 0:N0} rows in {snapshot?.Files.Count ?? 0} files"));
    Console.WriteLine("partition                                   files       rows        bytes");
    foreach (var partition in snapshot?.Partitions ?? [])
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{partition.Path,-40} {partition.FileCount,8} {partition.RowCount,10:N0} {partition.SizeBytes,12:N0}"));
    }

    // Read the lake back: every row is there once.
    using var sink = new CollectingSink("read-back");
    await Pipeline.Create("read-back").Extract(Lake.Read(lakeRoot)).Load(sink).Build().RunAsync();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read back   {sink.RowCount:N0} rows"));
    if (snapshot is null || sink.RowCount != snapshot.RowCount)
    {
        Console.Error.WriteLine($"the lake holds {snapshot?.RowCount ?? 0} rows but {sink.RowCount} were read back");
        return 1;
    }

    return 0;
}
finally
{
    if (demo && Directory.Exists(scratch))
    {
        Directory.Delete(scratch, recursive: true);
    }
}

// Runs once and prints what the run loaded; returns the rows written.
static async Task<long> RunAsync(Pipeline pipeline, string lakeRoot)
{
    var result = await pipeline.RunIncrementalAsync();
    var lake = await Lake.OpenAsync(lakeRoot);
    var commit = lake.Commits.LastOrDefault(c => c.RunNumber == result.Run.RunNumber && c.PipelineName == pipeline.Name);
    var files = commit is null ? 0 : commit.FilesAdded;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"run {result.Run.RunNumber}: {result.Run.RowsWritten,4:N0} rows from the files after {FileName(result.Previous?.Get(IncrementalCommitKeys.Watermark))} up to {FileName(result.Watermark)} -> {files} lake files"));
    return result.Run.RowsWritten;
}

// The watermark of a FileOrder.Name source is the last file name loaded, written "str:<name>".
static string FileName(string? watermark) => watermark is null ? "(start)" : watermark.StartsWith("str:", StringComparison.Ordinal) ? watermark[4..] : watermark;

// A CSV file of ten sales of one day over three regions.
static void WriteSales(string folder, string name, DateOnly day, int firstId)
{
    string[] regions = ["north", "south", "west"];
    using var writer = new StreamWriter(Path.Combine(folder, name));
    writer.WriteLine("sale_id,sold_on,region,product,amount");
    for (var i = 0; i < 10; i++)
    {
        var amount = i == 4 ? string.Empty : (12.5 + (i * 3.25)).ToString("0.00", CultureInfo.InvariantCulture);
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{firstId + i},{day:yyyy-MM-dd},{regions[i % regions.Length]},p-{i % 4},{amount}"));
    }
}
