namespace DataEng.Core;

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
