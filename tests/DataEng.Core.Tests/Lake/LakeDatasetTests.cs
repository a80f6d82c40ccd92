using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Lake;

public class LakeDatasetTests
{
    [Fact]
    public async Task OpenAsync_ListsCommitsSnapshotsFilesAndPartitions()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("currency"));
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 100)], pipeline: "a", run: 1, properties: new Dictionary<string, string> { ["w"] = "100" });
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(100, 50)], pipeline: "b", run: 9);

        var dataset = await Core.Lake.OpenAsync(temp.Root);
        Assert.Equal(2, dataset.Version);
        Assert.Equal([1L, 2L], dataset.Commits.Select(c => c.Version));
        Assert.Equal(["a", "b"], dataset.Commits.Select(c => c.PipelineName));
        Assert.Equal([100L, 50L], dataset.Commits.Select(c => c.RowsAdded));
        var snapshot = dataset.Latest!;
        Assert.Equal(150, snapshot.RowCount);
        Assert.Equal(10, snapshot.Files.Count);
        Assert.Equal(["currency=CHF", "currency=EUR", "currency=GBP", "currency=JPY", "currency=USD"], snapshot.Partitions.Select(p => p.Path));
        Assert.All(snapshot.Partitions, p => Assert.Equal(30, p.RowCount));
        Assert.All(snapshot.Files, f => Assert.Equal(new FileInfo(f.FullPath).Length, f.SizeBytes));
        Assert.Equal(100, dataset.GetSnapshot(1).RowCount);
        Assert.Equal([PartitionSpec.Identity("currency")], snapshot.Partitioning);
        Assert.Equal("100", (await dataset.GetLastCommitAsync("a"))!.Properties["w"]);
        Assert.Equal(9, (await dataset.GetLastCommitAsync("b"))!.RunNumber);

        var empty = await Core.Lake.OpenAsync(Path.Combine(temp.Parent, "nothing-here"));
        Assert.Equal(0, empty.Version);
        Assert.Null(empty.Latest);
    }

    [Fact]
    public async Task WriteAsync_CommitTimestamp_ComesFromTheRunClock()
    {
        using var temp = new TempLake();
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var sink = Core.Lake.Write(temp.Root);
        var context = new RunContext("clock", 1, "r1", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, clock, default);
        await using (var writer = await sink.OpenAsync(LakeTestData.Orders, context))
        {
            await writer.PrepareAsync(new SinkCommit("clock", 1, "r1", new Dictionary<string, string>()));
            await writer.CommitAsync();
        }

        Assert.Equal(clock.GetUtcNow(), (await Core.Lake.OpenAsync(temp.Root)).Commits[0].Timestamp);
    }

    [Fact]
    public async Task CompactAsync_SmallFiles_MergedInOneCommitAndOldFilesDeleted()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("currency"));
        for (var run = 1; run <= 6; run++)
        {
            await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(run * 1000L, 200)], run: run);
        }

        var before = temp.ParquetFiles();
        Assert.Equal(30, before.Count);
        var expected = Duck.Query($"SELECT id, currency, ts, amount, note FROM {Duck.Glob(temp.Root)} ORDER BY id").Select(r => string.Join('|', r)).ToList();

        var dataset = await Core.Lake.OpenAsync(temp.Root);
        var result = await dataset.CompactAsync(new LakeCompactionOptions { PartitionFilter = p => (string?)p["currency"] != "JPY" });

        Assert.Equal(4, result.Partitions);
        Assert.Equal(24, result.FilesRemoved);
        Assert.Equal(4, result.FilesAdded);
        Assert.Equal(960, result.Rows);
        Assert.Equal(7, result.Version);
        Assert.Equal(LakeOperation.Compact, dataset.Commits[^1].Operation);
        Assert.Equal(10, temp.ParquetFiles().Count);
        Assert.Equal(6, temp.ParquetFiles().Count(f => f.Contains("JPY", StringComparison.Ordinal)));
        Assert.Equal(expected, Duck.Query($"SELECT id, currency, ts, amount, note FROM {Duck.Glob(temp.Root)} ORDER BY id").Select(r => string.Join('|', r)));

        // Nothing left to do.
        var again = await dataset.CompactAsync(new LakeCompactionOptions { PartitionFilter = p => (string?)p["currency"] != "JPY" });
        Assert.Null(again.Version);

        // Compaction is not a run of any pipeline.
        Assert.Equal(6, (await dataset.GetLastCommitAsync("test"))!.RunNumber);
    }

    [Fact]
    public async Task CompactAsync_CrashBeforeTheManifest_LeavesTheOldFilesVisibleAfterRecovery()
    {
        using var temp = new TempLake();
        for (var run = 1; run <= 3; run++)
        {
            await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(run * 100L, 100)], run: run);
        }

        var dataset = await Core.Lake.OpenAsync(temp.Root);
        await Assert.ThrowsAnyAsync<DataEngException>(() => dataset.CompactAsync(new LakeCompactionOptions
        {
            CommitObserver = s =>
            {
                if (s == LakeCommitStep.ManifestWritten)
                {
                    throw new InvalidOperationException("crash");
                }
            },
        }));

        // During the crash a glob reader sees the renamed compacted file next to the old ones (documented).
        Assert.Equal(600, Duck.Count(temp.Root));
        var recovered = await dataset.RecoverAsync();
        Assert.Equal(1, recovered.OrphanFiles);
        Assert.Equal(1, recovered.StagingFolders);
        Assert.Equal(300, Duck.Count(temp.Root));
        Assert.Equal(3, dataset.Version);
    }

    /// <summary>Three writers prepared on one version publish at once; every round each gets its own version. Failed in
    /// CI once (version 3 instead of 4: two writers published version 2, one manifest replaced the other) while the
    /// publish used File.Move(overwrite: false), which on Unix checks and then renames.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task CommitAsync_ConcurrentWriters_BothCommitWithoutLosingRows(int round)
    {
        _ = round;
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("currency"));
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 10)], pipeline: "init");

        // Both writers open and prepare on version 1; the second to publish finds version 2 taken and retries.
        var writers = new List<(ISinkWriter Writer, RunContext Context)>();
        for (var w = 0; w < 3; w++)
        {
            var context = LakeTestData.Context("writer-" + w.ToString(CultureInfo.InvariantCulture));
            var writer = await Core.Lake.Write(temp.Root, options).OpenAsync(LakeTestData.Orders, context);
            using var batch = LakeTestData.OrdersBatch(1000 * (w + 1), 100);
            await writer.WriteAsync(batch);
            await writer.PrepareAsync(new SinkCommit(context.PipelineName, 1, context.RunId, new Dictionary<string, string>()));
            writers.Add((writer, context));
        }

        await Task.WhenAll(writers.Select(w => w.Writer.CommitAsync().AsTask()));
        foreach (var (writer, _) in writers)
        {
            await writer.DisposeAsync();
        }

        Assert.Equal(310, Duck.Count(temp.Root));
        var dataset = await Core.Lake.OpenAsync(temp.Root);
        Assert.Equal(4, dataset.Version);
        Assert.Equal(310, dataset.Latest!.RowCount);
    }

    [Fact]
    public async Task OpenAsync_GapInTheCommitLog_FailsNamingTheMissingVersion()
    {
        using var temp = new TempLake();
        for (var run = 1; run <= 3; run++)
        {
            await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(run * 10L, 10)], run: run);
        }

        File.Delete(Path.Combine(temp.Root, "_dataeng", "commits", "00000000000000000002.json"));
        var e = await Assert.ThrowsAsync<DataFormatException>(() => Core.Lake.OpenAsync(temp.Root));
        Assert.Contains("00000000000000000002.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_RecordsRunSchemaFilesAndProperties()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, LakeTestData.Options(PartitionSpec.Day("ts", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).As("day")), LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 10)], pipeline: "orders", run: 12, properties: new Dictionary<string, string> { ["watermark"] = "2024-03-10T00:00:00Z" });
        var json = File.ReadAllText(Path.Combine(temp.Root, "_dataeng", "commits", "00000000000000000001.json"));
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("orders", root.GetProperty("pipeline").GetString());
        Assert.Equal(12, root.GetProperty("runNumber").GetInt64());
        Assert.Equal("append", root.GetProperty("operation").GetString());
        Assert.Equal("2024-03-10T00:00:00Z", root.GetProperty("properties").GetProperty("watermark").GetString());
        var ts = root.GetProperty("schema").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "ts").GetProperty("type");
        Assert.Equal("timestamp", ts.GetProperty("id").GetString());
        Assert.Equal("us", ts.GetProperty("unit").GetString());
        Assert.Equal("UTC", ts.GetProperty("timeZone").GetString());
        var spec = root.GetProperty("partitioning")[0];
        Assert.Equal("day", spec.GetProperty("transform").GetString());
        Assert.Equal("Europe/Berlin", spec.GetProperty("timeZone").GetString());
        var added = root.GetProperty("added").EnumerateArray().ToList();
        Assert.Equal(10, added.Sum(a => a.GetProperty("rows").GetInt64()));
        Assert.All(added, a => Assert.StartsWith("day=2024-03-", a.GetProperty("path").GetString(), StringComparison.Ordinal));
        Assert.All(added, a => Assert.True(a.GetProperty("bytes").GetInt64() > 0));
    }
}
