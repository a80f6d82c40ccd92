namespace DataEng.Core;

/// <summary>
/// Options of <see cref="LakeDataset.VacuumAsync"/>: which versions to keep, how long unreferenced files stay, and
/// whether to only list what would go.
/// </summary>
/// <remarks>
/// A version is retained when it is one of the last <see cref="KeepLastVersions"/> or was committed within
/// <see cref="KeepNewerThan"/> (either rule keeps it; the latest version is always kept). With neither set nothing
/// expires and only orphans can go. Versions expired once stay expired.
/// </remarks>
public sealed class LakeVacuumOptions
{
    /// <summary>Gets or sets how many of the latest versions to keep (counted before the vacuum's own commit).</summary>
    /// <value>The default value is <see langword="null"/> (no count rule).</value>
    public int? KeepLastVersions { get; set; }

    /// <summary>Gets or sets the age under which versions are kept: a version committed after now minus this (and
    /// every later one) is retained.</summary>
    /// <value>The default value is 7 days.</value>
    public TimeSpan? KeepNewerThan { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Gets or sets how long a data file stays after no retained version needs it any more: after the commit that
    /// replaced it, or after the vacuum that expired the last version holding it, whichever is later. A reader that
    /// opened a snapshot can finish reading it for at least this long after the snapshot expired. Files on disk that no
    /// manifest ever listed (left by failed writers) are deleted only when unmodified for this long.
    /// </summary>
    /// <value>The default value is 1 day.</value>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets whether to delete the data files no manifest ever listed (orphans of failed runs, past the
    /// grace period, never a live writer's files).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RemoveOrphans { get; set; } = true;

    /// <summary>Gets or sets whether to only list what would be expired and deleted, changing nothing.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DryRun { get; set; }

    /// <summary>Gets or sets the callback invoked at each step of the vacuum's commit and after each file deleted
    /// (<see cref="LakeCommitStep.FileVacuumed"/>); throwing abandons the vacuum as if the process had died.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<LakeCommitStep>? CommitObserver { get; set; }

    /// <summary>Gets or sets the clock: the age of versions and files, and the commit's timestamp.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (KeepLastVersions is < 1)
        {
            problems.Add($"{nameof(KeepLastVersions)} must be at least 1 (was {KeepLastVersions}).");
        }

        if (KeepNewerThan is { } age && age < TimeSpan.Zero)
        {
            problems.Add($"{nameof(KeepNewerThan)} must not be negative (was {age}).");
        }

        if (GracePeriod < TimeSpan.Zero)
        {
            problems.Add($"{nameof(GracePeriod)} must not be negative (was {GracePeriod}).");
        }

        if (TimeProvider is null)
        {
            problems.Add($"{nameof(TimeProvider)} must not be null.");
        }

        return problems;
    }
}
