namespace DataEng.Core.Tables;

/// <summary>What a lake commit did.</summary>
public enum LakeOperation
{
    /// <summary>Added files.</summary>
    Append,

    /// <summary>Added files and replaced every earlier file of the partitions it wrote to.</summary>
    Overwrite,

    /// <summary>Replaced small files of a partition by fewer, larger files with the same rows.</summary>
    Compact,

    /// <summary>Expired old versions and deleted the data files no retained version needs (<see cref="LakeDataset.VacuumAsync"/>);
    /// the snapshot is unchanged.</summary>
    Vacuum,

    /// <summary>Removed every file of the partitions older than a limit (<see cref="LakeDataset.DropPartitionsAsync"/>).</summary>
    DropPartitions,
}
