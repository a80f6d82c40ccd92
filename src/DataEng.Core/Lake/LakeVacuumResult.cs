namespace DataEng.Core.Tables;

/// <summary>What <see cref="LakeDataset.VacuumAsync"/> expired and deleted (or, in a dry run, would).</summary>
public sealed class LakeVacuumResult
{
    internal LakeVacuumResult(bool dryRun, long? version, long oldestRetainedVersion, IReadOnlyList<long> expiredVersions, IReadOnlyList<string> files, IReadOnlyList<string> orphanFiles, long bytes)
    {
        DryRun = dryRun;
        Version = version;
        OldestRetainedVersion = oldestRetainedVersion;
        ExpiredVersions = expiredVersions;
        Files = files;
        OrphanFiles = orphanFiles;
        Bytes = bytes;
    }

    /// <summary>Gets whether this was a dry run (nothing was changed).</summary>
    public bool DryRun { get; }

    /// <summary>Gets the version of the vacuum's commit, or <see langword="null"/> (dry run, or nothing to do).</summary>
    public long? Version { get; }

    /// <summary>Gets the oldest version readable after the vacuum.</summary>
    public long OldestRetainedVersion { get; }

    /// <summary>Gets the versions this vacuum expired, oldest first.</summary>
    public IReadOnlyList<long> ExpiredVersions { get; }

    /// <summary>Gets the data files deleted (paths relative to the root, ordered), orphans included.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Gets the deleted files that no manifest ever listed (left by failed writers).</summary>
    public IReadOnlyList<string> OrphanFiles { get; }

    /// <summary>Gets the bytes of the deleted files.</summary>
    public long Bytes { get; }
}
