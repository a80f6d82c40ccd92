namespace DataEng.Core.Tables;

/// <summary>What <see cref="LakeDataset.DropPartitionsAsync"/> dropped (or, in a dry run, would).</summary>
public sealed class LakeDropPartitionsResult
{
    internal LakeDropPartitionsResult(bool dryRun, long? version, DateTimeOffset cutoff, IReadOnlyList<string> partitions, IReadOnlyList<string> files, long rows, long bytes)
    {
        DryRun = dryRun;
        Version = version;
        Cutoff = cutoff;
        Partitions = partitions;
        Files = files;
        Rows = rows;
        Bytes = bytes;
    }

    /// <summary>Gets whether this was a dry run (nothing was changed).</summary>
    public bool DryRun { get; }

    /// <summary>Gets the version of the <c>drop-partitions</c> commit, or <see langword="null"/> (dry run, or nothing to drop).</summary>
    public long? Version { get; }

    /// <summary>Gets the instant partitions had to end by to be dropped (now minus the age).</summary>
    public DateTimeOffset Cutoff { get; }

    /// <summary>Gets the partition folders dropped (relative to the root, ordered).</summary>
    public IReadOnlyList<string> Partitions { get; }

    /// <summary>Gets the data files removed from the snapshot (ordered); they stay for older snapshots until vacuumed.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Gets the rows in those files.</summary>
    public long Rows { get; }

    /// <summary>Gets the bytes of those files.</summary>
    public long Bytes { get; }
}
