using System.Globalization;
using Apache.Arrow;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Lake;

public sealed class LakeRetentionTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Schema KeyValue = LakeTestData.KeyValueSchema();

    /// <summary>Commits one run of key/value rows at the fake clock's time.</summary>
    private static async Task CommitAsync(string root, TimeProvider time, long run, string[] keys, LakeWriteMode mode = LakeWriteMode.Append, PartitionSpec? partition = null, Schema? schema = null, RecordBatch? batch = null, Action<LakeWriteOptions>? configure = null)
    {
        var options = new LakeWriteOptions { Mode = mode };
        configure?.Invoke(options);
        options.PartitionBy.Add(partition ?? PartitionSpec.Identity("k"));
        var sink = Core.Lake.Write(root, options);
        var context = new RunContext("p", run, "run-" + run.ToString(CultureInfo.InvariantCulture), NullLogger.Instance, time, CancellationToken.None);
        var writer = await sink.OpenAsync(schema ?? KeyValue, context);
        await using (writer)
        {
            using (batch ??= LakeTestData.KeyValue(KeyValue, keys, run * 1000))
            {
                await writer.WriteAsync(batch);
            }

            await writer.PrepareAsync(new SinkCommit("p", run, context.RunId, new Dictionary<string, string>()));
            await writer.CommitAsync();
        }
    }

    /// <summary>DuckDB reads exactly the files of one snapshot (where they are now) and counts the rows.</summary>
    private static long DuckCount(LakeSnapshot snapshot)
    {
        Assert.All(snapshot.Files, f => Assert.True(File.Exists(f.FullPath), $"version {snapshot.Version} needs {f.Path}"));
        if (snapshot.Files.Count == 0)
        {
            return 0;
        }

        var list = string.Join(", ", snapshot.Files.Select(f => "'" + f.FullPath.Replace("'", "''", StringComparison.Ordinal) + "'"));
        return Convert.ToInt64(Duck.Scalar($"SELECT count(*) FROM read_parquet([{list}])"), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Overwrite_KeepsTheOlderSnapshotReadable_WhileGlobReadersSeeOnlyTheLatest()
    {
        using var temp = new TempLake();
        var time = new FakeTimeProvider(Start);
        await CommitAsync(temp.Root, time, 1, ["a", "a", "b"]);
        time.Advance(TimeSpan.FromHours(1));
        await CommitAsync(temp.Root, time, 2, ["a"], LakeWriteMode.OverwritePartitions);

        Assert.Equal(2, Duck.Count(temp.Root));
        var lake = await LakeDataset.OpenAsync(temp.Root);
        var old = lake.GetSnapshot(1);
        Assert.Contains(old.Files, f => f.FullPath.Contains("_dataeng", StringComparison.Ordinal));
        Assert.Equal(3, DuckCount(old));
        var read = await LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root, new LakeReadOptions { SnapshotVersion = 1 }));
        Assert.Equal(3, read.Sum(b => b.Length));
        read.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task VacuumAsync_KeepLastVersions_DeletesOnlyAfterTheGracePeriod_AndExpiredVersionsFailByName()
    {
        using var temp = new TempLake();
        var time = new FakeTimeProvider(Start);
        await CommitAsync(temp.Root, time, 1, ["a", "b"]);
        time.Advance(TimeSpan.FromMinutes(10));
        await CommitAsync(temp.Root, time, 2, ["a"], LakeWriteMode.OverwritePartitions);
        time.Advance(TimeSpan.FromMinutes(10));
        await CommitAsync(temp.Root, time, 3, ["a", "a"], LakeWriteMode.OverwritePartitions);
        var lake = await LakeDataset.OpenAsync(temp.Root);
        var v1 = lake.GetSnapshot(1).Files.Single(f => f.PartitionValues[0] == "a");
        var v2 = lake.GetSnapshot(2).Files.Single(f => f.PartitionValues[0] == "a");

        var options = new LakeVacuumOptions { KeepLastVersions = 1, KeepNewerThan = null, GracePeriod = TimeSpan.FromHours(1), TimeProvider = time };
        var first = await lake.VacuumAsync(options);
        Assert.Equal(4, first.Version);
        Assert.Equal([1L, 2L], first.ExpiredVersions);
        Assert.Equal(3, first.OldestRetainedVersion);
        Assert.Empty(first.Files); // expired just now: readers that opened version 1 or 2 get the grace period
        Assert.True(File.Exists(RetiredPath(temp.Root, v1.Path)));

        var error = Assert.Throws<LakeVersionExpiredException>(() => lake.GetSnapshot(2));
        Assert.Contains("Version 2 ", error.Message, StringComparison.Ordinal);
        Assert.Contains("the last 1 versions", error.Message, StringComparison.Ordinal);
        Assert.Contains("version 4", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.OldestRetainedVersion);
        await Assert.ThrowsAsync<LakeVersionExpiredException>(() => LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root, new LakeReadOptions { SnapshotVersion = 1 })));

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Empty((await lake.VacuumAsync(options)).Files);
        time.Advance(TimeSpan.FromMinutes(1));
        var dry = await lake.VacuumAsync(new LakeVacuumOptions { KeepLastVersions = 1, KeepNewerThan = null, GracePeriod = TimeSpan.FromHours(1), TimeProvider = time, DryRun = true });
        Assert.True(File.Exists(RetiredPath(temp.Root, v1.Path)));
        var real = await lake.VacuumAsync(options);
        Assert.Equal([v1.Path, v2.Path], real.Files.Order(StringComparer.Ordinal));
        Assert.Equal(dry.Files, real.Files);
        Assert.Equal(dry.Bytes, real.Bytes);
        Assert.Equal(v1.SizeBytes + v2.SizeBytes, real.Bytes);
        Assert.False(File.Exists(RetiredPath(temp.Root, v1.Path)));
        Assert.False(File.Exists(RetiredPath(temp.Root, v2.Path)));
        Assert.Equal(3, DuckCount(lake.Latest!));
        Assert.Equal(3, Duck.Count(temp.Root));
        Assert.Equal(LakeOperation.Vacuum, lake.Commits[^1].Operation);
    }

    [Fact]
    public async Task RecoverAsync_CommitAbandonedAfterItsManifest_RetiresTheReplacedFiles_SoTheOlderSnapshotStaysReadable()
    {
        using var temp = new TempLake();
        var time = new FakeTimeProvider(Start);
        await CommitAsync(temp.Root, time, 1, ["a", "a", "b"]);
        var replaced = (await LakeDataset.OpenAsync(temp.Root)).Latest!.Files.Single(f => f.PartitionValues[0] == "a");

        // The overwrite is published, then its process "dies" before step 10 moves the replaced file.
        await Assert.ThrowsAnyAsync<Exception>(() => CommitAsync(temp.Root, time, 2, ["a"], LakeWriteMode.OverwritePartitions, configure: o =>
            o.CommitObserver = s => { if (s == LakeCommitStep.ManifestPublished) { throw new InvalidOperationException("killed"); } }));
        Assert.True(File.Exists(replaced.FullPath));

        var lake = await LakeDataset.OpenAsync(temp.Root);
        Assert.Equal(2, lake.Version);
        var recovered = await lake.RecoverAsync();
        Assert.Equal(1, recovered.ReplacedFiles);
        Assert.False(File.Exists(replaced.FullPath));
        Assert.True(File.Exists(RetiredPath(temp.Root, replaced.Path)));
        Assert.Equal(3, DuckCount(lake.GetSnapshot(1)));
        Assert.Equal(2, Duck.Count(temp.Root));
    }

    [Fact]
    public async Task VacuumAsync_ExpiredVersions_StillFailByName_WhenTheLakeOpensFromALaterCheckpoint()
    {
        using var temp = new TempLake();
        var time = new FakeTimeProvider(Start);
        await CommitAsync(temp.Root, time, 1, ["a", "b"]);
        await CommitAsync(temp.Root, time, 2, ["a"], LakeWriteMode.OverwritePartitions);
        var vacuum = await (await LakeDataset.OpenAsync(temp.Root)).VacuumAsync(new LakeVacuumOptions { KeepLastVersions = 1, KeepNewerThan = null, TimeProvider = time });
        Assert.Equal(3, vacuum.Version);

        // Version 4 checkpoints the log: opening now reads the checkpoint and no manifest.
        await CommitAsync(temp.Root, time, 3, ["c"], configure: o => o.CheckpointInterval = 1);
        Assert.True(File.Exists(Path.Combine(temp.Root, "_dataeng", "checkpoints", 4L.ToString("D20", CultureInfo.InvariantCulture) + ".checkpoint.json")));

        var lake = await LakeDataset.OpenAsync(temp.Root);
        var error = Assert.Throws<LakeVersionExpiredException>(() => lake.GetSnapshot(1));
        Assert.Equal(2, error.OldestRetainedVersion);
        Assert.Contains("version 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, lake.GetSnapshot(2).Version);
    }

    [Fact]
    public async Task VacuumAsync_KeepNewerThan_KeepsEveryVersionCommittedAfterTheCutoff()
    {
        using var temp = new TempLake();
        var time = new FakeTimeProvider(Start);
        for (var run = 1; run <= 5; run++)
        {
            await CommitAsync(temp.Root, time, run, ["a"], LakeWriteMode.OverwritePartitions);
            time.Advance(TimeSpan.FromDays(1));
        }

        // Versions at day 0..4, now is day 5: newer than 2.5 days keeps days 3 and 4 (versions 4 and 5).
        var lake = await LakeDataset.OpenAsync(temp.Root);
        var result = await lake.VacuumAsync(new LakeVacuumOptions { KeepNewerThan = TimeSpan.FromDays(2.5), GracePeriod = TimeSpan.Zero, TimeProvider = time });
        Assert.Equal(4, result.OldestRetainedVersion);
        Assert.Equal([1L, 2L, 3L], result.ExpiredVersions);
        Assert.Equal(3, result.Files.Count); // grace zero: the files of versions 1-3 go at once
        for (var v = 4; v <= lake.Version; v++)
        {
            Assert.Equal(1, DuckCount(lake.GetSnapshot(v)));
        }

        // Both rules: the union keeps more.
        time.Advance(TimeSpan.FromDays(10));
        var both = await lake.VacuumAsync(new LakeVacuumOptions { KeepNewerThan = TimeSpan.FromDays(1), KeepLastVersions = 2, GracePeriod = TimeSpan.Zero, TimeProvider = time, DryRun = true });
        Assert.Equal(lake.Version - 1, both.OldestRetainedVersion);
    }

    [Fact]
    public async Task VacuumAsync_Orphans_GoOnlyPastTheGracePeriodAndNeverWhenAPlanNamesThem()
    {
        using var temp = new TempLake();
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await CommitAsync(temp.Root, time, 1, ["a"]);
        var old = Path.Combine(temp.Root, "k=a", "crashed-old.parquet");
        var fresh = Path.Combine(temp.Root, "k=a", "crashed-fresh.parquet");
        var planned = Path.Combine(temp.Root, "k=b", "live-writer.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(planned)!);
        foreach (var path in new[] { old, fresh, planned })
        {
            await File.WriteAllTextAsync(path, "x");
        }

        File.SetLastWriteTimeUtc(old, time.GetUtcNow().UtcDateTime.AddDays(-2));
        File.SetLastWriteTimeUtc(planned, time.GetUtcNow().UtcDateTime.AddDays(-2));
        // A live writer's staging folder whose plan names a file already renamed into place.
        var staging = Path.Combine(temp.Root, "_dataeng", "staging", "live-1");
        Directory.CreateDirectory(staging);
        await File.WriteAllTextAsync(Path.Combine(staging, "plan.json"), "[\"k=b/live-writer.parquet\"]");
        using var held = new FileStream(staging + ".lock", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);

        var lake = await LakeDataset.OpenAsync(temp.Root);
        var result = await lake.VacuumAsync(new LakeVacuumOptions { TimeProvider = time });
        Assert.Equal(["k=a/crashed-old.parquet"], result.OrphanFiles);
        Assert.Equal(["k=a/crashed-old.parquet"], result.Files);
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(planned));
        Assert.Equal(1, DuckCount(lake.Latest!));
    }

    [Fact]
    public async Task DropPartitionsAsync_DayPartitionsOlderThanTheLimit_GoInOneCommit_AndStayReadableInOlderSnapshots()
    {
        using var temp = new TempLake();
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 4, 15, 12, 0, 0, TimeSpan.Zero));
        var options = new LakeWriteOptions();
        options.PartitionBy.Add(PartitionSpec.Day("ts"));
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 3000, days: 30)]);
        var lake = await LakeDataset.OpenAsync(temp.Root);
        var before = lake.Latest!;

        // 2024-03-01..30; now 2024-04-15 12:00; older than 30 days: every day ending by 2024-03-16 12:00 (1st to 15th).
        var drop = new LakeDropPartitionsOptions { PartitionColumn = "ts_day", OlderThan = TimeSpan.FromDays(30), TimeProvider = time };
        var dry = await lake.DropPartitionsAsync(new LakeDropPartitionsOptions { PartitionColumn = "ts_day", OlderThan = TimeSpan.FromDays(30), TimeProvider = time, DryRun = true });
        Assert.Null(dry.Version);
        Assert.Equal(before.Version, lake.Version);
        var result = await lake.DropPartitionsAsync(drop);
        Assert.Equal(dry.Files, result.Files);
        Assert.Equal(15, result.Partitions.Count);
        Assert.Equal("ts_day=2024-03-01", result.Partitions[0]);
        Assert.Equal("ts_day=2024-03-15", result.Partitions[^1]);
        Assert.Equal(before.Version + 1, result.Version);
        Assert.Single(lake.Commits, c => c.Operation == LakeOperation.DropPartitions);

        var expected = before.Partitions.Where(p => string.CompareOrdinal(p.Path, "ts_day=2024-03-16") >= 0).Sum(p => p.RowCount);
        Assert.Equal(expected, Duck.Count(temp.Root));
        Assert.Equal(expected, result.Version is { } v ? DuckCount(lake.GetSnapshot(v)) : -1);
        Assert.Equal(3000 - expected, result.Rows);
        Assert.Equal(3000, DuckCount(lake.GetSnapshot(before.Version)));
        Assert.Null((await lake.DropPartitionsAsync(drop)).Version);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => lake.DropPartitionsAsync(new LakeDropPartitionsOptions { PartitionColumn = "dt", OlderThan = TimeSpan.FromDays(1) }));
        Assert.Contains("'ts_day'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropPartitionsAsync_NotATimePartition_FailsNamingTheColumn()
    {
        using var temp = new TempLake();
        var time = new FakeTimeProvider(Start);
        await CommitAsync(temp.Root, time, 1, ["a"]);
        var lake = await LakeDataset.OpenAsync(temp.Root);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => lake.DropPartitionsAsync(new LakeDropPartitionsOptions { PartitionColumn = "k", OlderThan = TimeSpan.FromDays(1) }));
        Assert.Contains("'k'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a time partition", error.Message, StringComparison.Ordinal);
        var invalid = await Assert.ThrowsAsync<DataEngValidationException>(() => lake.VacuumAsync(new LakeVacuumOptions { KeepLastVersions = 0, GracePeriod = TimeSpan.FromHours(-1) }));
        Assert.Contains(nameof(LakeVacuumOptions.KeepLastVersions), invalid.Message, StringComparison.Ordinal);
        Assert.Equal(2, invalid.Problems.Count);
        Assert.Contains(nameof(LakeVacuumOptions.GracePeriod), invalid.Message, StringComparison.Ordinal);
    }

    private static string RetiredPath(string root, string relative) => Path.Combine(root, "_dataeng", "retired", relative + ".retired");

    /// <summary>One step of a random history: a commit (append, overwrite, compaction) or a vacuum, after a clock advance.</summary>
    private sealed record Op(int Kind, int Keys, int AdvanceMinutes, int? KeepLast, int? KeepNewerMinutes, int GraceMinutes, bool DryFirst)
    {
        public override string ToString() => Kind switch
        {
            0 => $"+{AdvanceMinutes}m append {Keys}",
            1 => $"+{AdvanceMinutes}m overwrite {Keys}",
            2 => $"+{AdvanceMinutes}m compact",
            _ => $"+{AdvanceMinutes}m vacuum last={KeepLast} newer={KeepNewerMinutes}m grace={GraceMinutes}m dry={DryFirst}",
        };
    }

    [Fact]
    public void VacuumAsync_RandomHistories_DeleteExactlyWhatTheModelSays()
    {
        var op = Gen.Select(Gen.Int[0, 3], Gen.Int[1, 3], Gen.Int[0, 120], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 2], Gen.Bool)
            .Select((kind, keys, advance, last, newer, grace, dry) => new Op(kind, keys, advance, last == 0 ? null : last, newer == 0 ? null : newer * 60, grace * 60, dry));
        op.List[1, 10].Sample(ops => RunHistoryAsync(ops).GetAwaiter().GetResult(), iter: 25, threads: 1);
    }

    private static async Task RunHistoryAsync(List<Op> ops)
    {
        using var temp = new TempLake();
        var time = new FakeTimeProvider(Start);
        var lake = await LakeDataset.OpenAsync(temp.Root);

        // The model: each version's file set and time; the oldest retained version; when each file stopped being needed.
        var versions = new List<(HashSet<string> Files, DateTimeOffset At)> { ([], Start) };
        long oldest = 1;
        var unneededSince = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        long run = 0;
        foreach (var o in ops)
        {
            time.Advance(TimeSpan.FromMinutes(o.AdvanceMinutes));
            var now = time.GetUtcNow();
            if (o.Kind <= 2)
            {
                if (o.Kind == 2)
                {
                    await lake.CompactAsync(new LakeCompactionOptions { TimeProvider = time });
                }
                else
                {
                    var keys = Enumerable.Range(0, o.Keys).Select(i => ((char)('a' + ((run + i) % 3))).ToString()).ToArray();
                    await CommitAsync(temp.Root, time, ++run, keys, o.Kind == 1 ? LakeWriteMode.OverwritePartitions : LakeWriteMode.Append);
                }

                await lake.RefreshAsync();
                while (versions.Count <= lake.Version)
                {
                    versions.Add((lake.Latest!.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal), now));
                }

                continue;
            }

            if (lake.Version == 0)
            {
                continue;
            }

            var options = new LakeVacuumOptions { KeepLastVersions = o.KeepLast, KeepNewerThan = o.KeepNewerMinutes is { } m ? TimeSpan.FromMinutes(m) : null, GracePeriod = TimeSpan.FromMinutes(o.GraceMinutes), TimeProvider = time };

            // Model: retained = the last K, or committed after now - N (a suffix), never fewer than before.
            var latest = versions.Count - 1;
            long? start = null;
            if (o.KeepLast is { } k)
            {
                start = Math.Max(1, latest - k + 1);
            }

            if (o.KeepNewerMinutes is { } minutes)
            {
                var cutoff = now - TimeSpan.FromMinutes(minutes);
                var first = Enumerable.Range(1, latest).FirstOrDefault(v => versions[v].At > cutoff, latest);
                start = start is { } s ? Math.Min(s, first) : first;
            }

            var newOldest = Math.Max(oldest, start ?? oldest);
            var needed = Enumerable.Range((int)newOldest, latest - (int)newOldest + 1).SelectMany(v => versions[v].Files).ToHashSet(StringComparer.Ordinal);
            foreach (var file in versions.SelectMany(v => v.Files).Distinct())
            {
                if (!needed.Contains(file))
                {
                    unneededSince.TryAdd(file, now);
                }
            }

            var expected = unneededSince.Where(p => !deleted.Contains(p.Key) && now - p.Value >= options.GracePeriod).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();

            LakeVacuumResult? dry = null;
            if (o.DryFirst)
            {
                options.DryRun = true;
                dry = await lake.VacuumAsync(options);
                options.DryRun = false;
            }

            var result = await lake.VacuumAsync(options);
            Assert.Equal(expected, result.Files);
            Assert.Equal(newOldest, result.OldestRetainedVersion);
            if (dry is not null)
            {
                Assert.Equal(result.Files, dry.Files);
                Assert.Equal(result.ExpiredVersions, dry.ExpiredVersions);
                Assert.Equal(result.Bytes, dry.Bytes);
            }

            deleted.UnionWith(expected);
            oldest = newOldest;
            await lake.RefreshAsync();
            if (result.Version is not null)
            {
                versions.Add((versions[^1].Files, now));
            }

            Assert.Equal(versions.Count - 1, lake.Version);

            // Every retained version is complete on disk; every expired one fails by name.
            for (var v = oldest; v <= lake.Version; v++)
            {
                var snapshot = lake.GetSnapshot(v);
                Assert.All(snapshot.Files, f => Assert.True(File.Exists(f.FullPath), $"version {v} lost {f.Path}"));
            }

            if (oldest > 1)
            {
                Assert.Throws<LakeVersionExpiredException>(() => lake.GetSnapshot(oldest - 1));
            }

            foreach (var file in deleted)
            {
                Assert.False(File.Exists(RetiredPath(temp.Root, file)) || File.Exists(Path.Combine(temp.Root, file)), file);
            }
        }
    }
}
