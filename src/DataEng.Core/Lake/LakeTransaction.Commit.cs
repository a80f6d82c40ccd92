using System.Globalization;
using System.Text.Json;

namespace DataEng.Core;

/// <summary>The commit protocol (docs/lake.md, "Commit protocol"), one method per step of its table.</summary>
internal sealed partial class LakeTransaction
{
    private readonly List<string> _renamed = [];
    private CommitRecord? _record;
    private bool _published;

    /// <summary>Runs the commit protocol: decide, plan, rename, sync folders, write and publish the manifest (deciding
    /// again after losing a version to another writer), remove replaced files, checkpoint the log when due, finish.</summary>
    /// <param name="log">The lake log (refreshed here).</param>
    /// <param name="files">The staged files, fsynced.</param>
    /// <param name="decide">Builds the commit from the latest state (run again after a conflict).</param>
    /// <param name="maxRetries">How often to retry after another writer published first.</param>
    /// <param name="cancellationToken">Cancels before the first rename only.</param>
    /// <returns>The published commit, or <see langword="null"/> for a no-op.</returns>
    public async Task<CommitRecord?> CommitAsync(LakeLog log, IReadOnlyList<StagedFile> files, Func<LakeState, CommitDecision> decide, int maxRetries, CancellationToken cancellationToken)
    {
        await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        _record = decide(log.Latest).Record;
        if (_record is null)
        {
            Finish();
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            WritePlan(files);
            var folders = RenameStagedFiles(files);
            SyncFolders(folders);
            if (!await PublishManifestAsync(log, decide, maxRetries).ConfigureAwait(false))
            {
                UndoRenames();
                Finish();
                return null;
            }
        }
        catch (Exception e) when (DiskFull.Is(e) && !Abandoned)
        {
            throw OutOfSpace(e);
        }

        var record = _record;
        RemoveReplacedFiles(record);
        await CheckpointIfDueAsync(log).ConfigureAwait(false);
        Finish();
        Reached(LakeCommitStep.Completed);
        Log.LakeCommitted(_logger, Layout.Root, record.Version, CommitRecord.OperationName(record.Operation), record.Added.Count, record.Added.Sum(static f => f.Rows), record.Removed.Count);
        return record;
    }

    /// <summary>Step 5: the final name of every staged file, durable before the first rename, so that recovery can
    /// remove the renamed files of a commit whose manifest was never published.</summary>
    private void WritePlan(IReadOnlyList<StagedFile> files)
    {
        var plan = JsonSerializer.SerializeToUtf8Bytes(files.Select(static f => f.RelativePath).ToArray(), LakeJsonContext.Default.StringArray);
        Writing(LakeCommitStep.CommitPlanWritten, Path.Combine(StagingFolder, PlanFileName), "writing the commit plan");
        DurableFile.WriteAllBytesAtomic(_current.Path, plan);
        Reached(LakeCommitStep.CommitPlanWritten);
    }

    /// <summary>Step 6: creates the partition folders durably and renames each staged file into place, never over an
    /// existing file. Returns the partition folders.</summary>
    private HashSet<string> RenameStagedFiles(IReadOnlyList<StagedFile> files)
    {
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var destination = Layout.Resolve(file.RelativePath);
            var folder = Path.GetDirectoryName(destination)!;
            if (folders.Add(folder))
            {
                Writing(LakeCommitStep.FileRenamed, folder, "creating the partition folder");
                DurableFile.CreateDirectoryDurable(folder);
            }

            try
            {
                Writing(LakeCommitStep.FileRenamed, destination, "renaming a staged file into its partition folder");
                DurableFile.MoveNoReplace(file.StagingPath, destination);
            }
            catch (IOException e) when (File.Exists(destination))
            {
                UndoRenames();
                throw new DataEngException($"Cannot commit to the lake '{Layout.Root}': the data file '{file.RelativePath}' already exists. Two writers produced the same file name; put {{pipeline}} and {{run}} in LakeWriteOptions.BasenameTemplate, and give concurrent pipelines different names.", e);
            }

            _renamed.Add(destination);
            Reached(LakeCommitStep.FileRenamed);
        }

        Reached(LakeCommitStep.FilesRenamed);
        return folders;
    }

    /// <summary>Step 7: fsyncs every partition folder and the staging folder, so the renames are durable.</summary>
    private void SyncFolders(HashSet<string> folders)
    {
        foreach (var folder in folders.Append(StagingFolder))
        {
            Writing(LakeCommitStep.DirectoriesSynced, folder, "syncing the partition folders");
            DurableFile.FsyncDirectory(folder);
        }

        Reached(LakeCommitStep.DirectoriesSynced);
    }

    /// <summary>Steps 8 and 9: writes the manifest to a fsynced temp file and publishes it under its version without
    /// overwrite (optimistic concurrency: exactly one writer publishes a version). After losing a version to another
    /// writer it reads the log, decides again and retries. Returns <see langword="false"/> when the new decision is a
    /// no-op (that writer committed this run).</summary>
    private async Task<bool> PublishManifestAsync(LakeLog log, Func<LakeState, CommitDecision> decide, int maxRetries)
    {
        Writing(LakeCommitStep.ManifestWritten, Layout.Commits, "creating the commit log folder");
        DurableFile.CreateDirectoryDurable(Layout.Commits);
        for (var attempt = 1; ; attempt++)
        {
            var temp = WriteManifest(_record!);
            if (TryPublishManifest(temp, Layout.CommitFile(_record!.Version)))
            {
                break;
            }

            Log.LakeCommitConflict(_logger, Layout.Root, _record.Version, attempt);
            if (attempt > maxRetries)
            {
                UndoRenames();
                throw new TransientDataEngException($"Could not commit to the lake '{Layout.Root}': other writers published {attempt} versions first. Retry the run.");
            }

            await log.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                _record = decide(log.Latest).Record;
            }
            catch
            {
                UndoRenames();
                throw;
            }

            if (_record is null)
            {
                return false;
            }
        }

        _published = true;
        Writing(LakeCommitStep.ManifestPublished, Layout.Commits, "syncing the commit log folder");
        DurableFile.FsyncDirectory(Layout.Commits);
        Reached(LakeCommitStep.ManifestPublished);
        return true;
    }

    /// <summary>Step 8: the manifest under a temp name in the staging folder, fsynced.</summary>
    private string WriteManifest(CommitRecord record)
    {
        var temp = Path.Combine(StagingFolder, "manifest-" + record.Version.ToString(CultureInfo.InvariantCulture) + ".json.tmp");
        Writing(LakeCommitStep.ManifestWritten, temp, "writing the manifest");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            stream.Write(record.ToJson());
            DurableFile.FsyncFile(stream);
        }

        Reached(LakeCommitStep.ManifestWritten);
        return temp;
    }

    /// <summary>Step 9: renames the manifest to its version, atomically without overwrite (.NET's
    /// <c>File.Move(overwrite: false)</c> checks, then renames, on Unix: two writers could both publish one version).
    /// Returns <see langword="false"/> when another writer holds the version.</summary>
    private bool TryPublishManifest(string temp, string target)
    {
        try
        {
            Writing(LakeCommitStep.ManifestPublished, target, "publishing the manifest");
            DurableFile.MoveNoReplace(temp, target);
            return true;
        }
        catch (IOException) when (File.Exists(target) && !Abandoned)
        {
            DurableFile.TryDelete(temp);
            return false;
        }
    }

    /// <summary>Step 10: retires the files the commit replaced (overwrite, compaction, partition drop): they leave the
    /// data folders (glob readers see exactly the new snapshot) but stay readable under <c>_dataeng/retired/</c> for the
    /// older snapshots that reference them, until <see cref="LakeDataset.VacuumAsync"/> deletes them. A failure leaves
    /// them to recovery.</summary>
    private void RemoveReplacedFiles(CommitRecord record)
    {
        foreach (var path in record.Removed)
        {
            try
            {
                RetiredFiles.Retire(Layout, path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.LakeDeleteFailed(_logger, e, Layout.Root, path);
            }
        }

        Reached(LakeCommitStep.OldFilesRemoved);
    }

    /// <summary>
    /// Steps C1–C3 of docs/lake.md ("The log"): when the latest version is at least the interval past the newest
    /// checkpoint, sweeps the files replaced since that checkpoint, writes the folded state to a fsynced temp file and
    /// publishes it without overwrite. The commit is already durable: a failure is logged, not thrown, and a later
    /// commit writes the checkpoint.
    /// </summary>
    private async Task CheckpointIfDueAsync(LakeLog log)
    {
        try
        {
            await log.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            if (log.LatestVersion - log.CheckpointVersion < _settings.CheckpointInterval)
            {
                return;
            }

            var (state, commits) = log.LatestWithTail();
            RetireReplacedFiles(Layout, commits, state);
            var bytes = LakeCheckpoint.Serialize(state);
            var temp = Path.Combine(StagingFolder, "checkpoint-" + state.Version.ToString(CultureInfo.InvariantCulture) + ".tmp");
            Writing(LakeCommitStep.CheckpointWritten, temp, "writing the log checkpoint");
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(bytes);
                DurableFile.FsyncFile(stream);
            }

            Reached(LakeCommitStep.CheckpointWritten);
            Writing(LakeCommitStep.CheckpointPublished, Layout.CheckpointFile(state.Version), "publishing the log checkpoint");
            DurableFile.CreateDirectoryDurable(Layout.Checkpoints);
            try
            {
                DurableFile.MoveNoReplace(temp, _current.Path);
            }
            catch (IOException) when (File.Exists(_current.Path))
            {
                // Another writer checkpointed the same version: the two files hold the same state.
                DurableFile.TryDelete(temp);
            }

            DurableFile.FsyncDirectory(Layout.Checkpoints);
            log.CheckpointWritten(state.Version);
            Log.LakeCheckpointWritten(_logger, Layout.Root, state.Version, state.Files.Count);
            Reached(LakeCommitStep.CheckpointPublished);
        }
        catch (Exception e) when (!Abandoned && e is IOException or UnauthorizedAccessException or DataEngException)
        {
            Log.LakeCheckpointFailed(_logger, e, Layout.Root, log.LatestVersion);
        }
    }

    /// <summary>
    /// Turns a disk-full failure of the commit into a terminal error naming the lake, the run, the step and the path
    /// being written. Before the manifest is published the renamed files are removed at once, so nothing of the run
    /// stays visible even if the caller never aborts; after it, the run is committed and only the last fsync failed.
    /// </summary>
    private DataEngException OutOfSpace(Exception e)
    {
        var record = _record!;
        var (_, path, action) = _current;
        var run = record.PipelineName is { } pipeline
            ? $"run {record.RunNumber?.ToString(CultureInfo.InvariantCulture)} of pipeline '{pipeline}', run id {record.RunId}"
            : $"{CommitRecord.OperationName(record.Operation)} of version {record.Version.ToString(CultureInfo.InvariantCulture)}";
        string outcome;
        if (_published)
        {
            outcome = $"The manifest of version {record.Version.ToString(CultureInfo.InvariantCulture)} was already published, so the commit is visible; "
                + "only making it durable failed. Free disk space; the next run finds the commit (an incremental run counts it as committed) and does not load it again.";
        }
        else
        {
            UndoRenames();
            outcome = "Nothing of this commit is visible (the files already renamed into partition folders were removed) and the checkpoint is unchanged. "
                + "Free disk space (or raise the file size limit) and run again; the next run removes what this one staged.";
        }

        return new DataEngException($"The lake '{Layout.Root}' ran out of space in the commit of {run}, at the step '{action}' (writing '{path}'): {DiskFull.Describe(e)}. {outcome}", e);
    }

    private void UndoRenames()
    {
        foreach (var path in _renamed)
        {
            DurableFile.TryDelete(path);
        }

        _renamed.Clear();
    }
}
