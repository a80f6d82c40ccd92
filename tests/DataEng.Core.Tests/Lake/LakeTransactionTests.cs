using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.Lake;

public class LakeTransactionTests
{
    /// <summary>
    /// The staging-path race: writers open, write several staged files each and commit while other openers recover the
    /// lake at the same time. A recovery must never take a live writer's staging folder (which failed a run with
    /// "Could not find a part of the path …/_dataeng/staging/&lt;run&gt;/000002.inprogress").
    /// </summary>
    [Fact]
    public async Task RecoverAsync_ConcurrentWithWritersOpening_NeverRemovesALiveStagingFolder()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("currency"));
        options.MaxDegreeOfParallelism = 2;
        var layout = new LakeLayout(temp.Root);
        DurableFile.CreateDirectoryDurable(layout.Metadata);
        using var stop = new CancellationTokenSource();
        var recoveries = 0;

        async Task RecoverLoopAsync()
        {
            var log = new LakeLog(layout);
            while (!stop.IsCancellationRequested)
            {
                await LakeTransaction.RecoverAsync(layout, log, NullLogger.Instance, CancellationToken.None);
                Interlocked.Increment(ref recoveries);
            }
        }

        async Task WriteLoopAsync(int writer)
        {
            for (var run = 1; run <= 15; run++)
            {
                await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch((writer * 1000) + (run * 10), 10)], pipeline: "writer-" + writer.ToString(CultureInfo.InvariantCulture), run: run);
            }
        }

        var recoverers = Enumerable.Range(0, 2).Select(_ => Task.Run(RecoverLoopAsync)).ToList();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 3).Select(w => Task.Run(() => WriteLoopAsync(w))));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(recoverers);
        }

        Assert.True(recoveries > 0);
        Assert.Equal(3 * 15 * 10, Duck.Count(temp.Root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Staging));
    }

    /// <summary>
    /// The interleaving that lost a staging folder, forced: another opener recovers the lake at every step of a
    /// writer's <see cref="LakeTransaction.Begin"/> (its lock file just created, published, its folder created) and
    /// again while it writes. Before the fix a lock file was visible before it was locked, recovery took and deleted
    /// it, and the next recovery deleted the live staging folder.
    /// </summary>
    [Fact]
    public async Task Begin_RecoveryAtEveryStep_LeavesTheLiveTransactionAloneAndItsFilesCommit()
    {
        using var temp = new TempLake();
        var layout = new LakeLayout(temp.Root);
        DurableFile.CreateDirectoryDurable(layout.Metadata);
        var steps = new List<LakeBeginStep>();
        var removed = 0;
        LakeTransaction.BeginInterleaving = (l, step) =>
        {
            steps.Add(step);
            removed += Task.Run(() => LakeTransaction.RecoverAsync(l, new LakeLog(l), NullLogger.Instance, CancellationToken.None)).GetAwaiter().GetResult().Staging;
        };
        LakeTransaction transaction;
        try
        {
            transaction = LakeTransaction.Begin(layout, "run", null, NullLogger.Instance);
        }
        finally
        {
            LakeTransaction.BeginInterleaving = null;
        }

        using (transaction)
        {
            Assert.Equal([LakeBeginStep.LockCreated, LakeBeginStep.LockPublished, LakeBeginStep.StagingCreated], steps);
            Assert.Equal(0, removed);
            await File.WriteAllTextAsync(transaction.NewStagingPath(), "1");
            var recovered = await LakeTransaction.RecoverAsync(layout, new LakeLog(layout), NullLogger.Instance, CancellationToken.None);
            Assert.Equal(0, recovered.Staging);
            var second = transaction.NewStagingPath();
            await File.WriteAllTextAsync(second, "2");
            Assert.EndsWith("000002" + FileNaming.StagedExtension, second, StringComparison.Ordinal);
            transaction.Abort();
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Staging));
    }

    /// <summary>
    /// The race itself, forced: a recovery takes a writer's brand-new lock file before the writer locked it and deletes
    /// it (simulated by deleting the pending file at that moment). The writer must not go on without a visible, held
    /// lock (a later recovery would delete its staging folder): it starts again under a new id.
    /// </summary>
    [Fact]
    public async Task Begin_PendingLockTakenByARecoveryBeforeItWasLocked_StartsAgainAndKeepsItsStaging()
    {
        using var temp = new TempLake();
        var layout = new LakeLayout(temp.Root);
        DurableFile.CreateDirectoryDurable(layout.Metadata);
        var steps = new List<LakeBeginStep>();
        LakeTransaction.BeginInterleaving = (l, step) =>
        {
            steps.Add(step);
            if (steps.Count == 1)
            {
                File.Delete(Assert.Single(Directory.GetFiles(l.Staging, ".pending-*")));
            }
        };
        LakeTransaction transaction;
        try
        {
            transaction = LakeTransaction.Begin(layout, "run", null, NullLogger.Instance);
        }
        finally
        {
            LakeTransaction.BeginInterleaving = null;
        }

        using (transaction)
        {
            Assert.Equal([LakeBeginStep.LockCreated, LakeBeginStep.LockCreated, LakeBeginStep.LockPublished, LakeBeginStep.StagingCreated], steps);
            Assert.True(File.Exists(transaction.StagingFolder + ".lock"));
            var recovered = await LakeTransaction.RecoverAsync(layout, new LakeLog(layout), NullLogger.Instance, CancellationToken.None);
            Assert.Equal(0, recovered.Staging);
            await File.WriteAllTextAsync(transaction.NewStagingPath(), "1");
            await File.WriteAllTextAsync(transaction.NewStagingPath(), "2");
            Assert.Equal(2, Directory.GetFiles(transaction.StagingFolder).Length);
            transaction.Abort();
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Staging));
    }

    /// <summary>A writer that died right after creating its pending lock file (before publishing it) leaves a file that
    /// the next recovery removes; a live writer's pending lock is left alone.</summary>
    [Fact]
    public async Task RecoverAsync_PendingLockFiles_RemovesOnlyThoseNoLongerHeld()
    {
        using var temp = new TempLake();
        var layout = new LakeLayout(temp.Root);
        DurableFile.CreateDirectoryDurable(layout.Staging);
        var dead = Path.Combine(layout.Staging, ".pending-dead-0123456789ab.lock");
        await File.WriteAllTextAsync(dead, string.Empty);
        var live = Path.Combine(layout.Staging, ".pending-live-0123456789ab.lock");
        await using (new FileStream(live, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            await LakeTransaction.RecoverAsync(layout, new LakeLog(layout), NullLogger.Instance, CancellationToken.None);
            Assert.False(File.Exists(dead));
            Assert.True(File.Exists(live));
        }
    }

    /// <summary>A staging folder whose lock file is held by a live writer survives recovery; once the holder is gone it
    /// is removed, lock file included, and recovery never creates a lock file.</summary>
    [Fact]
    public async Task RecoverAsync_StagingFolders_RemovedOnlyWhenTheirLockIsFree()
    {
        using var temp = new TempLake();
        var layout = new LakeLayout(temp.Root);
        DurableFile.CreateDirectoryDurable(layout.Metadata);
        var transaction = LakeTransaction.Begin(layout, "run", null, NullLogger.Instance);
        await File.WriteAllTextAsync(transaction.NewStagingPath(), "x");
        var orphan = Path.Combine(layout.Staging, "orphan-without-lock");
        Directory.CreateDirectory(orphan);

        var first = await LakeTransaction.RecoverAsync(layout, new LakeLog(layout), NullLogger.Instance, CancellationToken.None);
        Assert.Equal(1, first.Staging);
        Assert.True(Directory.Exists(transaction.StagingFolder));
        Assert.False(File.Exists(orphan + ".lock"));

        transaction.Dispose(); // the process "dies": lock released, folder left behind
        var second = await LakeTransaction.RecoverAsync(layout, new LakeLog(layout), NullLogger.Instance, CancellationToken.None);
        Assert.Equal(1, second.Staging);
        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Staging));
    }
}
