namespace DataEng.Core;

/// <summary>Options of a lake reader (<see cref="Lake.Read"/>).</summary>
public sealed class LakeReadOptions
{
    /// <summary>Gets or sets the stage name used in errors, logs and run results.</summary>
    /// <value>The default value is <c>lake</c>.</value>
    public string Name { get; set; } = "lake";

    /// <summary>Gets or sets the columns to read, in the order wanted (data and partition columns alike).</summary>
    /// <value>The default value is <see langword="null"/>: every column, data columns first, then partition columns.</value>
    public IReadOnlyList<string>? Columns { get; set; }

    /// <summary>Gets or sets a predicate on partition values: partitions for which it returns <see langword="false"/>
    /// are skipped without opening their files.</summary>
    /// <value>The default value is <see langword="null"/> (read every partition).</value>
    public Func<LakePartitionValues, bool>? PartitionFilter { get; set; }

    /// <summary>Gets or sets the version to read. Each run reads the latest committed version when not set.</summary>
    /// <value>The default value is <see langword="null"/> (the latest version).</value>
    public long? SnapshotVersion { get; set; }

    /// <summary>Gets or sets whether to ignore the lake manifest and discover Hive partition folders instead (as for a
    /// dataset written by another engine). Staging and orphan files are never read either way.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IgnoreManifest { get; set; }

    /// <summary>Gets or sets the limits applied to every file (footer size cap, timeout, rows per batch, allocator).</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="ParquetReadOptions"/> defaults.</value>
    public ParquetReadOptions? Parquet { get; set; }

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add($"{nameof(Name)} must not be empty.");
        }

        if (Columns is not null && (Columns.Any(string.IsNullOrEmpty) || Columns.Distinct(StringComparer.Ordinal).Count() != Columns.Count))
        {
            problems.Add($"{nameof(Columns)} must name each column once and not be empty.");
        }

        if (SnapshotVersion is < 1)
        {
            problems.Add($"{nameof(SnapshotVersion)} must be at least 1 when set (was {SnapshotVersion}).");
        }

        if (Parquet is not null)
        {
            problems.AddRange(Parquet.Validate().Select(static p => $"{nameof(Parquet)}.{p}"));
        }

        return problems;
    }

    /// <summary>A copy that later changes to these options (or to their column list or Parquet options) do not reach.</summary>
    internal LakeReadOptions Clone()
    {
        var clone = (LakeReadOptions)MemberwiseClone();
        clone.Columns = Columns?.ToArray();
        clone.Parquet = Parquet?.Clone();
        return clone;
    }
}
