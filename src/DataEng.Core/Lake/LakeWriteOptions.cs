namespace DataEng.Core;

/// <summary>Options of a lake writer (<see cref="Lake.Write"/>), validated when the sink is created.</summary>
public sealed class LakeWriteOptions
{
    private List<PartitionSpec> _partitionBy = [];

    /// <summary>The default <see cref="BasenameTemplate"/>.</summary>
    public const string DefaultBasenameTemplate = "part-{pipeline}-{run}-{n}.parquet";

    /// <summary>Gets or sets the stage name used in errors, logs and run results.</summary>
    /// <value>The default value is <c>lake</c>.</value>
    public string Name { get; set; } = "lake";

    /// <summary>Gets the partition levels, outermost first (Hive folders <c>name=value/</c> in this order).</summary>
    /// <value>The default value is empty: an unpartitioned dataset.</value>
    public IList<PartitionSpec> PartitionBy => _partitionBy;

    /// <summary>Gets or sets whether identity partition columns are also kept inside the data files. By Hive convention
    /// they are dropped (the folder name holds the value) and readers rebuild them.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool KeepPartitionColumns { get; set; }

    /// <summary>Gets or sets how the writer treats data already in the dataset.</summary>
    /// <value>The default value is <see cref="LakeWriteMode.Append"/>.</value>
    public LakeWriteMode Mode { get; set; } = LakeWriteMode.Append;

    /// <summary>Gets or sets what happens when the batches do not have the dataset's schema.</summary>
    /// <value>The default value is <see cref="LakeSchemaPolicy.Fail"/>.</value>
    public LakeSchemaPolicy SchemaPolicy { get; set; } = LakeSchemaPolicy.Fail;

    /// <summary>Gets or sets the most rows a data file holds; the writer starts a new file beyond it.</summary>
    /// <value>The default value is <see langword="null"/> (no limit).</value>
    public long? MaxRowsPerFile { get; set; }

    /// <summary>Gets or sets the size in bytes at which a data file is closed and a new one started (checked after each
    /// row group, so files end slightly above it).</summary>
    /// <value>The default value is 512 MiB. <see langword="null"/> means no limit.</value>
    public long? TargetFileSizeBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Gets or sets the most rows in one Parquet row group. Row groups are smaller when
    /// <see cref="MaxBufferedBytes"/> cannot hold a buffer of this many rows for every active partition (see there).</summary>
    /// <value>The default value is 1,048,576.</value>
    public int RowGroupSize { get; set; } = 1_048_576;

    /// <summary>Gets or sets the most data files open at once; beyond it the least recently used file is closed (a later
    /// row for its partition starts a new file).</summary>
    /// <value>The default value is 512.</value>
    public int MaxOpenFiles { get; set; } = 512;

    /// <summary>Gets or sets the most partitions one write may touch. The write fails with a clear error, before
    /// writing any row past the limit, when a batch would start one more.</summary>
    /// <value>The default value is 1024.</value>
    public int MaxPartitionsPerRun { get; set; } = 1024;

    /// <summary>
    /// Gets or sets the memory budget, in bytes, of the row buffers: those being filled (one per active partition),
    /// those being encoded and idle ones kept for reuse, counted on their capacity. A partition's buffer becomes a row
    /// group at <see cref="RowGroupSize"/> rows or earlier, at the size where one buffer per active partition plus two
    /// in-flight buffers per encoder fit this budget; over budget, idle buffers are freed and the writer waits for
    /// encoders. With many partitions this sets the row-group size: more budget, larger row groups, more memory.
    /// </summary>
    /// <value>The default value is 128 MiB.</value>
    public long MaxBufferedBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Gets or sets how many data files may be encoded at once.</summary>
    /// <value>The default value is <see cref="Environment.ProcessorCount"/>.</value>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Gets or sets the data file name template. Placeholders: <c>{pipeline}</c> (the pipeline name, escaped and
    /// shortened), <c>{run}</c> (the run number, at least 5 digits), <c>{runid}</c> (the run id), <c>{n}</c> (the file's
    /// sequence number in its partition, at least 5 digits). Names are deterministic for a given run and input; they must
    /// contain <c>{n}</c> and <c>{run}</c> or <c>{runid}</c> and end in <c>.parquet</c>.
    /// </summary>
    /// <value>The default value is <see cref="DefaultBasenameTemplate"/>.</value>
    public string BasenameTemplate { get; set; } = DefaultBasenameTemplate;

    /// <summary>Gets or sets the Parquet encoding: codec (Snappy by default; Zstd, Gzip, LZ4, none), compression level and
    /// dictionary encoding. Its <see cref="ParquetWriteOptions.RowGroupSize"/> is ignored: the lake uses
    /// <see cref="RowGroupSize"/>.</summary>
    /// <value>The default value is a new <see cref="ParquetWriteOptions"/> (Snappy, fastest level, automatic dictionaries).</value>
    public ParquetWriteOptions Parquet { get; set; } = new();

    /// <summary>Gets or sets whether to fail when two partition folders differ only in letter case or unicode
    /// normalisation (they would be one folder on Windows and macOS).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DetectCaseCollisions { get; set; }

    /// <summary>
    /// Gets or sets a callback invoked synchronously at each <see cref="LakeCommitStep"/>. An exception it throws
    /// abandons the commit as if the process had died at that step (nothing is cleaned up; the next open recovers);
    /// crash tests use it to kill the process at named points.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<LakeCommitStep>? CommitObserver { get; set; }

    /// <summary>
    /// Gets or sets how many versions apart the log is checkpointed: a commit that brings the lake this many versions
    /// past its newest checkpoint writes a new one (the folded state in one file), so opening the lake reads that file
    /// and at most this many manifests, however long the log. See docs/lake.md, "The log".
    /// </summary>
    /// <value>The default value is 100.</value>
    public int CheckpointInterval { get; set; } = LakeLog.DefaultCheckpointInterval;

    /// <summary>Gets or sets test hooks into the commit protocol (full-disk faults, interleavings with recovery).</summary>
    internal LakeTransactionHooks? TransactionHooks { get; set; }

    /// <summary>Gets what this writer's transactions are given.</summary>
    internal LakeTransactionSettings TransactionSettings => new(CommitObserver, CheckpointInterval, TransactionHooks);

    /// <summary>Gets or sets how often a commit is retried when another writer published a version first.</summary>
    /// <value>The default value is 10.</value>
    public int MaxCommitRetries { get; set; } = 10;

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add($"{nameof(Name)} must not be empty.");
        }

        if (PartitionBy.Any(static p => p is null))
        {
            problems.Add($"{nameof(PartitionBy)} must not contain null.");
        }
        else if (PartitionBy.Select(static p => p.Name).Distinct(StringComparer.Ordinal).Count() != PartitionBy.Count)
        {
            problems.Add($"{nameof(PartitionBy)} names a partition column twice.");
        }

        if (!Enum.IsDefined(Mode))
        {
            problems.Add($"{nameof(Mode)} is not a known mode (was {(int)Mode}).");
        }

        if (!Enum.IsDefined(SchemaPolicy))
        {
            problems.Add($"{nameof(SchemaPolicy)} is not a known policy (was {(int)SchemaPolicy}).");
        }

        if (MaxRowsPerFile is < 1)
        {
            problems.Add($"{nameof(MaxRowsPerFile)} must be at least 1 when set (was {MaxRowsPerFile}).");
        }

        if (TargetFileSizeBytes is < 1)
        {
            problems.Add($"{nameof(TargetFileSizeBytes)} must be at least 1 when set (was {TargetFileSizeBytes}).");
        }

        if (RowGroupSize < 1)
        {
            problems.Add($"{nameof(RowGroupSize)} must be at least 1 (was {RowGroupSize}).");
        }

        if (MaxOpenFiles < 1)
        {
            problems.Add($"{nameof(MaxOpenFiles)} must be at least 1 (was {MaxOpenFiles}).");
        }

        if (MaxPartitionsPerRun < 1)
        {
            problems.Add($"{nameof(MaxPartitionsPerRun)} must be at least 1 (was {MaxPartitionsPerRun}).");
        }

        if (MaxBufferedBytes < 1024 * 1024)
        {
            problems.Add($"{nameof(MaxBufferedBytes)} must be at least 1 MiB (was {MaxBufferedBytes}).");
        }

        if (MaxDegreeOfParallelism < 1)
        {
            problems.Add($"{nameof(MaxDegreeOfParallelism)} must be at least 1 (was {MaxDegreeOfParallelism}).");
        }

        if (CheckpointInterval < 1)
        {
            problems.Add($"{nameof(CheckpointInterval)} must be at least 1 (was {CheckpointInterval}).");
        }

        if (MaxCommitRetries < 0)
        {
            problems.Add($"{nameof(MaxCommitRetries)} must not be negative (was {MaxCommitRetries}).");
        }

        if (Parquet is null)
        {
            problems.Add($"{nameof(Parquet)} must not be null.");
        }
        else
        {
            problems.AddRange(Parquet.Validate().Where(static p => !p.StartsWith(nameof(ParquetWriteOptions.RowGroupSize), StringComparison.Ordinal)).Select(static p => $"{nameof(Parquet)}.{p}"));
        }

        problems.AddRange(FileNaming.ValidateTemplate(BasenameTemplate));
        return problems;
    }

    internal LakeWriteOptions Clone()
    {
        var clone = (LakeWriteOptions)MemberwiseClone();
        clone._partitionBy = [.. _partitionBy];
        clone.Parquet = Parquet.Clone();
        return clone;
    }
}
