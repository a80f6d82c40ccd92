namespace DataEng.Core;

/// <summary>Options of one run.</summary>
public sealed class RunOptions
{
    /// <summary>Gets or sets where progress is reported (rows, bytes, rows per second), at most every
    /// <see cref="PipelineOptions.ProgressInterval"/> and once at the end.</summary>
    /// <value>The default value is <see langword="null"/> (no reports).</value>
    public IProgress<RunProgress>? Progress { get; set; }

    /// <summary>Gets or sets the run number. Incremental runs take it from their checkpoint.</summary>
    /// <value>The default value is <see langword="null"/>: one more than the last run of this pipeline instance.</value>
    public long? RunNumber { get; set; }

    /// <summary>Gets or sets the run id.</summary>
    /// <value>The default value is <see langword="null"/>: a new id.</value>
    public string? RunId { get; set; }

    /// <summary>Gets key/values committed atomically with the run's data (in addition to those stages add).</summary>
    public IDictionary<string, string> CommitProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
