#!/usr/bin/env dotnet
// Inspects a DataEng.Core lake: schema and partitioning, partitions, data files, rows, and the commit log (who wrote
// what, with which watermark). Read-only: it never changes the lake.
//
//   dotnet run docs/scripts/inspect-lake.cs <lake>     inspect your lake
//   dotnet run docs/scripts/inspect-lake.cs            build a small lake in a scratch folder and inspect it
//
// Outside this repository, replace the #:project line by  #:package DataEng.Core@<version>
#:project ../../src/DataEng.Core/DataEng.Core.csproj

using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core;
using DataEng.Core.Checkpoints;
using DataEng.Core.Diagnostics;

var scratch = args.Length == 0 ? Path.Combine(Path.GetTempPath(), $"dataeng-inspect-{Guid.NewGuid():N}") : null;
var root = scratch ?? Path.GetFullPath(args[0]);
try
{
    if (scratch is not null)
    {
        await BuildSampleLakeAsync(root);
    }
    else if (!Directory.Exists(root))
    {
        Console.Error.WriteLine($"no lake at {root}");
        return 1;
    }

    var lake = await Lake.OpenAsync(root);
    var snapshot = lake.Latest;
    Console.WriteLine($"lake       {lake.Root}");
    if (snapshot is null)
    {
        Console.WriteLine("(no commit yet)");
        return scratch is null ? 0 : 1;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"version    {lake.Version} (committed {snapshot.Timestamp:yyyy-MM-dd HH:mm:ss} UTC)"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"contents   {snapshot.RowCount:N0} rows in {snapshot.Files.Count} files, {snapshot.Partitions.Count} partitions, {snapshot.SizeBytes:N0} bytes"));
    Console.WriteLine($"partition  {(snapshot.Partitioning.Count == 0 ? "(none)" : string.Join(", ", snapshot.Partitioning))}");
    Console.WriteLine();
    Console.WriteLine("schema");
    foreach (var field in snapshot.Schema.FieldsList)
    {
        Console.WriteLine($"  {field.Name,-24} {SchemaText.Describe(field.DataType)}{(field.IsNullable ? "" : " not null")}");
    }

    Console.WriteLine();
    Console.WriteLine("partitions                                     files         rows          bytes");
    foreach (var partition in snapshot.Partitions)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(partition.Path.Length == 0 ? "(root)" : partition.Path),-44} {partition.FileCount,5} {partition.RowCount,12:N0} {partition.SizeBytes,14:N0}"));
    }

    Console.WriteLine();
    Console.WriteLine("files                                                              version        rows          bytes");
    foreach (var file in snapshot.Files.OrderBy(static f => f.Path, StringComparer.Ordinal))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {file.Path,-64} {file.Version,7} {file.RowCount,11:N0} {file.SizeBytes,14:N0}"));
    }

    Console.WriteLine();
    Console.WriteLine("commits");
    foreach (var commit in lake.Commits)
    {
        var run = commit.PipelineName is null ? "" : $" by '{commit.PipelineName}' run {commit.RunNumber}";
        var watermark = commit.Properties.TryGetValue(IncrementalCommitKeys.Watermark, out var w) ? $", watermark {w}" : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  v{commit.Version,-4} {commit.Timestamp:yyyy-MM-dd HH:mm:ss}  {commit.Operation,-9}{run}: +{commit.FilesAdded} / -{commit.FilesRemoved} files, +{commit.RowsAdded:N0} rows{watermark}"));
    }

    // The manifest's row count must agree with what a reader sees.
    using var rows = new CollectingSink("inspect");
    await Pipeline.Create("inspect").Extract(Lake.Read(root)).Load(rows).Build().RunAsync();
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read back  {rows.RowCount:N0} rows"));
    if (rows.RowCount != snapshot.RowCount)
    {
        Console.Error.WriteLine($"the manifest lists {snapshot.RowCount} rows but {rows.RowCount} were read");
        return 1;
    }

    return 0;
}
finally
{
    if (scratch is not null && Directory.Exists(scratch))
    {
        Directory.Delete(scratch, recursive: true);
    }
}

// Two runs of readings from three sensors, partitioned by sensor and day.
static async Task BuildSampleLakeAsync(string root)
{
    var schema = new Schema.Builder()
        .Field(f => f.Name("sensor").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("at").DataType(new TimestampType(TimeUnit.Microsecond, "UTC")).Nullable(false))
        .Field(f => f.Name("celsius").DataType(DoubleType.Default))
        .Build();
    var options = new LakeWriteOptions();
    options.PartitionBy.Add(PartitionSpec.Identity("sensor"));
    options.PartitionBy.Add(PartitionSpec.Day("at").As("day"));

    for (var run = 0; run < 2; run++)
    {
        var sensors = new StringArray.Builder();
        var times = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, "UTC"));
        var values = new DoubleArray.Builder();
        for (var i = 0; i < 24; i++)
        {
            sensors.Append($"s{i % 3}");
            times.Append(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero).AddDays(run).AddHours(i));
            values.Append(i % 7 == 0 ? null : 18.5 + (i % 5));
        }

        using var batch = new RecordBatch(schema, [sensors.Build(), times.Build(), values.Build()], 24);
        await Pipeline.Create("readings")
            .Extract(new InMemorySource(schema, [batch]))
            .Load(Lake.Write(root, options))
            .Build()
            .RunAsync();
    }
}
