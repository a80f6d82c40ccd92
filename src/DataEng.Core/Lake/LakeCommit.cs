namespace DataEng.Core.Tables;

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
