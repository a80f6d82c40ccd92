namespace DataEng.Core.Tables;

/// <summary>What <see cref="LakeDataset.CompactAsync"/> did.</summary>
public sealed class LakeCompactionResult
{
    internal LakeCompactionResult(long? version, int partitions, int filesRemoved, int filesAdded, long rows)
    {
        Version = version;
        Partitions = partitions;
        FilesRemoved = filesRemoved;
        FilesAdded = filesAdded;
        Rows = rows;
    }

    /// <summary>Gets the version committed, or <see langword="null"/> when there was nothing to compact.</summary>
    public long? Version { get; }

    /// <summary>Gets the number of partitions compacted.</summary>
    public int Partitions { get; }

    /// <summary>Gets the number of small files replaced.</summary>
    public int FilesRemoved { get; }

    /// <summary>Gets the number of files written.</summary>
    public int FilesAdded { get; }

    /// <summary>Gets the number of rows rewritten.</summary>
    public long Rows { get; }
}
