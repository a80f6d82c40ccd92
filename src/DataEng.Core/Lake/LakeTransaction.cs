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
/// One commit of a lake: its staging folder, guarded by an exclusive lock file so that recovery in another process
/// leaves a live commit alone, and the commit protocol of docs/lake.md (<see cref="CommitAsync"/>). Every step is
/// reported once, as a <see cref="LakeCommitStep"/>, to the writer's observer and to the test hooks.
/// </summary>
internal sealed partial class LakeTransaction : IDisposable
{
    private const string PlanFileName = "plan.json";
    private const string LockSuffix = ".lock";
    private const string PendingLockPrefix = ".pending-";

    /// <summary>How often <see cref="Begin"/> starts again under a new id when a recovery took its pending lock file
    /// before it was locked (each attempt loses only if a recovery lands in that instant again).</summary>
    private const int MaxBeginAttempts = 32;

    private readonly LakeTransactionSettings _settings;
    private readonly ILogger _logger;
    private readonly string _lockPath;
    private FileStream? _lock;
    private int _sequence;
    private bool _finished;

    /// <summary>The step being performed, the path it writes and what it does (named by a full-disk error).</summary>
    private (LakeCommitStep Step, string Path, string Action) _current;

    private LakeTransaction(LakeLayout layout, string id, LakeTransactionSettings settings, ILogger logger)
    {
        Layout = layout;
        Id = id;
        _settings = settings;
        _logger = logger;
        StagingFolder = Path.Combine(layout.Staging, id);
        _lockPath = StagingFolder + LockSuffix;
    }

    public LakeLayout Layout { get; }

    public string Id { get; }

    public string StagingFolder { get; }

    /// <summary>Gets whether the observer abandoned the commit (simulated crash): nothing may be cleaned up.</summary>
    public bool Abandoned { get; private set; }

    /// <summary>
    /// Creates the staging folder and takes its lock, so that a lock file on disk is never free while its folder is in
    /// use: recovery removes exactly the staging folders whose lock it can take. On Linux the lock file is created
    /// without a name (<c>O_TMPFILE</c>), locked, and then named <c>&lt;id&gt;.lock</c> with <c>linkat</c> (which never
    /// replaces a file), so nothing is visible before it is locked and a writer killed before naming it leaves nothing.
    /// Elsewhere it is created under a hidden pending name, locked, and renamed (a rename keeps the open file and its
    /// lock); because .NET creates and locks in two steps, a recovery may take the pending file in between, and the
    /// writer then begins again under a new id. The staging folder is created only once the lock file has its name.
    /// </summary>
    public static LakeTransaction Begin(LakeLayout layout, string label, LakeTransactionSettings settings, ILogger logger)
    {
        DurableFile.CreateDirectoryDurable(layout.Staging);
        for (var attempt = 1; ; attempt++)
        {
            var id = FileNaming.SafePart(label) + "-" + Guid.NewGuid().ToString("N")[..12];
            var transaction = new LakeTransaction(layout, id, settings, logger);
            string? pending = null;
            try
            {
                if (settings.Hooks?.UsePendingLockFile == true || !transaction.TryLockUnnamed())
                {
                    pending = Path.Combine(layout.Staging, PendingLockPrefix + id + LockSuffix);
                    transaction.Writing(LakeCommitStep.StagingLockCreated, pending, "creating the staging lock file");
                    transaction._lock = new FileStream(pending, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                    transaction.Reached(LakeCommitStep.StagingLockCreated);
                    transaction.Writing(LakeCommitStep.StagingLockPublished, transaction._lockPath, "naming the staging lock file");
                    DurableFile.MoveNoReplace(pending, transaction._lockPath);
                }
            }
            catch (IOException) when (attempt < MaxBeginAttempts)
            {
                // A recovery took the pending lock file between our create and our lock (and deleted it), or the id is
                // taken: try a new id.
                transaction.CloseLock(pending);
                continue;
            }
            catch when (!transaction.Abandoned)
            {
                transaction.CloseLock(pending);
                throw;
            }

            transaction.Reached(LakeCommitStep.StagingLockPublished);
            transaction.Writing(LakeCommitStep.StagingCreated, transaction.StagingFolder, "creating the staging folder");
            Directory.CreateDirectory(transaction.StagingFolder);
            DurableFile.FsyncDirectory(layout.Staging);
            transaction.Reached(LakeCommitStep.StagingCreated);
            return transaction;
        }
    }

    /// <summary>Creates the lock file unnamed and locked, then names it (Linux); <see langword="false"/> when this system
    /// or file system cannot, and nothing was created.</summary>
    private bool TryLockUnnamed()
    {
        Writing(LakeCommitStep.StagingLockCreated, Layout.Staging, "creating the staging lock file");
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

        _current.Path = DurableFile.UnnamedPath(handle);
        Reached(LakeCommitStep.StagingLockCreated);
        Writing(LakeCommitStep.StagingLockPublished, _lockPath, "naming the staging lock file");
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

    /// <summary>Reports a step the writer performed (staging a file, preparing) to the hooks and the observer.</summary>
    public void Notify(LakeCommitStep step) => Reached(step);

    /// <summary>Makes the staged files' names durable (the files themselves were fsynced when closed).</summary>
    public void SyncStaging()
    {
        DurableFile.FsyncDirectory(StagingFolder);
    }

    /// <summary>Records the write about to happen (for a full-disk error) and calls the test hook, which may fail it.</summary>
    private void Writing(LakeCommitStep step, string path, string action)
    {
        _current = (step, path, action);
        _settings.Hooks?.Writing?.Invoke(step, path, action);
    }

    /// <summary>Reports a finished step to the test hook and the observer; an exception from the observer abandons the
    /// transaction as if the process had died there.</summary>
    private void Reached(LakeCommitStep step)
    {
        _settings.Hooks?.Reached?.Invoke(step, _current.Path ?? StagingFolder);
        if (_settings.Observer is not { } observer)
        {
            return;
        }

        try
        {
            observer(step);
        }
        catch (Exception e)
        {
            Abandon();
            Log.LakeCommitAbandoned(_logger, e, Layout.Root, step);
            throw new CommitAbandonedException(step, Layout.Root, e);
        }
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

    /// <summary>Removes the staging folder, then its lock file (still held), then releases the lock.</summary>
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
}

/// <summary>Source-generated JSON for the small lake documents (commit plans).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class LakeJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
