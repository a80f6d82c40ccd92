namespace DataEng.Core.Checkpoints;

/// <summary>
/// Stores the committed state of pipelines outside the sink, and leases pipelines so that two processes never run
/// the same pipeline at once.
/// </summary>
/// <remarks>
/// <para>Implementations: <see cref="InMemoryCheckpointStore"/>, <see cref="FileCheckpointStore"/>, and the SQLite and
/// PostgreSQL stores of the <c>DataEng.Core.Sqlite</c> and <c>DataEng.Core.PostgreSql</c> packages. They all pass the
/// same contract tests.</para>
/// <para>When the sink is an <see cref="ICheckpointingSink"/>, the sink stays the source of truth: the store is
/// reconciled against the sink's last commit before each incremental run.</para>
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>Gets a description of the store for errors and logs (never holds a secret).</summary>
    string Name { get; }

    /// <summary>Takes the lease of a pipeline: until it is disposed (or, for stores with expiry, until it expires)
    /// no other lease of the same pipeline can be taken, from this process or another one.</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <param name="cancellationToken">Cancels the acquisition.</param>
    /// <returns>The lease; dispose it to release it.</returns>
    /// <exception cref="PipelineLockedException">Another holder has the lease.</exception>
    ValueTask<CheckpointLease> AcquireLeaseAsync(string pipelineName, CancellationToken cancellationToken = default);

    /// <summary>Reads the committed state of a pipeline.</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The last committed run, or <see langword="null"/> if none was written.</returns>
    ValueTask<CommittedRun?> ReadAsync(string pipelineName, CancellationToken cancellationToken = default);

    /// <summary>Replaces the committed state of the leased pipeline, atomically and durably.</summary>
    /// <param name="lease">The lease of the pipeline, which must still be held.</param>
    /// <param name="run">The new committed state.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the state is durable.</returns>
    /// <exception cref="PipelineLockedException">The lease was lost (it expired and another holder took it).</exception>
    ValueTask WriteAsync(CheckpointLease lease, CommittedRun run, CancellationToken cancellationToken = default);
}
