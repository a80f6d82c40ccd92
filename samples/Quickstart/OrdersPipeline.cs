using System.Diagnostics;
using System.Globalization;
using DataEng.Core;
using DataEng.Core.Checkpoints;
using Microsoft.Data.Sqlite;

namespace Quickstart;

/// <summary>
/// The quickstart's pipeline: SQLite <c>orders</c> → filter, derive → a Parquet lake partitioned by the day an order was
/// created, incrementally (cursor <c>updated_at</c>, key <c>order_id</c>), exactly once: the lake's commit manifest
/// holds the watermark, so data and watermark become visible in one step.
/// </summary>
internal static class OrdersPipeline
{
    public const string Name = "orders";

    /// <summary>Rows updated in the last few seconds may still be in flight: leave them for the next run.</summary>
    public static readonly TimeSpan Lag = TimeSpan.FromSeconds(5);

    /// <summary>Re-read the last hour below the watermark, for orders committed late (deduplicated by order id).</summary>
    public static readonly TimeSpan Lookback = TimeSpan.FromHours(1);

    private static readonly RowMappingOptions SnakeCase = new() { NamingConvention = ColumnNamingConvention.SnakeCase };

    public static Pipeline Build(OrdersDatabase database, string lake)
    {
        // <snippet:build>
        var lakeOptions = new LakeWriteOptions();
        lakeOptions.PartitionBy.Add(PartitionSpec.Day("created_at").As("day"));   // day=2024-01-03/
        var connectionString = database.ConnectionString;
        return Pipeline.Create(Name)                                              // "orders": the name keys the checkpoint
            .Extract(Sql.Incremental(
                () => new SqliteConnection(connectionString),
                "orders",
                new IncrementalOptions
                {
                    CursorColumn = "updated_at",
                    KeyColumns = ["order_id"],
                    // updated_at is Unix milliseconds: say how the clock reads in those units (for the lag) and how
                    // far back the lookback reaches.
                    CursorFromTime = static now => now.ToUnixTimeMilliseconds(),
                    Lag = Lag,                                            // 5 s: leave rows still being written
                    NumericLookback = (decimal)Lookback.TotalMilliseconds, // 1 h: re-read late commits, deduplicated
                    PageSize = 10_000,
                }))
            // Columnar kernels: a quality gate (the generator never makes a negative amount, so every order passes)
            // and derived columns, computed over whole Arrow buffers without a per-row allocation.
            .Filter("amount", static (double amount) => amount >= 0)
            .Derive("vat", "amount", static (double amount) => Math.Round(amount * 0.2, 2))
            .Derive("size", "amount", static (double amount) => amount switch { < 50 => "small", < 250 => "medium", _ => "large" })
            .Derive("updated_time", "updated_at", static (long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds))
            .Load(Lake.Write(lake, lakeOptions))
            .Build();
        // </snippet:build>
    }

    /// <summary>Runs once and prints what the run did.</summary>
    public static async Task<IncrementalRunResult> RunAsync(Pipeline pipeline, string lake, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // <snippet:run>
        var result = await pipeline.RunIncrementalAsync(cancellationToken: cancellationToken); // exactly once; resumes from the last commit
        // </snippet:run>
        clock.Stop();

        var dataset = await Lake.OpenAsync(lake, cancellationToken: cancellationToken);
        var commit = dataset.Commits.LastOrDefault(c => c.PipelineName == Name && c.RunNumber == result.Run.RunNumber);
        var added = commit is null ? [] : dataset.Latest!.Files.Where(f => f.Version == commit.Version).ToList();
        var from = Cursor.Describe(result.Previous?.Get(IncrementalCommitKeys.Watermark));
        var to = Cursor.Describe(result.EncodedWatermark);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Run {result.Run.RunNumber}: loaded {result.Run.RowsWritten:N0} new orders into {Count(added.Count, "file")} in {Count(added.Select(f => f.PartitionPath).Distinct().Count(), "partition")} in {clock.Elapsed.TotalSeconds:0.00} s."));
        Console.WriteLine($"  watermark (updated_at): {from} -> {to}" + (from == to ? " (nothing new)" : string.Empty));
        var snapshot = dataset.Latest;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  lake: {lake} holds {snapshot?.RowCount ?? 0:N0} orders in {snapshot?.Files.Count ?? 0} files, {snapshot?.Partitions.Count ?? 0} day partitions (version {dataset.Version})."));
        return result;
    }

    private static string Count(int n, string noun) => string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? string.Empty : "s")}");

    /// <summary>Reads the lake back with <see cref="Lake.Read"/> and prints its first rows and its partitions.</summary>
    public static async Task PeekAsync(string lake, CancellationToken cancellationToken)
    {
        var rows = Rows.Collect<PeekRow>(SnakeCase);
        var read = Pipeline.Create("peek")
            .Extract(Lake.Read(lake, new LakeReadOptions { Columns = ["day", "order_id", "status", "amount", "vat", "size", "updated_time"] }))
            .Load(rows)
            .Build();
        await read.RunAsync(cancellationToken);
        var all = rows.ToList();

        Console.WriteLine();
        Console.WriteLine("The lake, read back with Lake.Read (first 5 orders by id):");
        Console.WriteLine("  day         order_id  status     amount      vat  size    updated_time");
        foreach (var row in all.OrderBy(static r => r.OrderId).Take(5))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {row.Day:yyyy-MM-dd}  {row.OrderId,8}  {row.Status,-9} {row.Amount,7:0.00}  {row.Vat,7:0.00}  {row.Size,-6}  {row.UpdatedTime:yyyy-MM-dd HH:mm:ss}"));
        }

        Console.WriteLine();
        Console.WriteLine("Orders per day partition:");
        foreach (var day in all.GroupBy(static r => r.Day).OrderBy(static g => g.Key))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  day={day.Key:yyyy-MM-dd}  {day.Count(),7:N0}"));
        }

        var distinct = all.Select(static r => r.OrderId).Distinct().Count();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  total       {all.Count,7:N0} rows, {distinct:N0} distinct order ids"));
    }

    /// <summary>A row of the peek.</summary>
    private sealed record PeekRow(DateOnly Day, long OrderId, string Status, double Amount, double Vat, string Size, DateTimeOffset UpdatedTime);
}

/// <summary>Shows the watermark texts committed by incremental runs in a readable form.</summary>
internal static class Cursor
{
    public static string Describe(string? watermark)
    {
        if (watermark is null)
        {
            return "(start)";
        }

        // updated_at is Unix milliseconds ("int:<ms>"); timestamps are kept exactly ("ts:<unit>:<value>", "dt:<ticks>:<kind>").
        var parts = watermark.Split(':');
        if (parts is ["int", var ms] && long.TryParse(ms, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return DateTime.UnixEpoch.AddMilliseconds(milliseconds).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        if (parts is ["ts", var unit, var value] && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
        {
            var ticks = unit switch { "s" => count * TimeSpan.TicksPerSecond, "ms" => count * TimeSpan.TicksPerMillisecond, "us" => count * 10, _ => count / 100 };
            return DateTime.UnixEpoch.AddTicks(ticks).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        if (parts is ["dt", var text, _] && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var dateTicks))
        {
            return new DateTime(dateTicks, DateTimeKind.Unspecified).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        return watermark;
    }
}
