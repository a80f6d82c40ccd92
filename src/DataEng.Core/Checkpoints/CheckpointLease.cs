namespace DataEng.Core.Checkpoints;

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
