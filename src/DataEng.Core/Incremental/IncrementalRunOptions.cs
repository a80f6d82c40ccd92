namespace DataEng.Core;

/// <summary>Options of <see cref="IncrementalPipelineExtensions.RunIncrementalAsync"/>.</summary>
public sealed class IncrementalRunOptions
{
    /// <summary>Gets or sets the external checkpoint store. It provides the lease; with a sink that is an
    /// <see cref="ICheckpointingSink"/> it is a mirror reconciled against the sink, otherwise it holds the state.</summary>
    /// <value>The default value is <see langword="null"/>: the sink must be an <see cref="ICheckpointingSink"/>.</value>
    public ICheckpointStore? CheckpointStore { get; set; }

    /// <summary>Gets or sets how often the lease is renewed while the run goes on (it is also renewed right before the
    /// commit).</summary>
    /// <value>The default value is one minute. Must be positive.</value>
    public TimeSpan LeaseRenewalInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets where progress is reported.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IProgress<RunProgress>? Progress { get; set; }
}
