using System.Globalization;
using DataEng.Core.Tests.Lake;
using Xunit.Abstractions;

namespace DataEng.Core.Tests.Crash;

/// <summary>
/// Real processes (tests/DataEng.Core.CrashHost, <c>lifecycle</c> mode) vacuum a lake or drop its old partitions and are
/// killed with SIGKILL at every step of that commit (and at every file the vacuum deletes) and at random moments. After
/// each kill, recovery, and again after a re-run finishes the job, DuckDB reads the files of every retained snapshot
/// and its row count and id sum match what that version held when it was committed.
/// </summary>
[Collection(CrashCollection.Name)]
[Trait("Category", "Crash")]
public class LakeRetentionCrashTests(ITestOutputHelper output)
{
    private static readonly string[] CommitPoints =
    [
        nameof(LakeCommitStep.CommitPlanWritten), nameof(LakeCommitStep.FilesRenamed), nameof(LakeCommitStep.DirectoriesSynced),
        nameof(LakeCommitStep.ManifestWritten), nameof(LakeCommitStep.ManifestPublished), nameof(LakeCommitStep.OldFilesRemoved),
        nameof(LakeCommitStep.Completed),
    ];

    [Fact]
    public async Task VacuumAndPartitionDrop_KilledAtEveryStep_RetainedSnapshotsStayCompleteAndAReRunFinishes()
    {
        using var temp = new TempLake();
        var template = Path.Combine(temp.Parent, "template");
        var expected = await BuildAsync(template);
        var scenarios = new List<(string Op, string Point, int K)>();
        foreach (var point in CommitPoints)
        {
            scenarios.Add(("vacuum", point, 1));
            scenarios.Add(("drop", point, 1));
        }

        foreach (var k in new[] { 1, 2, 5 })
        {
            scenarios.Add(("vacuum", nameof(LakeCommitStep.FileVacuumed), k));
        }

        var index = 0;
        foreach (var (op, point, k) in scenarios)
        {
            var root = Path.Combine(temp.Parent, "kill-" + (index++).ToString(CultureInfo.InvariantCulture));
            Copy(template, root);
            var code = await RunChildAsync([op, root, point, k.ToString(CultureInfo.InvariantCulture)], killAfter: null);
            Assert.True(code == ChildProcess.KilledExitCode, $"{op} at {point} #{k}: exited with {code} instead of dying");
            await CheckAsync(root, expected, $"{op} killed at {point} #{k}");
            Assert.Equal(0, await RunChildAsync([op, root], killAfter: null));
            await CheckFinishedAsync(root, op, expected, $"{op} re-run after {point} #{k}");
        }
    }

    [Fact]
    public async Task VacuumAndPartitionDrop_KilledAtRandomMoments_RetainedSnapshotsStayCompleteAndAReRunFinishes()
    {
        using var temp = new TempLake();
        var template = Path.Combine(temp.Parent, "template");
        var expected = await BuildAsync(template);
        var seed = int.TryParse(Environment.GetEnvironmentVariable("DATAENG_CRASH_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 4711;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var i = 0; i < 16; i++)
        {
            var op = i % 2 == 0 ? "vacuum" : "drop";
            var root = Path.Combine(temp.Parent, "random-" + i.ToString(CultureInfo.InvariantCulture));
            Copy(template, root);
            var delay = TimeSpan.FromMilliseconds(random.Next(50, 900));
            var code = await RunChildAsync([op, root], delay);
            output.WriteLine($"{op} after {delay.TotalMilliseconds} ms: exit {code}");
            await CheckAsync(root, expected, $"{op} killed after {delay.TotalMilliseconds} ms (seed {seed})");
            Assert.Equal(0, await RunChildAsync([op, root], killAfter: null));
            await CheckFinishedAsync(root, op, expected, $"{op} re-run (seed {seed})");
        }
    }

    /// <summary>Appends, overwrites and compacts a day-partitioned lake; returns each version's rows and id sum.</summary>
    private static async Task<Dictionary<long, (long Rows, long Sum)>> BuildAsync(string root)
    {
        var overwrite = LakeTestData.Options(PartitionSpec.Day("ts"));
        overwrite.Mode = LakeWriteMode.OverwritePartitions;
        await LakeTestData.WriteAsync(root, LakeTestData.Options(PartitionSpec.Day("ts")), LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 600)], run: 1);
        await LakeTestData.WriteAsync(root, overwrite, LakeTestData.Orders, [LakeTestData.OrdersBatch(600, 200, days: 10)], run: 2);
        await LakeTestData.WriteAsync(root, LakeTestData.Options(PartitionSpec.Day("ts")), LakeTestData.Orders, [LakeTestData.OrdersBatch(800, 300)], run: 3);
        await LakeTestData.WriteAsync(root, overwrite, LakeTestData.Orders, [LakeTestData.OrdersBatch(1100, 100, days: 20)], run: 4);
        var lake = await LakeDataset.OpenAsync(root);
        await lake.CompactAsync();
        var expected = new Dictionary<long, (long, long)>();
        for (var v = 1; v <= lake.Version; v++)
        {
            var snapshot = lake.GetSnapshot(v);
            expected[v] = (snapshot.RowCount, DuckSum(snapshot).Sum);
        }

        return expected;
    }

    /// <summary>Recovers, then reads every retained version with DuckDB from exactly its files.</summary>
    private static async Task CheckAsync(string root, Dictionary<long, (long Rows, long Sum)> expected, string what)
    {
        var lake = await LakeDataset.OpenAsync(root);
        await lake.RecoverAsync();
        var oldest = Enumerable.Range(1, (int)lake.Version).First(v => Retained(lake, v));
        for (long v = oldest; v <= lake.Version; v++)
        {
            var snapshot = lake.GetSnapshot(v);
            var (rows, sum) = DuckSum(snapshot);
            Assert.True(rows == snapshot.RowCount, $"{what}: version {v} reads {rows} rows, its manifest says {snapshot.RowCount}");
            if (expected.TryGetValue(v, out var e))
            {
                Assert.True((rows, sum) == e, $"{what}: version {v} reads {rows} rows (sum {sum}), committed with {e.Rows} (sum {e.Sum})");
            }
        }

        // Glob readers see exactly the latest snapshot.
        Assert.Equal(lake.Latest!.RowCount, Duck.Count(root));
    }

    private static async Task CheckFinishedAsync(string root, string op, Dictionary<long, (long Rows, long Sum)> expected, string what)
    {
        await CheckAsync(root, expected, what);
        var lake = await LakeDataset.OpenAsync(root);
        if (op == "vacuum")
        {
            // Nothing is left that no retained version needs.
            var needed = new HashSet<string>(StringComparer.Ordinal);
            for (var v = Enumerable.Range(1, (int)lake.Version).First(v => Retained(lake, v)); v <= lake.Version; v++)
            {
                needed.UnionWith(lake.GetSnapshot(v).Files.Select(f => f.Path));
            }

            var retired = Path.Combine(root, "_dataeng", "retired");
            var left = Directory.Exists(retired) ? Directory.EnumerateFiles(retired, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(retired, p)[..^".retired".Length].Replace(Path.DirectorySeparatorChar, '/')).ToList() : [];
            Assert.All(left, p => Assert.True(needed.Contains(p), $"{what}: {p} is left though no retained version needs it"));
            Assert.Equal(expected.Count, lake.Commits.Count(c => c.Operation != LakeOperation.Vacuum));
        }
        else
        {
            Assert.Single(lake.Commits, c => c.Operation == LakeOperation.DropPartitions);
            Assert.DoesNotContain(lake.Latest!.Partitions, p => string.CompareOrdinal(p.Path, "ts_day=2024-03-16") < 0);
        }
    }

    private static bool Retained(LakeDataset lake, long version)
    {
        try
        {
            lake.GetSnapshot(version);
            return true;
        }
        catch (LakeVersionExpiredException)
        {
            return false;
        }
    }

    private static (long Rows, long Sum) DuckSum(LakeSnapshot snapshot)
    {
        Assert.All(snapshot.Files, f => Assert.True(File.Exists(f.FullPath), $"version {snapshot.Version} lost {f.Path}"));
        if (snapshot.Files.Count == 0)
        {
            return (0, 0);
        }

        var list = string.Join(", ", snapshot.Files.Select(f => "'" + f.FullPath.Replace("'", "''", StringComparison.Ordinal) + "'"));
        var row = Duck.Query($"SELECT count(*), coalesce(sum(id), 0) FROM read_parquet([{list}])")[0];
        return (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
    }

    private async Task<int> RunChildAsync(string[] arguments, TimeSpan? killAfter)
    {
        await using var child = ChildProcess.StartDotnet(ChildProcess.BuiltPath("CrashHostPath"), ["lifecycle", .. arguments], Path.GetDirectoryName(arguments[1])!);
        if (killAfter is { } delay)
        {
            var exited = child.WaitForExitAsync();
            if (await Task.WhenAny(exited, Task.Delay(delay)) != exited)
            {
                child.Kill();
            }

            return await exited;
        }

        var code = await child.WaitForExitAsync();
        if (code != 0 && code != ChildProcess.KilledExitCode)
        {
            output.WriteLine(child.StandardError);
        }

        return code;
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
