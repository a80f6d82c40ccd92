namespace DataEng.Core;

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

/// <summary>The lease of one pipeline in an <see cref="ICheckpointStore"/>. Dispose it to release the lease.</summary>
public abstract class CheckpointLease : IAsyncDisposable
{
    private int _released;

    /// <summary>Creates a lease.</summary>
    /// <param name="pipelineName">The leased pipeline.</param>
    /// <param name="holder">Who holds it (host, process and a unique id), shown to a blocked second process.</param>
    protected CheckpointLease(string pipelineName, string holder)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        PipelineName = pipelineName;
        Holder = holder;
    }

    /// <summary>Gets the leased pipeline.</summary>
    public string PipelineName { get; }

    /// <summary>Gets who holds the lease.</summary>
    public string Holder { get; }

    /// <summary>Gets a value indicating whether the lease was released.</summary>
    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>Extends the lease (stores with expiry) and checks that it is still held.</summary>
    /// <param name="cancellationToken">Cancels the renewal.</param>
    /// <returns>A task that completes when the lease is renewed.</returns>
    /// <exception cref="PipelineLockedException">The lease was lost.</exception>
    public abstract ValueTask RenewAsync(CancellationToken cancellationToken = default);

    /// <summary>Releases the lease. Safe to call more than once.</summary>
    /// <returns>A task that completes when the lease is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            await ReleaseAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the lease; called once.</summary>
    /// <returns>A task that completes when the lease is released.</returns>
    protected abstract ValueTask ReleaseAsync();

    /// <summary>Throws if the lease was released.</summary>
    /// <exception cref="ObjectDisposedException">The lease was released.</exception>
    protected void ThrowIfReleased() => ObjectDisposedException.ThrowIf(IsReleased, this);

    /// <summary>Creates a holder id: host, process id and a unique suffix.</summary>
    /// <returns>The holder id.</returns>
    protected static string NewHolderId() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
}
