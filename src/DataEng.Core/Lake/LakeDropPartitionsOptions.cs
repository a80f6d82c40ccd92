namespace DataEng.Core;

/// <summary>
/// Options of <see cref="LakeDataset.DropPartitionsAsync"/>: drops every partition whose time period, by one partition
/// column, ended more than <see cref="OlderThan"/> ago (for example day partitions older than 90 days).
/// </summary>
public sealed class LakeDropPartitionsOptions
{
    /// <summary>Gets or sets the partition column judged: a <see cref="PartitionTransform.Year"/>,
    /// <see cref="PartitionTransform.Month"/>, <see cref="PartitionTransform.Day"/> or <see cref="PartitionTransform.Hour"/>
    /// partition, or an identity partition of a date or timestamp column (its <see cref="PartitionSpec.Name"/>).</summary>
    /// <value>The default value is <see langword="null"/> (required).</value>
    public string? PartitionColumn { get; set; }

    /// <summary>Gets or sets the age: a partition goes when its whole period ended at or before now minus this (a day
    /// partition <c>2024-03-01</c> ends at <c>2024-03-02T00:00</c> in the partition's time zone; an identity timestamp
    /// partition at its value). Null partitions are never dropped.</summary>
    /// <value>The default value is <see langword="null"/> (required).</value>
    public TimeSpan? OlderThan { get; set; }

    /// <summary>Gets or sets whether to only list what would be dropped, changing nothing.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DryRun { get; set; }

    /// <summary>Gets or sets the callback invoked at each commit step (see <see cref="LakeWriteOptions.CommitObserver"/>).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<LakeCommitStep>? CommitObserver { get; set; }

    /// <summary>Gets or sets the clock: "now" for the age, and the commit's timestamp.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(PartitionColumn))
        {
            problems.Add($"{nameof(PartitionColumn)} must be set to a time partition column.");
        }

        if (OlderThan is null)
        {
            problems.Add($"{nameof(OlderThan)} must be set.");
        }
        else if (OlderThan < TimeSpan.Zero)
        {
            problems.Add($"{nameof(OlderThan)} must not be negative (was {OlderThan}).");
        }

        if (TimeProvider is null)
        {
            problems.Add($"{nameof(TimeProvider)} must not be null.");
        }

        return problems;
    }
}
