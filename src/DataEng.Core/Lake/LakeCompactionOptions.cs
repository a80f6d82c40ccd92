namespace DataEng.Core;

/// <summary>Options of <see cref="LakeDataset.CompactAsync"/>.</summary>
public sealed class LakeCompactionOptions
{
    /// <summary>Gets or sets the size files are merged up to; files at least this large are left alone.</summary>
    /// <value>The default value is 128 MiB.</value>
    public long TargetFileSizeBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Gets or sets how many small files a partition needs before it is compacted.</summary>
    /// <value>The default value is 2.</value>
    public int MinFilesPerPartition { get; set; } = 2;

    /// <summary>Gets or sets a predicate choosing the partitions to compact.</summary>
    /// <value>The default value is <see langword="null"/> (every partition).</value>
    public Func<LakePartitionValues, bool>? PartitionFilter { get; set; }

    /// <summary>Gets or sets the Parquet encoding of the new files (its row-group size applies).</summary>
    /// <value>The default value is a new <see cref="ParquetWriteOptions"/>.</value>
    public ParquetWriteOptions Parquet { get; set; } = new();

    /// <summary>Gets or sets the limits applied when reading the old files.</summary>
    /// <value>The default value is <see langword="null"/> (<see cref="ParquetReadOptions"/> defaults).</value>
    public ParquetReadOptions? ReadOptions { get; set; }

    /// <summary>Gets or sets the callback invoked at each commit step (see <see cref="LakeWriteOptions.CommitObserver"/>).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<LakeCommitStep>? CommitObserver { get; set; }

    /// <summary>Gets or sets the clock stamped on the commit.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (TargetFileSizeBytes < 1)
        {
            problems.Add($"{nameof(TargetFileSizeBytes)} must be at least 1 (was {TargetFileSizeBytes}).");
        }

        if (MinFilesPerPartition < 2)
        {
            problems.Add($"{nameof(MinFilesPerPartition)} must be at least 2 (was {MinFilesPerPartition}).");
        }

        if (Parquet is null)
        {
            problems.Add($"{nameof(Parquet)} must not be null.");
        }
        else
        {
            problems.AddRange(Parquet.Validate().Select(static p => $"{nameof(Parquet)}.{p}"));
        }

        if (TimeProvider is null)
        {
            problems.Add($"{nameof(TimeProvider)} must not be null.");
        }

        return problems;
    }
}
