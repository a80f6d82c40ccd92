namespace DataEng.Core;

/// <summary>What a lake commit did.</summary>
public enum LakeOperation
{
    /// <summary>Added files.</summary>
    Append,

    /// <summary>Added files and replaced every earlier file of the partitions it wrote to.</summary>
    Overwrite,

    /// <summary>Replaced small files of a partition by fewer, larger files with the same rows.</summary>
    Compact,
}

/// <summary>How a lake writer treats data already in the dataset.</summary>
public enum LakeWriteMode
{
    /// <summary>Adds files next to the existing ones.</summary>
    Append,

    /// <summary>
    /// Replaces the partitions this commit writes to: their earlier files leave the snapshot in the same commit, and
    /// are deleted only after the new manifest is durable. Partitions the commit does not touch are kept. For an
    /// unpartitioned dataset every earlier file is replaced.
    /// </summary>
    OverwritePartitions,

    /// <summary>Fails, before anything is written, when the dataset already has data.</summary>
    ErrorIfExists,
}

/// <summary>What a lake writer does when the batches it receives do not have the dataset's schema.</summary>
public enum LakeSchemaPolicy
{
    /// <summary>Fails before anything is written, listing every difference.</summary>
    Fail,

    /// <summary>
    /// Adds new columns (as nullable) and widens <c>int32</c> to <c>int64</c> and <c>float</c> to <c>double</c>; writes
    /// null for dataset columns the batches lack (when those are nullable). Any other difference fails.
    /// </summary>
    Evolve,
}

/// <summary>
/// The steps of a lake commit, reported in this order to <see cref="LakeWriterOptions.CommitObserver"/>. An
/// exception thrown by the observer abandons the commit exactly as if the process had died at that step: nothing is
/// cleaned up, and the next open of the dataset recovers.
/// </summary>
public enum LakeCommitStep
{
    /// <summary>The lock file of the commit's staging folder was created and locked, not yet under its name (on Linux
    /// it has no name at all), so no recovery can take it.</summary>
    StagingLockCreated,

    /// <summary>The staging lock file has its name (<c>_dataeng/staging/&lt;id&gt;.lock</c>) and is still locked.</summary>
    StagingLockPublished,

    /// <summary>The staging folder exists; staged files are written into it next.</summary>
    StagingCreated,

    /// <summary>A data file was completely written (footer included) in the staging area, not yet fsynced.
    /// Reported once per file, during writes and prepare.</summary>
    StagedFileWritten,

    /// <summary>A staged data file was fsynced and closed. Reported once per file.</summary>
    StagedFileSynced,

    /// <summary>Prepare finished: every staged file and the staging folder are durable; nothing is visible yet.</summary>
    Prepared,

    /// <summary>The commit plan (the final name of every staged file) was written durably in the staging folder,
    /// before the first rename; recovery uses it to remove renamed files of an unfinished commit.</summary>
    CommitPlanWritten,

    /// <summary>One staged file was renamed into its partition folder (reported per file).</summary>
    FileRenamed,

    /// <summary>Every staged file was renamed into its partition folder.</summary>
    FilesRenamed,

    /// <summary>The partition folders (and the staging folder) were fsynced: the renames are durable.</summary>
    DirectoriesSynced,

    /// <summary>The manifest was written and fsynced under a temporary name: the last step before the commit
    /// becomes visible.</summary>
    ManifestWritten,

    /// <summary>The manifest was published under its version number and its folder fsynced: the commit is durable
    /// and visible.</summary>
    ManifestPublished,

    /// <summary>Files replaced by this commit (overwrite, compaction) were deleted.</summary>
    OldFilesRemoved,

    /// <summary>The log checkpoint (the folded state of the latest version) was written and fsynced under a temporary
    /// name. Reported only by commits that bring the lake <see cref="LakeWriterOptions.CheckpointInterval"/> versions
    /// past its newest checkpoint.</summary>
    CheckpointWritten,

    /// <summary>The log checkpoint was published under its version and its folder fsynced.</summary>
    CheckpointPublished,

    /// <summary>The staging folder was removed; the commit is complete.</summary>
    Completed,
}
