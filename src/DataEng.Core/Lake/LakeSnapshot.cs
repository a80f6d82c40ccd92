using Apache.Arrow;

namespace DataEng.Core;

/// <summary>One commit of a lake, as listed by <see cref="LakeDataset.Commits"/>.</summary>
public sealed class LakeCommit
{
    internal LakeCommit(CommitRecord record)
    {
        Version = record.Version;
        Operation = record.Operation;
        Timestamp = record.Timestamp;
        PipelineName = record.PipelineName;
        RunNumber = record.RunNumber;
        RunId = record.RunId;
        Properties = record.Properties;
        FilesAdded = record.Added.Count;
        FilesRemoved = record.Removed.Count;
        RowsAdded = record.Added.Sum(static f => f.Rows);
    }

    /// <summary>Gets the version (1, 2, 3, … in commit order).</summary>
    public long Version { get; }

    /// <summary>Gets what the commit did.</summary>
    public LakeOperation Operation { get; }

    /// <summary>Gets when the commit was made (the writer's clock).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the pipeline that committed, or <see langword="null"/> (compaction).</summary>
    public string? PipelineName { get; }

    /// <summary>Gets the run number that committed, or <see langword="null"/> (compaction).</summary>
    public long? RunNumber { get; }

    /// <summary>Gets the run id that committed, or <see langword="null"/> (compaction).</summary>
    public string? RunId { get; }

    /// <summary>Gets the key/values committed atomically with the data (for example a watermark).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>Gets the number of data files added.</summary>
    public int FilesAdded { get; }

    /// <summary>Gets the number of data files replaced (overwrite, compaction).</summary>
    public int FilesRemoved { get; }

    /// <summary>Gets the number of rows in the added files.</summary>
    public long RowsAdded { get; }
}

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

/// <summary>A partition folder of a snapshot.</summary>
public sealed class LakePartition
{
    internal LakePartition(string path, IReadOnlyList<string?> values, int fileCount, long rowCount, long sizeBytes)
    {
        Path = path;
        Values = values;
        FileCount = fileCount;
        RowCount = rowCount;
        SizeBytes = sizeBytes;
    }

    /// <summary>Gets the folder relative to the root (escaped, <c>/</c>-separated; empty when unpartitioned).</summary>
    public string Path { get; }

    /// <summary>Gets the partition values (decoded; <see langword="null"/> for null).</summary>
    public IReadOnlyList<string?> Values { get; }

    /// <summary>Gets the number of data files.</summary>
    public int FileCount { get; }

    /// <summary>Gets the number of rows.</summary>
    public long RowCount { get; }

    /// <summary>Gets the total size of the files in bytes.</summary>
    public long SizeBytes { get; }
}

/// <summary>A committed state of a lake: its schema and exactly the files readers of that version see.</summary>
public sealed class LakeSnapshot
{
    internal LakeSnapshot(LakeLayout layout, LakeState state, bool locate = false)
    {
        Version = state.Version;
        Timestamp = state.Timestamp ?? default;
        var table = state.Schema!;
        Table = table;
        Schema = table.ReadSchema;
        InputSchema = table.InputSchema;
        Partitioning = table.Partitioning;
        Files = state.Files.Values.OrderBy(static f => f.Record.Path, StringComparer.Ordinal).Select(f => new LakeDataFile(layout, f, locate)).ToList();
        Partitions = Files.GroupBy(static f => f.PartitionPath, StringComparer.Ordinal)
            .Select(static g => new LakePartition(g.Key, g.First().PartitionValues, g.Count(), g.Sum(static f => f.RowCount), g.Sum(static f => f.SizeBytes)))
            .ToList();
        RowCount = Files.Sum(static f => f.RowCount);
        SizeBytes = Files.Sum(static f => f.SizeBytes);
    }

    /// <summary>Gets the version.</summary>
    public long Version { get; }

    /// <summary>Gets when the version was committed.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the schema readers produce: the file columns, then the partition columns.</summary>
    public Schema Schema { get; }

    /// <summary>Gets the schema of the batches written to the lake (partition source columns included).</summary>
    public Schema InputSchema { get; }

    /// <summary>Gets the partition levels, outermost first.</summary>
    public IReadOnlyList<PartitionSpec> Partitioning { get; }

    /// <summary>Gets the data files, ordered by path.</summary>
    public IReadOnlyList<LakeDataFile> Files { get; }

    /// <summary>Gets the partition folders, ordered by path.</summary>
    public IReadOnlyList<LakePartition> Partitions { get; }

    /// <summary>Gets the number of rows.</summary>
    public long RowCount { get; }

    /// <summary>Gets the total size of the data files in bytes.</summary>
    public long SizeBytes { get; }

    internal LakeTableSchema Table { get; }
}

/// <summary>What <see cref="LakeDataset.RecoverAsync"/> removed.</summary>
public sealed class LakeRecoveryResult
{
    internal LakeRecoveryResult(int stagingFolders, int orphanFiles, int replacedFiles)
    {
        StagingFolders = stagingFolders;
        OrphanFiles = orphanFiles;
        ReplacedFiles = replacedFiles;
    }

    /// <summary>Gets the number of abandoned staging folders removed.</summary>
    public int StagingFolders { get; }

    /// <summary>Gets the number of data files removed that an unfinished commit had renamed into place.</summary>
    public int OrphanFiles { get; }

    /// <summary>Gets the number of data files removed that a published commit had replaced.</summary>
    public int ReplacedFiles { get; }
}
