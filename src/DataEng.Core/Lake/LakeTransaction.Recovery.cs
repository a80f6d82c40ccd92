using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace DataEng.Core;

/// <summary>Recovery (docs/lake.md, "Recovery"): what commits that never finished left behind.</summary>
internal sealed partial class LakeTransaction
{
    /// <summary>
    /// Removes what unfinished commits left behind: staging folders whose lock is free (with the renamed files their
    /// plan lists that no snapshot references); and retires (see <see cref="RetiredFiles"/>) files replaced by the
    /// published commits after the newest checkpoint that are still in the data folders (a checkpoint sweeps those of
    /// the commits it folds, step C1).
    /// </summary>
    public static async Task<(int Staging, int Orphans, int Replaced)> RecoverAsync(LakeLayout layout, LakeLog log, ILogger logger, CancellationToken cancellationToken)
    {
        int staging = 0, orphans = 0, replaced = 0;
        if (Directory.Exists(layout.Staging))
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var pending = new List<string>();
            foreach (var entry in Directory.EnumerateFileSystemEntries(layout.Staging))
            {
                var name = Path.GetFileName(entry);
                if (name.StartsWith(PendingLockPrefix, StringComparison.Ordinal))
                {
                    pending.Add(entry);
                }
                else
                {
                    ids.Add(name.EndsWith(LockSuffix, StringComparison.Ordinal) ? name[..^LockSuffix.Length] : name);
                }
            }

            // A pending lock file (where lock files cannot be created unnamed, see Begin) is left by a writer that
            // died between creating it and publishing it (no staging folder exists for it yet). One that is free is
            // removed while held; a writer that had created it but not yet locked it fails to publish it and begins
            // again under a new id.
            foreach (var path in pending)
            {
                if (TryLock(path) is { } stale)
                {
                    ReleaseLock(stale, path);
                }
            }

            foreach (var id in ids)
            {
                var folder = Path.Combine(layout.Staging, id);
                var lockPath = folder + LockSuffix;

                // Never create a lock file: a visible lock file is created locked (see Begin), so one that can be
                // taken belongs to a writer that is gone. A folder without a lock file was left by a writer that
                // died while deleting it (the folder goes before the lock).
                FileStream? held = null;
                if (File.Exists(lockPath))
                {
                    held = TryLock(lockPath);
                    if (held is null)
                    {
                        if (File.Exists(lockPath))
                        {
                            Log.LakeStagingInUse(logger, layout.Root, folder);
                            continue;
                        }
                    }
                }

                try
                {
                    if (Directory.Exists(folder))
                    {
                        // Read the log only now that the writer is known to be gone: it may have published its
                        // manifest just before dying, and then its renamed files are committed data.
                        await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
                        orphans += RemovePlannedOrphans(layout, folder, log.Latest);
                        try
                        {
                            Directory.Delete(folder, recursive: true);
                            staging++;
                        }
                        catch (DirectoryNotFoundException) when (held is null)
                        {
                            // A lock-less leftover that another recovery removed at the same time.
                        }
                    }
                    else if (File.Exists(folder))
                    {
                        File.Delete(folder);
                    }
                }
                finally
                {
                    ReleaseLock(held, lockPath);
                }
            }

            DurableFile.FsyncDirectory(layout.Staging);
        }

        await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var (latest, commits) = log.LatestWithTail();
        replaced = RetireReplacedFiles(layout, commits, latest);

        if (staging + orphans + replaced > 0)
        {
            Log.LakeRecovered(logger, layout.Root, staging, orphans, replaced);
        }

        return (staging, orphans, replaced);
    }

    /// <summary>Takes the exclusive lock of an existing lock file, or returns <see langword="null"/> when it is held
    /// or gone.</summary>
    private static FileStream? TryLock(string lockPath)
    {
        try
        {
            return new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int RemovePlannedOrphans(LakeLayout layout, string folder, LakeState latest)
    {
        var planPath = Path.Combine(folder, PlanFileName);
        if (!File.Exists(planPath))
        {
            return 0;
        }

        string[]? plan;
        try
        {
            plan = JsonSerializer.Deserialize(File.ReadAllBytes(planPath), LakeJsonContext.Default.StringArray);
        }
        catch (JsonException)
        {
            // The plan is written atomically: a damaged one was never complete, so no rename happened after it.
            return 0;
        }

        var removed = 0;
        foreach (var path in plan ?? [])
        {
            if (latest.Files.ContainsKey(path))
            {
                continue;
            }

            string full;
            try
            {
                full = layout.Resolve(path);
            }
            catch (DataEngException)
            {
                continue;
            }

            if (File.Exists(full))
            {
                File.Delete(full);
                removed++;
            }
        }

        return removed;
    }


    /// <summary>Retires (moves to <c>_dataeng/retired/</c>, see <see cref="RetiredFiles"/>) the files that
    /// <paramref name="commits"/> removed, are not live in <paramref name="latest"/> and are still in the data folders
    /// (a crash between publishing a manifest and retiring what it replaced). Older snapshots still read them there
    /// until a vacuum deletes them. Returns how many.</summary>
    internal static int RetireReplacedFiles(LakeLayout layout, IReadOnlyList<CommitRecord> commits, LakeState latest)
    {
        var retired = 0;
        foreach (var commit in commits)
        {
            foreach (var path in commit.Removed)
            {
                if (latest.Files.ContainsKey(path))
                {
                    continue;
                }

                if (RetiredFiles.Retire(layout, path))
                {
                    retired++;
                }
            }
        }

        return retired;
    }
}
