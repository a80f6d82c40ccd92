using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace DataEng.Core;

/// <summary>A data file written in the staging area, with the place it takes when committed.</summary>
/// <param name="StagingPath">The full path of the staged file (never ending in <c>.parquet</c>).</param>
/// <param name="RelativePath">The final path relative to the root, <c>/</c>-separated.</param>
/// <param name="Partition">The escaped partition values.</param>
/// <param name="Rows">The row count.</param>
/// <param name="Bytes">The file size.</param>
internal sealed record StagedFile(string StagingPath, string RelativePath, string[] Partition, long Rows, long Bytes);

/// <summary>What a commit does given the latest state of the lake.</summary>
internal readonly record struct CommitDecision(CommitRecord? Record, string? NoOpReason)
{
    public static CommitDecision Commit(CommitRecord record) => new(record, null);

    public static CommitDecision NoOp(string reason) => new(null, reason);
}

/// <summary>A commit observer threw: the commit is abandoned as if the process died (the inner exception is the observer's).</summary>
internal sealed class CommitAbandonedException : DataEngException
{
    public CommitAbandonedException(LakeCommitStep step, string root, Exception inner)
        : base($"The commit to the lake '{root}' was abandoned at step {step}: the commit observer threw. Nothing was cleaned up; the next open of the lake recovers.", inner)
    {
        Step = step;
    }

    public LakeCommitStep Step { get; }
}

/// <summary>
/// One commit's staging area and the commit protocol: stage → prepare (fsync) → plan → rename → fsync folders →
/// manifest (temp, fsync, publish without overwrite, fsync folder) → delete replaced files → remove staging.
/// The staging folder is guarded by an exclusive lock file so recovery in another process leaves a live commit alone.
/// </summary>
internal sealed class LakeTransaction : IDisposable
{
    private const string PlanFileName = "plan.json";
    private readonly Action<LakeCommitStep>? _observer;
    private readonly ILogger _logger;
    private readonly string _lockPath;
    private readonly List<string> _renamed = [];
    private FileStream? _lock;
    private int _sequence;
    private bool _published;
    private bool _finished;

    private LakeTransaction(LakeLayout layout, string id, Action<LakeCommitStep>? observer, ILogger logger)
    {
        Layout = layout;
        Id = id;
        _observer = observer;
        _logger = logger;
        StagingFolder = Path.Combine(layout.Staging, id);
        _lockPath = StagingFolder + ".lock";
    }

    public LakeLayout Layout { get; }

    public string Id { get; }

    public string StagingFolder { get; }

    /// <summary>Gets whether the observer abandoned the commit (simulated crash): nothing may be cleaned up.</summary>
    public bool Abandoned { get; private set; }

    /// <summary>Creates the staging folder and takes its lock.</summary>
    public static LakeTransaction Begin(LakeLayout layout, string label, Action<LakeCommitStep>? observer, ILogger logger)
    {
        DurableFile.CreateDirectoryDurable(layout.Staging);
        var id = FileNaming.SafePart(label) + "-" + Guid.NewGuid().ToString("N")[..12];
        var transaction = new LakeTransaction(layout, id, observer, logger);

        // The lock file comes first, so recovery never sees a staging folder without its (held) lock.
        transaction._lock = new FileStream(transaction._lockPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        Directory.CreateDirectory(transaction.StagingFolder);
        DurableFile.FsyncDirectory(layout.Staging);
        return transaction;
    }

    /// <summary>Returns a new staging path (never ending in <c>.parquet</c>).</summary>
    public string NewStagingPath()
        => Path.Combine(StagingFolder, Interlocked.Increment(ref _sequence).ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + FileNaming.StagedExtension);

    /// <summary>Reports a step to the observer; an exception from it abandons the commit.</summary>
    public void Notify(LakeCommitStep step)
    {
        if (_observer is null)
        {
            return;
        }

        try
        {
            _observer(step);
        }
        catch (Exception e)
        {
            Abandon();
            Log.LakeCommitAbandoned(_logger, e, Layout.Root, step);
            throw new CommitAbandonedException(step, Layout.Root, e);
        }
    }

    /// <summary>Makes the staged files' names durable (the files themselves were fsynced when closed).</summary>
    public void SyncStaging()
    {
        DurableFile.FsyncDirectory(StagingFolder);
    }

    /// <summary>Runs the commit protocol.</summary>
    /// <param name="log">The lake log (refreshed here).</param>
    /// <param name="files">The staged files, fsynced.</param>
    /// <param name="decide">Builds the commit from the latest state (re-run after a conflict).</param>
    /// <param name="maxRetries">How often to retry after another writer published first.</param>
    /// <param name="cancellationToken">Cancels before the first rename only.</param>
    /// <returns>The published commit, or <see langword="null"/> for a no-op.</returns>
    public async Task<CommitRecord?> CommitAsync(LakeLog log, IReadOnlyList<StagedFile> files, Func<LakeState, CommitDecision> decide, int maxRetries, CancellationToken cancellationToken)
    {
        await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var decision = decide(log.Latest);
        if (decision.Record is null)
        {
            Finish();
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Plan: the final name of every staged file, durable before the first rename, so recovery can undo renames.
        var plan = JsonSerializer.SerializeToUtf8Bytes(files.Select(static f => f.RelativePath).ToArray(), LakeJsonContext.Default.StringArray);
        DurableFile.WriteAllBytesAtomic(Path.Combine(StagingFolder, PlanFileName), plan);
        Notify(LakeCommitStep.CommitPlanWritten);

        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var destination = Layout.Resolve(file.RelativePath);
            var folder = Path.GetDirectoryName(destination)!;
            if (folders.Add(folder))
            {
                DurableFile.CreateDirectoryDurable(folder);
            }

            try
            {
                File.Move(file.StagingPath, destination, overwrite: false);
            }
            catch (IOException e) when (File.Exists(destination))
            {
                UndoRenames();
                throw new DataEngException($"Cannot commit to the lake '{Layout.Root}': the data file '{file.RelativePath}' already exists. Two writers produced the same file name; put {{pipeline}} and {{run}} in LakeWriterOptions.BasenameTemplate, and give concurrent pipelines different names.", e);
            }

            _renamed.Add(destination);
            Notify(LakeCommitStep.FileRenamed);
        }

        Notify(LakeCommitStep.FilesRenamed);
        foreach (var folder in folders)
        {
            DurableFile.FsyncDirectory(folder);
        }

        DurableFile.FsyncDirectory(StagingFolder);
        Notify(LakeCommitStep.DirectoriesSynced);

        DurableFile.CreateDirectoryDurable(Layout.Commits);
        var attempt = 0;
        CommitRecord record;
        while (true)
        {
            record = decision.Record!;
            var target = Layout.CommitFile(record.Version);
            var temp = Path.Combine(StagingFolder, "manifest-" + record.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".json.tmp");
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(record.ToJson());
                DurableFile.FsyncFile(stream);
            }

            Notify(LakeCommitStep.ManifestWritten);
            try
            {
                // No overwrite: exactly one writer can publish a version (optimistic concurrency).
                File.Move(temp, target, overwrite: false);
                break;
            }
            catch (IOException) when (File.Exists(target) && !Abandoned)
            {
                DurableFile.TryDelete(temp);
                attempt++;
                Log.LakeCommitConflict(_logger, Layout.Root, record.Version, attempt);
                if (attempt > maxRetries)
                {
                    UndoRenames();
                    throw new TransientDataEngException($"Could not commit to the lake '{Layout.Root}': other writers published {attempt} versions first. Retry the run.");
                }

                await log.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    decision = decide(log.Latest);
                }
                catch
                {
                    UndoRenames();
                    throw;
                }

                if (decision.Record is null)
                {
                    UndoRenames();
                    Finish();
                    return null;
                }
            }
        }

        _published = true;
        DurableFile.FsyncDirectory(Layout.Commits);
        Notify(LakeCommitStep.ManifestPublished);

        foreach (var path in record.Removed)
        {
            try
            {
                File.Delete(Layout.Resolve(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.LakeDeleteFailed(_logger, e, Layout.Root, path);
            }
        }

        Notify(LakeCommitStep.OldFilesRemoved);
        Finish();
        Notify(LakeCommitStep.Completed);
        Log.LakeCommitted(_logger, Layout.Root, record.Version, CommitRecord.OperationName(record.Operation), record.Added.Count, record.Added.Sum(static f => f.Rows), record.Removed.Count);
        return record;
    }

    /// <summary>Discards everything this transaction wrote that is not committed.</summary>
    public void Abort()
    {
        if (Abandoned || _finished)
        {
            return;
        }

        if (!_published)
        {
            UndoRenames();
        }

        Finish();
    }

    /// <summary>Closes the lock; an unfinished, un-aborted transaction is left to recovery.</summary>
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    private void UndoRenames()
    {
        foreach (var path in _renamed)
        {
            DurableFile.TryDelete(path);
        }

        _renamed.Clear();
    }

    private void Finish()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        try
        {
            if (Directory.Exists(StagingFolder))
            {
                Directory.Delete(StagingFolder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LakeDeleteFailed(_logger, e, Layout.Root, StagingFolder);
        }

        _lock?.Dispose();
        _lock = null;
        DurableFile.TryDelete(_lockPath);
    }

    private void Abandon()
    {
        Abandoned = true;
        _lock?.Dispose();
        _lock = null;
    }

    /// <summary>
    /// Removes what unfinished commits left behind: staging folders whose lock is free (with the renamed files their
    /// plan lists that no snapshot references) and files replaced by published commits that are still on disk.
    /// </summary>
    public static async Task<(int Staging, int Orphans, int Replaced)> RecoverAsync(LakeLayout layout, LakeLog log, ILogger logger, CancellationToken cancellationToken)
    {
        int staging = 0, orphans = 0, replaced = 0;
        if (Directory.Exists(layout.Staging))
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in Directory.EnumerateFileSystemEntries(layout.Staging))
            {
                var name = Path.GetFileName(entry);
                ids.Add(name.EndsWith(".lock", StringComparison.Ordinal) ? name[..^5] : name);
            }

            foreach (var id in ids)
            {
                var folder = Path.Combine(layout.Staging, id);
                var lockPath = folder + ".lock";
                FileStream? held;
                try
                {
                    held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
                }
                catch (IOException)
                {
                    Log.LakeStagingInUse(logger, layout.Root, folder);
                    continue;
                }

                using (held)
                {
                    if (Directory.Exists(folder))
                    {
                        // Read the log only now that the writer is known to be gone: it may have published its
                        // manifest just before dying, and then its renamed files are committed data.
                        await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
                        orphans += RemovePlannedOrphans(layout, folder, log.Latest);
                        Directory.Delete(folder, recursive: true);
                        staging++;
                    }
                    else if (File.Exists(folder))
                    {
                        File.Delete(folder);
                    }
                }

                DurableFile.TryDelete(lockPath);
            }

            DurableFile.FsyncDirectory(layout.Staging);
        }

        await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var latest = log.Latest;
        foreach (var commit in log.Commits)
        {
            foreach (var path in commit.Removed)
            {
                if (latest.Files.ContainsKey(path))
                {
                    continue;
                }

                var full = layout.Resolve(path);
                if (File.Exists(full))
                {
                    File.Delete(full);
                    replaced++;
                }
            }
        }

        if (staging + orphans + replaced > 0)
        {
            Log.LakeRecovered(logger, layout.Root, staging, orphans, replaced);
        }

        return (staging, orphans, replaced);
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
}

/// <summary>Source-generated JSON for the small lake documents (commit plans).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class LakeJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
