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
}
