namespace DataEng.Core.Tables;

/// <summary>
/// The steps of a lake commit, reported in this order to <see cref="LakeWriteOptions.CommitObserver"/>. An
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

    /// <summary>Files replaced by this commit (overwrite, compaction, partition drop) were moved out of the partition
    /// folders to <c>_dataeng/retired/</c>, where older snapshots still read them until <see cref="LakeDataset.VacuumAsync"/>
    /// deletes them.</summary>
    OldFilesRemoved,

    /// <summary>The log checkpoint (the folded state of the latest version) was written and fsynced under a temporary
    /// name. Reported only by commits that bring the lake <see cref="LakeWriteOptions.CheckpointInterval"/> versions
    /// past its newest checkpoint.</summary>
    CheckpointWritten,

    /// <summary>The log checkpoint was published under its version and its folder fsynced.</summary>
    CheckpointPublished,

    /// <summary>The staging folder was removed; the commit is complete.</summary>
    Completed,

    /// <summary>A vacuum deleted one data file that no retained version needs (reported per file, after
    /// <see cref="Completed"/> of its commit).</summary>
    FileVacuumed,
}
