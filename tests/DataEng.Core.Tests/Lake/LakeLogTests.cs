using System.Globalization;
using CsCheck;
using DataEng.Core.Tests.Incremental;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Lake;

/// <summary>
/// The lake log with checkpoints (docs/lake.md, "The log"): the state read from a checkpoint and the manifests after it
/// is the state folded from every manifest; damaged checkpoints are ignored, or refused when the manifests they stand
/// for are gone; time travel and history still work; glob readers see the same data.
/// </summary>
public class LakeLogTests
{
    private static readonly LakeTableSchema Table = new(LakeTestData.Orders, [PartitionSpec.Identity("currency")], keepPartitionColumns: false);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>One commit of a generated log: what it does, which pipeline made it (null: compaction), and a
    /// partition index and a size that the model turns into paths.</summary>
    private sealed record Op(LakeOperation Operation, int Pipeline, bool SkipRun, int Partition, int Files);

    private static readonly Gen<Op> GenOp = Gen.Select(
        Gen.Int[0, 9].Select(static i => i < 6 ? LakeOperation.Append : i < 8 ? LakeOperation.Overwrite : LakeOperation.Compact),
        Gen.Int[0, 2],
        Gen.Int[0, 4].Select(static i => i == 0),
        Gen.Int[0, 3],
        Gen.Int[1, 3],
        static (operation, pipeline, skip, partition, files) => new Op(operation, pipeline, skip, partition, files));

    [Fact]
    public void RefreshAsync_CheckpointPlusTail_EqualsTheFullFoldForRandomCommitSequences()
    {
        Gen.Select(GenOp.List[1, 60], Gen.Int[1, 8], Gen.Int[0, 3]).Sample(static (ops, interval, expired) =>
        {
            using var temp = new TempLake();
            var layout = new LakeLayout(temp.Root);
            var commits = Generate(ops);
            var full = new LakeState();
            var states = new List<LakeState> { new() };
            var checkpoints = new List<long>();
            foreach (var commit in commits)
            {
                LakeLogWriter.AppendManifest(layout, commit);
                full.Apply(commit);
                states.Add(full.Clone());
                if (commit.Version % interval == 0)
                {
                    LakeLogWriter.WriteCheckpoint(layout, full);
                    checkpoints.Add(commit.Version);
                }
            }

            // Expiry as retention may do it (invariant 5): manifests at or below an older checkpoint are gone.
            var kept = expired > 0 && checkpoints.Count >= expired ? checkpoints[^expired] : 0;
            for (var v = 1L; v <= kept; v++)
            {
                File.Delete(layout.CommitFile(v));
            }

            var log = new LakeLog(layout);
            log.RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();

            Assert.Equal(checkpoints.LastOrDefault(), log.BaseVersion);
            AssertSame(full, log.Latest);
            for (var v = 1L; v <= commits.Count; v++)
            {
                // Readable when the manifests after some checkpoint at or below it are all there.
                if (v >= kept || checkpoints.Contains(v))
                {
                    AssertSame(states[(int)v], log.StateAt(v));
                }
                else
                {
                    var error = Assert.Throws<DataFormatException>(() => log.StateAt(v));
                    Assert.Contains("is gone (expired)", error.Message, StringComparison.Ordinal);
                }
            }

            Assert.Equal(commits.Where(c => c.Version > kept).Select(static c => c.Version), log.Commits.Select(static c => c.Version));
        }, iter: 60);
    }

    [Fact]
    public void RunSet_RunsAddedInAnyOrder_HoldsExactlyThemAsSortedSeparateRanges()
    {
        Gen.Long[1, 60].List[0, 80].Sample(static runs =>
        {
            var set = new RunSet();
            runs.ForEach(set.Add);
            var model = runs.ToHashSet();
            Assert.All(Enumerable.Range(0, 62).Select(static i => (long)i), r => Assert.Equal(model.Contains(r), set.Contains(r)));
            Assert.Equal(model.Order(), set.Ranges.SelectMany(static r => Enumerable.Range((int)r.First, (int)(r.Last - r.First + 1)).Select(static i => (long)i)));
            Assert.All(set.Ranges.Zip(set.Ranges.Skip(1)), p => Assert.True(p.Second.First > p.First.Last + 1));
        });
    }

    /// <summary>Turns generated operations into a valid log: overwrites replace a partition's live files, compactions
    /// merge two or more of them, run numbers count up per pipeline (with gaps).</summary>
    private static List<CommitRecord> Generate(IReadOnlyList<Op> ops)
    {
        var live = new List<DataFileRecord>();
        var runs = new long[3];
        var commits = new List<CommitRecord>();
        foreach (var op in ops)
        {
            var version = commits.Count + 1L;
            var partition = LakeTestData.Currencies[op.Partition];
            var inPartition = live.Where(f => f.Partition[0] == partition).ToList();
            var operation = op.Operation == LakeOperation.Compact && inPartition.Count < 2 ? LakeOperation.Append : op.Operation;
            var removed = operation == LakeOperation.Append ? [] : inPartition.Select(static f => f.Path).ToList();
            var added = Enumerable.Range(0, operation == LakeOperation.Compact ? 1 : op.Files)
                .Select(i => new DataFileRecord($"currency={partition}/part-{version}-{i}.parquet", [partition], (version * 10) + i, 1000 + i))
                .ToList();
            live.RemoveAll(f => removed.Contains(f.Path));
            live.AddRange(added);
            string? pipeline = null;
            long? run = null;
            if (operation != LakeOperation.Compact)
            {
                runs[op.Pipeline] += op.SkipRun ? 2 : 1;
                pipeline = "p" + op.Pipeline.ToString(CultureInfo.InvariantCulture);
                run = runs[op.Pipeline];
            }

            commits.Add(new CommitRecord
            {
                Version = version,
                Operation = operation,
                Timestamp = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(version),
                PipelineName = pipeline,
                RunNumber = run,
                RunId = run is null ? null : "run-" + version.ToString(CultureInfo.InvariantCulture),
                Properties = pipeline is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["incremental.watermark"] = "int:" + version.ToString(CultureInfo.InvariantCulture) },
                Schema = Table,
                Added = added,
                Removed = removed,
            });
        }

        return commits;
    }

    /// <summary>Compares two states field by field (the model's fold against the log's).</summary>
    private static void AssertSame(LakeState expected, LakeState actual)
    {
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(
            expected.Files.OrderBy(static f => f.Key, StringComparer.Ordinal).Select(static f => (f.Key, f.Value.Version, f.Value.Record.Rows, f.Value.Record.Bytes, string.Join('/', f.Value.Record.Partition))),
            actual.Files.OrderBy(static f => f.Key, StringComparer.Ordinal).Select(static f => (f.Key, f.Value.Version, f.Value.Record.Rows, f.Value.Record.Bytes, string.Join('/', f.Value.Record.Partition))));
        Assert.Equal(expected.Pipelines.Keys.Order(), actual.Pipelines.Keys.Order());
        foreach (var (name, history) in expected.Pipelines)
        {
            var other = actual.Pipelines[name];
            Assert.Equal(history.Runs.Ranges, other.Runs.Ranges);
            Assert.Equal(history.Last!.Version, other.Last!.Version);
            Assert.Equal(history.Last.RunId, other.Last.RunId);
            Assert.Equal(history.Last.Properties, other.Last.Properties);
        }

        if (expected.Version > 0)
        {
            Assert.True(SchemaComparer.Equivalent(expected.Schema!.InputSchema, actual.Schema!.InputSchema, compareNullability: true));
            Assert.Equal(expected.Schema.Partitioning.Select(static p => p.Name), actual.Schema.Partitioning.Select(static p => p.Name));

            // Canonical bytes: what a checkpoint of either would hold.
            Assert.Equal(LakeCheckpoint.Serialize(expected), LakeCheckpoint.Serialize(actual));
        }
    }

    private Pipeline Build(OrdersDb db, string root, int interval, Action<LakeCommitStep>? observer = null)
    {
        var options = LakeTestData.Options(PartitionSpec.Identity("note"));
        options.CheckpointInterval = interval;
        options.CommitObserver = observer;
        return Pipeline.Create("orders")
            .Extract(DataEng.Core.Sql.Incremental(db.Open, db.Table, new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"] }))
            .Load(Core.Lake.Write(root, options))
            .Configure(o => o.TimeProvider = _time)
            .Build();
    }

    /// <summary>Runs the pipeline <paramref name="runs"/> times, 3 new rows each.</summary>
    private static async Task RunAsync(OrdersDb db, Pipeline pipeline, int runs)
    {
        for (var i = 0; i < runs; i++)
        {
            var first = db.AllIds.Count + 1;
            for (var ts = first; ts < first + 3; ts++)
            {
                db.Insert(ts, ts % 2 == 0 ? "even" : "odd");
            }

            await pipeline.RunIncrementalAsync();
        }
    }

    private static List<long> Ids(string root)
        => Duck.Query($"SELECT id FROM {Duck.Glob(root)} ORDER BY id").Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();

    [Fact]
    public async Task RunIncrementalAsync_EveryIntervalVersions_WritesACheckpointAndReadersSeeTheSameRows()
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        var pipeline = Build(db, temp.Root, interval: 3);
        await RunAsync(db, pipeline, 7);

        var layout = new LakeLayout(temp.Root);
        Assert.Equal(
            [layout.CheckpointFile(3), layout.CheckpointFile(6)],
            Directory.GetFiles(layout.Checkpoints).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Staging));

        // DuckDB's glob read and our manifest read agree, and match what a full fold of the manifests says.
        Assert.Equal(db.AllIds, Ids(temp.Root));
        var batches = await LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root));
        Assert.Equal(db.AllIds, batches.SelectMany(b => ((Apache.Arrow.Int64Array)b.Column("id")).Values.ToArray()).Order());
        batches.ForEach(b => b.Dispose());
        var withCheckpoint = await Core.Lake.OpenAsync(temp.Root);
        Directory.Delete(layout.Checkpoints, recursive: true);
        var withoutCheckpoint = await Core.Lake.OpenAsync(temp.Root);
        Assert.Equal(6, withCheckpoint.Log.BaseVersion);
        Assert.Equal(0, withoutCheckpoint.Log.BaseVersion);
        AssertSame(withoutCheckpoint.Log.Latest, withCheckpoint.Log.Latest);
        Assert.Equal(7, withCheckpoint.Commits.Count);
        Assert.Equal(withoutCheckpoint.GetSnapshot(2).Files.Select(static f => f.Path), withCheckpoint.GetSnapshot(2).Files.Select(static f => f.Path));
    }

    public static TheoryData<string> Damages => ["empty", "torn", "flipped byte", "not a checkpoint", "another version"];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task OpenAsync_NewestCheckpointDamaged_IsIgnoredInFavourOfAnOlderOneAndTheManifests(string damage)
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        var pipeline = Build(db, temp.Root, interval: 2);
        await RunAsync(db, pipeline, 5);
        var layout = new LakeLayout(temp.Root);
        var expected = (await Core.Lake.OpenAsync(temp.Root)).Log.Latest;
        Damage(layout.CheckpointFile(4), damage, layout);

        var dataset = await Core.Lake.OpenAsync(temp.Root);

        Assert.Equal(2, dataset.Log.BaseVersion);
        AssertSame(expected, dataset.Log.Latest);
        Assert.Equal(5, dataset.Commits.Count);

        // The next commit is due (5 + 1 − 2 ≥ 2): it writes a new checkpoint, and the lake keeps loading exactly once.
        await RunAsync(db, pipeline, 1);
        Assert.True(File.Exists(layout.CheckpointFile(6)));
        Assert.Equal(6, (await Core.Lake.OpenAsync(temp.Root)).Log.BaseVersion);
        Assert.Equal(db.AllIds, Ids(temp.Root));
    }

    [Fact]
    public async Task OpenAsync_DamagedCheckpointWhoseManifestsAreGone_FailsNamingItAndTheFirstMissingManifest()
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        await RunAsync(db, Build(db, temp.Root, interval: 2), 5);
        var layout = new LakeLayout(temp.Root);
        for (var v = 1; v <= 4; v++)
        {
            File.Delete(layout.CommitFile(v));
        }

        Damage(layout.CheckpointFile(4), "flipped byte", layout);

        var error = await Assert.ThrowsAsync<DataFormatException>(() => Core.Lake.OpenAsync(temp.Root));

        Assert.Contains(layout.CheckpointFile(4), error.Message, StringComparison.Ordinal);
        Assert.Contains("the lake checkpoint of version 4 is damaged", error.Message, StringComparison.Ordinal);
        Assert.Contains($"the first missing is '{layout.CommitFile(3)}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_ManifestsBeforeTheCheckpointExpired_OpensFromItAndTimeTravelBeforeItFailsClearly()
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        var pipeline = Build(db, temp.Root, interval: 3);
        await RunAsync(db, pipeline, 7);
        var layout = new LakeLayout(temp.Root);
        for (var v = 1; v <= 5; v++)
        {
            File.Delete(layout.CommitFile(v));
        }

        var dataset = await Core.Lake.OpenAsync(temp.Root);

        Assert.Equal(7, dataset.Version);
        Assert.Equal(21, dataset.Latest!.RowCount);
        Assert.Equal([6L, 7L], dataset.Commits.Select(static c => c.Version));
        Assert.Equal(18, dataset.GetSnapshot(6).RowCount);
        var error = Assert.Throws<DataFormatException>(() => dataset.GetSnapshot(4));
        Assert.Contains(layout.CommitFile(4), error.Message, StringComparison.Ordinal);
        Assert.Contains("version 4 of the lake cannot be read", error.Message, StringComparison.Ordinal);

        // Incremental runs continue from the checkpoint's last commit of the pipeline.
        await RunAsync(db, pipeline, 1);
        Assert.Equal(db.AllIds, Ids(temp.Root));
        Assert.Equal(8, (await Core.Lake.OpenAsync(temp.Root)).Version);
    }

    /// <summary>A checkpoint write killed half-way (simulated by the observer, which abandons the commit as a crash
    /// would) leaves only a temp file in staging: the commit stands, the lake opens, the next run recovers and the
    /// next due commit writes the checkpoint.</summary>
    [Theory]
    [InlineData(LakeCommitStep.CheckpointWritten)]
    [InlineData(LakeCommitStep.CheckpointPublished)]
    public async Task RunIncrementalAsync_AbandonedDuringTheCheckpoint_TheCommitStandsAndTheLakeOpens(LakeCommitStep step)
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        var crash = false;
        var pipeline = Build(db, temp.Root, interval: 2, observer: s =>
        {
            if (crash && s == step)
            {
                throw new InvalidOperationException("killed at " + s);
            }
        });
        await RunAsync(db, pipeline, 1);
        crash = true;

        // The manifest was published before the checkpoint: the run finds its commit durable (an ambiguous commit).
        await RunAsync(db, pipeline, 1);
        crash = false;
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(new LakeLayout(temp.Root).Staging));

        var layout = new LakeLayout(temp.Root);
        var dataset = await Core.Lake.OpenAsync(temp.Root);
        Assert.Equal(2, dataset.Version);
        Assert.Equal(step == LakeCommitStep.CheckpointPublished ? 2 : 0, dataset.Log.BaseVersion);
        Assert.Equal(6, dataset.Latest!.RowCount);

        await RunAsync(db, pipeline, 1);
        Assert.Equal(db.AllIds, Ids(temp.Root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Staging));
        Assert.Equal(step == LakeCommitStep.CheckpointPublished ? 2 : 3, (await Core.Lake.OpenAsync(temp.Root)).Log.BaseVersion);
    }

    /// <summary>The decision of docs/incremental.md: a run that finds no new rows still commits a version (no files)
    /// recording the run, its unchanged watermark and the upper bound it read to; rows are still loaded exactly once.</summary>
    [Fact]
    public async Task RunIncrementalAsync_NoNewRows_CommitsAVersionWithTheWatermarkUnchanged()
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        var pipeline = Build(db, temp.Root, interval: 100);
        await RunAsync(db, pipeline, 1);

        var empty = await pipeline.RunIncrementalAsync();

        Assert.Equal(2, empty.Run.RunNumber);
        Assert.Equal(0, empty.Run.RowsWritten);
        var dataset = await Core.Lake.OpenAsync(temp.Root);
        Assert.Equal(2, dataset.Version);
        var commits = dataset.Commits;
        Assert.Equal(0, commits[1].FilesAdded);
        Assert.Equal(2, commits[1].RunNumber);
        Assert.Equal(commits[0].Properties[IncrementalCommitKeys.Watermark], commits[1].Properties[IncrementalCommitKeys.Watermark]);
        Assert.Equal("0", commits[1].Properties[IncrementalCommitKeys.Rows]);

        await RunAsync(db, pipeline, 1);
        Assert.Equal(3, (await Core.Lake.OpenAsync(temp.Root)).Version);
        Assert.Equal(db.AllIds, Ids(temp.Root));
    }

    private static void Damage(string path, string damage, LakeLayout layout)
    {
        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "empty":
                bytes = [];
                break;
            case "torn":
                bytes = bytes[..(bytes.Length * 2 / 3)];
                break;
            case "flipped byte":
                bytes[^10] ^= 0x04;
                break;
            case "not a checkpoint":
                bytes = File.ReadAllBytes(layout.CommitFile(4));
                break;
            default:
                bytes = File.ReadAllBytes(layout.CheckpointFile(2));
                break;
        }

        File.WriteAllBytes(path, bytes);
    }
}
