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

/// <summary>
/// The internal steps of a transaction that the test seam <see cref="LakeTransaction.StepSeam"/> sees: the steps of
/// <see cref="LakeTransaction.Begin"/> (tests force interleavings with recovery there) and each write of
/// <see cref="LakeTransaction.CommitAsync"/> (named in a disk-full error; tests fail it there).
/// </summary>
internal enum LakeStep
{
    /// <summary>The lock file exists, locked, without its visible name: unnamed (path <c>/proc/self/fd/&lt;fd&gt;</c>)
    /// or, where a file cannot be created unnamed, under its hidden pending name.</summary>
    LockCreated,

    /// <summary>The lock file has its visible name (still locked); no staging folder yet.</summary>
    LockPublished,

    /// <summary>The staging folder exists.</summary>
    StagingCreated,

    /// <summary>Writing the commit plan in the staging folder.</summary>
    Plan,

    /// <summary>Creating a partition folder.</summary>
    PartitionFolder,

    /// <summary>Renaming a staged file into its partition folder.</summary>
    Rename,

    /// <summary>Fsyncing the partition folders and the staging folder.</summary>
    FolderSync,

    /// <summary>Creating the commit log folder.</summary>
    CommitLogFolder,

    /// <summary>Writing and fsyncing the manifest under its temporary name.</summary>
    Manifest,

    /// <summary>Publishing the manifest under its version number.</summary>
    Publish,

    /// <summary>Fsyncing the commit log folder after the manifest was published.</summary>
    CommitLogSync,
}

/// <summary>The test seam of <see cref="LakeTransaction"/>: called at each <see cref="LakeStep"/> with the path the
/// step concerns (the lock file, the staging folder, or the path about to be written).</summary>
/// <param name="step">The step.</param>
/// <param name="path">The path.</param>
internal delegate void LakeStepSeam(LakeStep step, string path);

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
    private const string LockSuffix = ".lock";
    private const string PendingLockPrefix = ".pending-";
    private const int MaxBeginAttempts = 32;
    private readonly Action<LakeCommitStep>? _observer;
    private readonly ILogger _logger;
    private readonly string _lockPath;
    private readonly List<string> _renamed = [];
    private FileStream? _lock;
    private int _sequence;
    private bool _published;
    private bool _finished;
    private (LakeStep Step, string Path) _writing;

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

    /// <summary>
    /// Creates the staging folder and takes its lock. A visible lock file is always held, so recovery can never take the
    /// lock of a writer that has not locked it yet. On Linux the lock file is created without a name
    /// (<c>O_TMPFILE</c>), locked, and only then named <c>&lt;id&gt;.lock</c> (<c>linkat</c>, which never replaces a
    /// file): nothing is visible before it is locked, and a writer killed before naming it leaves nothing. Elsewhere,
    /// or where the file system cannot do that, it is created and locked under a hidden pending name and renamed to
    /// <c>&lt;id&gt;.lock</c> (a rename keeps the open file and its lock); .NET creates and locks in two steps, and a
    /// recovery that takes the pending file in between makes this writer begin again under a new id. Before either, a
    /// recovery that ran between the writer's create and its lock removed the lock file, and a later recovery then
    /// deleted the live staging folder ("Could not find a part of the path …/staging/&lt;id&gt;/000002.inprogress").
    /// </summary>
    public static LakeTransaction Begin(LakeLayout layout, string label, Action<LakeCommitStep>? observer, ILogger logger)
    {
        DurableFile.CreateDirectoryDurable(layout.Staging);
        var unnamed = !ForcePendingLockFile.Value;
        for (var attempt = 1; ; attempt++)
        {
            var id = FileNaming.SafePart(label) + "-" + Guid.NewGuid().ToString("N")[..12];
            var transaction = new LakeTransaction(layout, id, observer, logger);
            string? pending = null;
            try
            {
                if (!(unnamed && transaction.TryLockUnnamed()))
                {
                    pending = Path.Combine(layout.Staging, PendingLockPrefix + id + LockSuffix);
                    transaction._lock = new FileStream(pending, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                    Step(LakeStep.LockCreated, pending);
                    DurableFile.MoveNoReplace(pending, transaction._lockPath);
                }
            }
            catch (IOException) when (attempt < MaxBeginAttempts)
            {
                // A recovery took the pending lock file between our create and our lock (and deleted it), or the id
                // is taken: try a new id. Each attempt loses only if a recovery lands in that window again; 3 attempts
                // were seen to lose against two recovery loops running back to back.
                transaction.CloseLock(pending);
                continue;
            }
            catch
            {
                transaction.CloseLock(pending);
                throw;
            }

            Step(LakeStep.LockPublished, transaction._lockPath);
            Directory.CreateDirectory(transaction.StagingFolder);
            DurableFile.FsyncDirectory(layout.Staging);
            Step(LakeStep.StagingCreated, transaction.StagingFolder);
            return transaction;
        }
    }

    /// <summary>Test seam: called at each <see cref="LakeStep"/> of <see cref="Begin"/> and <see cref="CommitAsync"/>
    /// (tests force interleavings with recovery, or throw a disk-full <see cref="IOException"/>). Async-local, because
    /// the commit resumes on other threads after its awaits, and so that tests running side by side do not see each
    /// other's seams.</summary>
    internal static readonly AsyncLocal<LakeStepSeam?> StepSeam = new();

    /// <summary>Test switch: when set in this async flow, <see cref="Begin"/> uses the pending lock file, as on systems
    /// that cannot create a file without a name.</summary>
    internal static readonly AsyncLocal<bool> ForcePendingLockFile = new();

    private static void Step(LakeStep step, string path) => StepSeam.Value?.Invoke(step, path);

    /// <summary>Creates the lock file unnamed and locked, then names it (Linux); <see langword="false"/> when this system
    /// or file system cannot, and nothing was created.</summary>
    private bool TryLockUnnamed()
    {
        var handle = DurableFile.TryCreateUnnamedLocked(Layout.Staging);
        if (handle is null)
        {
            return false;
        }

        try
        {
            _lock = new FileStream(handle, FileAccess.ReadWrite, 1);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        Step(LakeStep.LockCreated, DurableFile.UnnamedPath(handle));
        if (DurableFile.TryLinkUnnamed(handle, _lockPath))
        {
            return true;
        }

        CloseLock(pending: null);
        return false;
    }

    /// <summary>Closes a lock that was never published (an unnamed file vanishes with it) and removes its pending file.</summary>
    private void CloseLock(string? pending)
    {
        _lock?.Dispose();
        _lock = null;
        if (pending is not null)
        {
            DurableFile.TryDelete(pending);
        }
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

        var record = decision.Record!;
        try
        {
            // Plan: the final name of every staged file, durable before the first rename, so recovery can undo renames.
            var plan = JsonSerializer.SerializeToUtf8Bytes(files.Select(static f => f.RelativePath).ToArray(), LakeJsonContext.Default.StringArray);
            Writing(LakeStep.Plan, Path.Combine(StagingFolder, PlanFileName));
            DurableFile.WriteAllBytesAtomic(_writing.Path, plan);
            Notify(LakeCommitStep.CommitPlanWritten);

            var folders = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                var destination = Layout.Resolve(file.RelativePath);
                var folder = Path.GetDirectoryName(destination)!;
                if (folders.Add(folder))
                {
                    Writing(LakeStep.PartitionFolder, folder);
                    DurableFile.CreateDirectoryDurable(folder);
                }

                try
                {
                    Writing(LakeStep.Rename, destination);
                    DurableFile.MoveNoReplace(file.StagingPath, destination);
                }
                catch (IOException e) when (File.Exists(destination))
                {
                    UndoRenames();
                    throw new DataEngException($"Cannot commit to the lake '{Layout.Root}': the data file '{file.RelativePath}' already exists. Two writers produced the same file name; put {{pipeline}} and {{run}} in LakeWriteOptions.BasenameTemplate, and give concurrent pipelines different names.", e);
                }

                _renamed.Add(destination);
                Notify(LakeCommitStep.FileRenamed);
            }

            Notify(LakeCommitStep.FilesRenamed);
            foreach (var folder in folders)
            {
                Writing(LakeStep.FolderSync, folder);
                DurableFile.FsyncDirectory(folder);
            }

            Writing(LakeStep.FolderSync, StagingFolder);
            DurableFile.FsyncDirectory(StagingFolder);
            Notify(LakeCommitStep.DirectoriesSynced);

            Writing(LakeStep.CommitLogFolder, Layout.Commits);
            DurableFile.CreateDirectoryDurable(Layout.Commits);
            var attempt = 0;
            while (true)
            {
                record = decision.Record!;
                var target = Layout.CommitFile(record.Version);
                var temp = Path.Combine(StagingFolder, "manifest-" + record.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".json.tmp");
                Writing(LakeStep.Manifest, temp);
                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
                {
                    stream.Write(record.ToJson());
                    DurableFile.FsyncFile(stream);
                }

                Notify(LakeCommitStep.ManifestWritten);
                try
                {
                    // No overwrite, atomically: exactly one writer can publish a version (optimistic concurrency).
                    // File.Move(overwrite: false) is not enough on Unix: it checks, then renames (a lost commit was seen).
                    Writing(LakeStep.Publish, target);
                    DurableFile.MoveNoReplace(temp, target);
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
            Writing(LakeStep.CommitLogSync, Layout.Commits);
            DurableFile.FsyncDirectory(Layout.Commits);
            Notify(LakeCommitStep.ManifestPublished);
        }
        catch (Exception e) when (DiskFull.Is(e) && !Abandoned)
        {
            throw OutOfSpace(record, e);
        }

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

    /// <summary>Records what the commit writes next (for a disk-full error) and calls the test seam.</summary>
    private void Writing(LakeStep step, string path)
    {
        _writing = (step, path);
        Step(step, path);
    }

    /// <summary>
    /// Turns a disk-full failure of the commit into a terminal error naming the lake, the run, the commit step and the
    /// path being written. Before the manifest is published the renamed files are removed at once, so nothing of the
    /// run stays visible even if the caller never aborts; after it, the run is committed and only the last fsync failed.
    /// </summary>
    private DataEngException OutOfSpace(CommitRecord record, Exception e)
    {
        var (step, path) = _writing;
        var what = step switch
        {
            LakeStep.Plan => "writing the commit plan",
            LakeStep.PartitionFolder => "creating the partition folder",
            LakeStep.Rename => "renaming a staged file into its partition folder",
            LakeStep.FolderSync => "syncing the partition folders",
            LakeStep.CommitLogFolder => "creating the commit log folder",
            LakeStep.Manifest => "writing the manifest",
            LakeStep.Publish => "publishing the manifest",
            _ => "syncing the commit log folder",
        };
        var run = record.PipelineName is { } pipeline
            ? $"run {record.RunNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture)} of pipeline '{pipeline}', run id {record.RunId}"
            : $"{CommitRecord.OperationName(record.Operation)} of version {record.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        string outcome;
        if (_published)
        {
            outcome = $"The manifest of version {record.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)} was already published, so the commit is visible; "
                + "only making it durable failed. Free disk space; the next run finds the commit (an incremental run counts it as committed) and does not load it again.";
        }
        else
        {
            UndoRenames();
            outcome = "Nothing of this commit is visible (the files already renamed into partition folders were removed) and the checkpoint is unchanged. "
                + "Free disk space (or raise the file size limit) and run again; the next run removes what this one staged.";
        }

        return new DataEngException($"The lake '{Layout.Root}' ran out of space in the commit of {run}, at the step '{what}' (writing '{path}'): {DiskFull.Describe(e)}. {outcome}", e);
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

        ReleaseLock(_lock, _lockPath);
        _lock = null;
    }

    /// <summary>Deletes a lock file while still holding its lock, then closes it: a lock file on disk is never free
    /// while its staging folder is in use (on Windows, where an open file cannot be deleted, after closing).</summary>
    private static void ReleaseLock(FileStream? held, string lockPath)
    {
        if (held is null)
        {
            return;
        }

        var deleted = DurableFile.TryDelete(lockPath);
        held.Dispose();
        if (!deleted)
        {
            DurableFile.TryDelete(lockPath);
        }
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
}

/// <summary>Source-generated JSON for the small lake documents (commit plans).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class LakeJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
