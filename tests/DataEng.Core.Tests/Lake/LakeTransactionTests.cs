using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.Lake;

/// <summary>
/// Tests that check a lock is free right after its holder closed it, and tests that start processes, run alone: a
/// child process holds copies of its parent's file descriptors (and so their <c>flock</c> locks) from its fork to its
/// exec, so a process started by one test can keep another test's just-closed lock taken for a moment.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LockFileCollection
{
    public const string Name = "Lock files";
}

[Collection(LockFileCollection.Name)]
public class LakeTransactionTests
{
    /// <summary>
    /// The staging-path race: writers open, write several staged files each and commit while other openers recover the
    /// lake at the same time. A recovery must never take a live writer's staging folder (which failed a run with
    /// "Could not find a part of the path …/_dataeng/staging/&lt;run&gt;/000002.inprogress").
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RecoverAsync_ConcurrentWithWritersOpening_NeverRemovesALiveStagingFolder(bool pendingLockFile)
    {
        using var temp = new TempLake();
        var pendingLocks = 0;
        var unnamedLocks = 0;
        var options = LakeTestData.Options(PartitionSpec.Identity("currency"));
        options.MaxDegreeOfParallelism = 2;
        options.TransactionHooks = new LakeTransactionHooks
        {
            UsePendingLockFile = pendingLockFile,
            Reached = (step, path) =>
            {
                if (step == LakeCommitStep.StagingLockCreated)
                {
                    Interlocked.Increment(ref Path.GetFileName(path).StartsWith(".pending-", StringComparison.Ordinal) ? ref pendingLocks : ref unnamedLocks);
                }
            },
        };
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
        Assert.True((pendingLockFile || !OperatingSystem.IsLinux() ? pendingLocks : unnamedLocks) >= 3 * 15, $"{pendingLocks} pending and {unnamedLocks} unnamed lock files");
        Assert.Equal(0, pendingLockFile || !OperatingSystem.IsLinux() ? unnamedLocks : pendingLocks);
    }

    /// <summary>
    /// The interleaving that lost a staging folder, forced: another opener recovers the lake at every step of a
    /// writer's <see cref="LakeTransaction.Begin"/> (its lock file just created, published, its folder created) and
    /// again while it writes. Before the fix a lock file was visible before it was locked, recovery took and deleted
    /// it, and the next recovery deleted the live staging folder.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Begin_RecoveryAtEveryStep_LeavesTheLiveTransactionAloneAndItsFilesCommit(bool pendingLockFile)
    {
        using var temp = new TempLake();
        var layout = new LakeLayout(temp.Root);
        DurableFile.CreateDirectoryDurable(layout.Metadata);
        var steps = new List<(LakeCommitStep Step, string Path)>();
        var removed = 0;
        var hooks = new LakeTransactionHooks
        {
            UsePendingLockFile = pendingLockFile,
            Reached = (step, path) =>
            {
                steps.Add((step, path));
                removed += Task.Run(() => LakeTransaction.RecoverAsync(layout, new LakeLog(layout), NullLogger.Instance, CancellationToken.None)).GetAwaiter().GetResult().Staging;
            },
        };
        var transaction = LakeTransaction.Begin(layout, "run", Settings(hooks), NullLogger.Instance);
        using (transaction)
        {
            Assert.Equal([LakeCommitStep.StagingLockCreated, LakeCommitStep.StagingLockPublished, LakeCommitStep.StagingCreated], steps.Select(s => s.Step));
            if (pendingLockFile || !OperatingSystem.IsLinux())
            {
                Assert.StartsWith(".pending-", Path.GetFileName(steps[0].Path), StringComparison.Ordinal);
            }
            else
            {
                Assert.StartsWith("/proc/self/fd/", steps[0].Path, StringComparison.Ordinal);
            }

            Assert.Equal(transaction.StagingFolder + ".lock", steps[1].Path);
            Assert.Equal(transaction.StagingFolder, steps[2].Path);
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
    /// On Linux the lock file is created without a name and locked before it is named: at no step of
    /// <see cref="LakeTransaction.Begin"/> is there a pending file, and the visible lock file (once it exists) can never
    /// be taken, by another thread or another process.
    /// </summary>
    [UnnamedLockFileFact]
    public async Task Begin_OnLinux_NoPendingFileAtAnyStepAndTheVisibleLockIsAlwaysHeld()
    {
        using var temp = new TempLake();
        var layout = new LakeLayout(temp.Root);
        DurableFile.CreateDirectoryDurable(layout.Metadata);
        var lockPath = (string?)null;
        var checks = new List<string>();
        void Check(LakeCommitStep step, string path)
        {
            Assert.Empty(Directory.GetFiles(layout.Staging, ".pending-*"));
            if (step == LakeCommitStep.StagingLockCreated)
            {
                // Nothing is visible yet, and the unnamed file is already locked.
                Assert.StartsWith("/proc/self/fd/", path, StringComparison.Ordinal);
                Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Staging));
                Assert.False(CanLockInAnotherThread(path), "the unnamed lock file was not locked");

                // The flags the writer opened it with: O_RDWR, and O_CLOEXEC so that no child process inherits the lock.
                var fd = path["/proc/self/fd/".Length..];
                var flags = Convert.ToInt32(File.ReadLines("/proc/self/fdinfo/" + fd).Single(l => l.StartsWith("flags:", StringComparison.Ordinal))["flags:".Length..].Trim(), 8);
                Assert.Equal(2, flags & 3);
                Assert.NotEqual(0, flags & 0x80000);
            }
            else
            {
                lockPath ??= path;
                Assert.True(File.Exists(lockPath));
                Assert.False(CanLockInAnotherThread(lockPath), $"the visible lock file was free at {step}");
                Assert.Equal(1, FlockInAnotherProcess(lockPath));
            }

            checks.Add(step.ToString());
        }

        var transaction = LakeTransaction.Begin(layout, "run", Settings(new LakeTransactionHooks { Reached = Check }), NullLogger.Instance);
        Assert.Equal(["StagingLockCreated", "StagingLockPublished", "StagingCreated"], checks);
        Assert.Equal(transaction.StagingFolder + ".lock", lockPath);
        using (transaction)
        {
            await File.WriteAllTextAsync(transaction.NewStagingPath(), "1");
            Assert.False(CanLockInAnotherThread(lockPath!));
            Assert.Equal(1, FlockInAnotherProcess(lockPath!));
        }

        // Disposed without finishing (as if the process died): the lock file stays, free, and recovery removes all.
        Assert.True(CanLockInAnotherThread(lockPath!));
        Assert.Equal(0, FlockInAnotherProcess(lockPath!));
        var recovered = await LakeTransaction.RecoverAsync(layout, new LakeLog(layout), NullLogger.Instance, CancellationToken.None);
        Assert.Equal(1, recovered.Staging);
        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Staging));
    }

    /// <summary>A writer that dies after creating its unnamed lock file and before naming it leaves nothing behind: the
    /// file had no name, and closing it (as the OS does for a killed process) frees it.</summary>
    [UnnamedLockFileFact]
    public async Task Begin_WriterDiesBeforeItsUnnamedLockIsNamed_LeavesNothingForRecovery()
    {
        using var temp = new TempLake();
        var layout = new LakeLayout(temp.Root);
        DurableFile.CreateDirectoryDurable(layout.Metadata);
        var hooks = new LakeTransactionHooks
        {
            Reached = (step, _) =>
            {
                if (step == LakeCommitStep.StagingLockCreated)
                {
                    throw new InvalidOperationException("the writer dies here");
                }
            },
        };
        Assert.Throws<InvalidOperationException>(() => LakeTransaction.Begin(layout, "run", Settings(hooks), NullLogger.Instance));

        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Staging));
        var recovered = await LakeTransaction.RecoverAsync(layout, new LakeLog(layout), NullLogger.Instance, CancellationToken.None);
        Assert.Equal((0, 0, 0), recovered);
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
        var steps = new List<LakeCommitStep>();
        var hooks = new LakeTransactionHooks
        {
            UsePendingLockFile = true,
            Reached = (step, path) =>
            {
                steps.Add(step);
                if (steps.Count == 1)
                {
                    Assert.Equal(Assert.Single(Directory.GetFiles(layout.Staging, ".pending-*")), path);
                    File.Delete(path);
                }
            },
        };
        var transaction = LakeTransaction.Begin(layout, "run", Settings(hooks), NullLogger.Instance);
        using (transaction)
        {
            Assert.Equal([LakeCommitStep.StagingLockCreated, LakeCommitStep.StagingLockCreated, LakeCommitStep.StagingLockPublished, LakeCommitStep.StagingCreated], steps);
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
        var transaction = LakeTransaction.Begin(layout, "run", LakeTransactionSettings.Default, NullLogger.Instance);
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

    private static LakeTransactionSettings Settings(LakeTransactionHooks hooks) => LakeTransactionSettings.Default with { Hooks = hooks };

    /// <summary>Tries the lock recovery takes (<see cref="FileShare.None"/>, an exclusive <c>flock</c> on Unix) from a
    /// thread pool thread, and lets it go at once.</summary>
    private static bool CanLockInAnotherThread(string path)
        => Task.Run(() =>
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }).GetAwaiter().GetResult();

    /// <summary>Runs <c>flock -n -x path true</c> (util-linux) in a second process: 0 when it took the lock, 1 when the
    /// lock was held.</summary>
    private static int FlockInAnotherProcess(string path)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("flock", ["-n", "-x", path, "true"]) { UseShellExecute = false })!;
        process.WaitForExit();
        return process.ExitCode;
    }
}

/// <summary>Runs on Linux only, where lock files are created without a name (<c>O_TMPFILE</c>) and
/// <c>flock</c>(1) checks them from a second process.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UnnamedLockFileFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute; the test is skipped with the reason on other systems.</summary>
    public UnnamedLockFileFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Lock files are created without a name (O_TMPFILE) on Linux only.";
        }
    }
}
