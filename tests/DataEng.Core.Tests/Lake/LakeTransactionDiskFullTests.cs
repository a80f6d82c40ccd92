using System.Globalization;
using DataEng.Core.Tests.Crash;
using DataEng.Core.Tests.Incremental;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Lake;

/// <summary>
/// A full disk during the commit phase of the lake (after staging): a terminal <see cref="DataEngException"/> naming
/// the lake, the run, the commit step and the path; nothing half-committed is visible; the rerun is exactly once.
/// </summary>
public class LakeTransactionDiskFullTests
{
    private const int Enospc = 28;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Every write of the commit before its manifest is published, as the error names it.</summary>
    public static TheoryData<string> WritesBeforePublication =>
    [
        "writing the commit plan",
        "creating the partition folder",
        "renaming a staged file into its partition folder",
        "syncing the partition folders",
        "creating the commit log folder",
        "writing the manifest",
        "publishing the manifest",
    ];

    private Pipeline Build(OrdersDb db, string root, LakeWriteOptions? options = null)
        => Pipeline.Create("orders")
            .Extract(DataEng.Core.Sql.Incremental(db.Open, db.Table, new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"] }))
            .Load(Core.Lake.Write(root, options ?? LakeTestData.Options(PartitionSpec.Identity("note"))))
            .Configure(o => o.TimeProvider = _time)
            .Build();

    /// <summary>Builds the pipeline, commits run 1 (rows 1–10) and adds rows 11–17 for run 2.</summary>
    private async Task<Pipeline> AfterAFirstRunAsync(OrdersDb db, string root, LakeWriteOptions? options = null)
    {
        var pipeline = Build(db, root, options);
        Insert(db, 1, 10);
        await pipeline.RunIncrementalAsync();
        Insert(db, 11, 7);
        return pipeline;
    }

    private static void Insert(OrdersDb db, int first, int count)
    {
        for (var ts = first; ts < first + count; ts++)
        {
            db.Insert(ts, ts % 2 == 0 ? "even" : "odd-" + (ts % 3).ToString(CultureInfo.InvariantCulture));
        }
    }

    private static List<long> Ids(string root)
        => Duck.Query($"SELECT id FROM {Duck.Glob(root)} ORDER BY id").Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();

    [Theory]
    [MemberData(nameof(WritesBeforePublication))]
    public async Task RunIncrementalAsync_DiskFullAtACommitStep_FailsNamingItCommitsNothingAndTheRerunIsExactlyOnce(string write)
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        var diskFull = new DiskFullAt(write);
        var pipeline = await AfterAFirstRunAsync(db, temp.Root, diskFull.Options());

        diskFull.Armed = true;
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunIncrementalAsync());
        diskFull.Armed = false;
        var failedPath = diskFull.FailedPath;

        var failure = Assert.IsType<DataEngException>(error.InnerException);
        Assert.False(failure.IsTransient);
        Assert.IsType<IOException>(failure.InnerException);
        Assert.NotNull(failedPath);
        Assert.Contains($"The lake '{temp.Root}' ran out of space in the commit of run 2 of pipeline 'orders', run id {error.RunId}, at the step '{write}' (writing '{failedPath}'): no space left on the device", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing of this commit is visible", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Stage 'lake' of pipeline 'orders' failed in run 2", error.Message, StringComparison.Ordinal);

        // Nothing half-committed: one commit, no data file of run 2 for a glob reader, no staging left.
        Assert.Single((await Core.Lake.OpenAsync(temp.Root)).Commits);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), Ids(temp.Root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Root, "_dataeng", "staging")));

        // Space is back: the rerun is run 2 again and loads the 7 new rows exactly once.
        var rerun = await pipeline.RunIncrementalAsync();
        Assert.Equal(2, rerun.Run.RunNumber);
        Assert.Equal(7, rerun.Run.RowsWritten);
        Assert.Equal(db.AllIds, Ids(temp.Root));
        Assert.Equal(2, (await Core.Lake.OpenAsync(temp.Root)).Commits.Count);
    }

    [Fact]
    public async Task RunIncrementalAsync_DiskFullSyncingThePublishedManifest_CountsAsCommittedAndLoadsNothingTwice()
    {
        using var temp = new TempLake();
        using var db = new OrdersDb();
        var diskFull = new DiskFullAt("syncing the commit log folder");
        var pipeline = await AfterAFirstRunAsync(db, temp.Root, diskFull.Options());

        // The manifest is published when the fsync fails: an ambiguous commit, which the run finds committed.
        diskFull.Armed = true;
        var second = await pipeline.RunIncrementalAsync();
        diskFull.Armed = false;

        var third = await pipeline.RunIncrementalAsync();

        Assert.Equal(2, second.Run.RunNumber);
        Assert.Equal(3, third.Run.RunNumber);
        Assert.Equal(0, third.Run.RowsWritten);
        Assert.Equal(db.AllIds, Ids(temp.Root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Root, "_dataeng", "staging")));
    }

    /// <summary>A real full disk: the tmpfs holding the lake is filled once every staged file is renamed, so writing
    /// the manifest fails with ENOSPC.</summary>
    [TmpfsFact]
    public async Task RunIncrementalAsync_TmpfsFilledAfterTheRenames_FailsAtTheManifestAndTheRerunAfterFreeingSpaceIsExactlyOnce()
    {
        using var temp = new TempLake();
        using var tmpfs = Tmpfs.Mount(temp.Root, "4m");
        using var db = new OrdersDb();
        var filler = Path.Combine(temp.Root, "filler.bin");
        var fill = false;
        var options = LakeTestData.Options(PartitionSpec.Identity("note"));
        options.CommitObserver = step =>
        {
            if (fill && step == LakeCommitStep.FilesRenamed)
            {
                fill = false;
                FillDisk(filler);
            }
        };
        var pipeline = await AfterAFirstRunAsync(db, temp.Root, options);

        fill = true;
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunIncrementalAsync());

        var diskFull = Assert.IsType<DataEngException>(error.InnerException);
        Assert.Contains($"ran out of space in the commit of run 2 of pipeline 'orders', run id {error.RunId}, at the step 'writing the manifest' (writing '{Path.Combine(temp.Root, "_dataeng", "staging")}", diskFull.Message, StringComparison.Ordinal);
        Assert.Contains("no space left on the device", diskFull.Message, StringComparison.Ordinal);
        Assert.Single((await Core.Lake.OpenAsync(temp.Root)).Commits);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), Ids(temp.Root));

        File.Delete(filler);
        var rerun = await pipeline.RunIncrementalAsync();

        Assert.Equal(2, rerun.Run.RunNumber);
        Assert.Equal(7, rerun.Run.RowsWritten);
        Assert.Equal(db.AllIds, Ids(temp.Root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Root, "_dataeng", "staging")));
    }

    /// <summary>While armed, makes the commit fail with ENOSPC the first time it does <c>write</c> (through the
    /// writer's <see cref="LakeTransactionHooks"/>).</summary>
    private sealed class DiskFullAt(string write)
    {
        public bool Armed { get; set; }

        /// <summary>Gets the path the commit was writing when it failed.</summary>
        public string? FailedPath { get; private set; }

        public LakeWriteOptions Options()
        {
            var options = LakeTestData.Options(PartitionSpec.Identity("note"));
            options.TransactionHooks = new LakeTransactionHooks
            {
                Writing = (_, path, action) =>
                {
                    if (Armed && action == write && FailedPath is null)
                    {
                        FailedPath = path;
                        throw new IOException($"No space left on device : '{path}'", Enospc);
                    }
                },
            };
            return options;
        }
    }

    /// <summary>Writes to <paramref name="path"/> until the file system is full.</summary>
    private static void FillDisk(string path)
    {
        var chunk = new byte[4096];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                stream.Write(chunk);
                stream.Flush();
            }
        }
        catch (IOException e) when (e.HResult is Enospc)
        {
        }
    }
}
