namespace DataEng.Core.Tables;

/// <summary>A data file of a snapshot.</summary>
public sealed class LakeDataFile
{
    internal LakeDataFile(LakeLayout layout, LiveFile file, bool locate)
    {
        Path = file.Record.Path;
        FullPath = locate ? RetiredFiles.Locate(layout, file.Record.Path) : layout.Resolve(file.Record.Path);
        PartitionPath = LakeSinkWriter.DirectoryOf(file.Record.Path);
        PartitionValues = file.Record.Partition.Select(HivePath.UnescapeValue).ToArray();
        RowCount = file.Record.Rows;
        SizeBytes = file.Record.Bytes;
        Version = file.Version;
    }

    /// <summary>Gets the path relative to the root, with <c>/</c> separators, as on disk (escaped).</summary>
    public string Path { get; }

    /// <summary>Gets the full path: in its partition folder, or, for a file of an older snapshot that a later commit
    /// replaced, under <c>_dataeng/retired/</c> (where it stays until <see cref="LakeDataset.VacuumAsync"/>).</summary>
    public string FullPath { get; }

    /// <summary>Gets the partition folder relative to the root (empty when unpartitioned).</summary>
    public string PartitionPath { get; }

    /// <summary>Gets the partition values (decoded; <see langword="null"/> for null), one per partition level.</summary>
    public IReadOnlyList<string?> PartitionValues { get; }

    /// <summary>Gets the row count recorded at commit (readers verify it).</summary>
    public long RowCount { get; }

    /// <summary>Gets the file size in bytes.</summary>
    public long SizeBytes { get; }

    /// <summary>Gets the version that added the file.</summary>
    public long Version { get; }
}
