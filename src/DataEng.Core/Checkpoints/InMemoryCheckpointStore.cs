namespace DataEng.Core.Checkpoints;

/// <summary>
/// A checkpoint store held in memory, for tests and for pipelines whose state need not survive the process.
/// Leases expire after <see cref="LeaseDuration"/> unless renewed, measured on the given clock.
/// </summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly Dictionary<string, CommittedRun> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Holder, DateTimeOffset ExpiresAt)> _leases = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly object _gate = new();

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for lease expiry, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="leaseDuration">How long a lease lasts without renewal, or <see langword="null"/> for five minutes.</param>
    public InMemoryCheckpointStore(TimeProvider? timeProvider = null, TimeSpan? leaseDuration = null)
    {
        if (leaseDuration is { } d && d <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(leaseDuration), d, "The lease duration must be positive.");
        }

        _time = timeProvider ?? TimeProvider.System;
        LeaseDuration = leaseDuration ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>Gets how long a lease lasts without renewal.</summary>
    public TimeSpan LeaseDuration { get; }

    /// <inheritdoc />
    public string Name => "the in-memory checkpoint store";

    /// <inheritdoc />
    public ValueTask<CheckpointLease> AcquireLeaseAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        cancellationToken.ThrowIfCancellationRequested();
        var lease = new Lease(this, pipelineName);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_leases.TryGetValue(pipelineName, out var held) && held.ExpiresAt > now)
            {
                throw new PipelineLockedException(pipelineName, Name, held.Holder, held.ExpiresAt);
            }

            _leases[pipelineName] = (lease.Holder, now + LeaseDuration);
        }

        return ValueTask.FromResult<CheckpointLease>(lease);
    }

    /// <inheritdoc />
    public ValueTask<CommittedRun?> ReadAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_runs.TryGetValue(pipelineName, out var run) ? run : null);
        }
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(CheckpointLease lease, CommittedRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(run);
        cancellationToken.ThrowIfCancellationRequested();
        var own = CheckOwn(lease);
        lock (_gate)
        {
            CheckHeld(own);
            _runs[own.PipelineName] = run with { Properties = new Dictionary<string, string>(run.Properties, StringComparer.Ordinal) };
        }

        return ValueTask.CompletedTask;
    }

    private Lease CheckOwn(CheckpointLease lease)
    {
        if (lease is not Lease own || !ReferenceEquals(own.Store, this))
        {
            throw new ArgumentException("The lease was not taken from this store.", nameof(lease));
        }

        return own;
    }

    private void CheckHeld(Lease lease)
    {
        if (lease.IsReleased)
        {
            throw new ObjectDisposedException(nameof(CheckpointLease), $"The lease of pipeline '{lease.PipelineName}' was released.");
        }

        var now = _time.GetUtcNow();
        if (!_leases.TryGetValue(lease.PipelineName, out var held) || held.Holder != lease.Holder || held.ExpiresAt <= now)
        {
            var holder = _leases.TryGetValue(lease.PipelineName, out var other) && other.Holder != lease.Holder ? other.Holder : null;
            throw new PipelineLockedException(
                $"The lease of pipeline '{lease.PipelineName}' in {Name} was lost (it expired{(holder is null ? "" : $" and '{holder}' took it")}); this run must not commit. Renew leases more often than {LeaseDuration}.");
        }
    }

    private sealed class Lease(InMemoryCheckpointStore store, string pipelineName) : CheckpointLease(pipelineName, NewHolderId())
    {
        public InMemoryCheckpointStore Store => store;

        public override ValueTask RenewAsync(CancellationToken cancellationToken = default)
        {
            lock (store._gate)
            {
                store.CheckHeld(this);
                store._leases[PipelineName] = (Holder, store._time.GetUtcNow() + store.LeaseDuration);
            }

            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReleaseAsync()
        {
            lock (store._gate)
            {
                if (store._leases.TryGetValue(PipelineName, out var held) && held.Holder == Holder)
                {
                    store._leases.Remove(PipelineName);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
