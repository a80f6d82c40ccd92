namespace DataEng.Core.Tables;

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
