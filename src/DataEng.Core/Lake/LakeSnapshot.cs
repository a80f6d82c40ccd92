using Apache.Arrow;

namespace DataEng.Core.Tables;

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
