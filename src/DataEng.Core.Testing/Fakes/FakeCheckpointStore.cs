namespace DataEng.Core.Testing;

/// <summary>
/// A checkpoint store for tests: it behaves as an <see cref="InMemoryCheckpointStore"/> (leases expire on the given
/// clock), remembers every run written to it so a test can inspect the history, and can fail lease acquisitions or
/// writes on a <see cref="FlakySchedule"/> with a <see cref="TransientDataEngException"/>.
/// </summary>
/// <remarks>
/// <para>Calls are numbered from 1, per kind and across pipelines: the first <see cref="AcquireLeaseAsync"/> is lease
/// call 1, the first <see cref="WriteAsync"/> is write call 1. A failing call changes nothing in the store.</para>
/// <para>To test a pipeline that finds its lease taken by another process, take the lease yourself with
/// <see cref="AcquireLeaseAsync"/> before the run; to start from an existing state, use <see cref="SeedAsync"/>.</para>
/// </remarks>
public sealed class FakeCheckpointStore : ICheckpointStore
{
    private readonly InMemoryCheckpointStore _inner;
    private readonly Dictionary<string, List<CommittedRun>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _leased = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private int _leaseCalls;
    private int _writeCalls;
    private int _failures;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for lease expiry (for example a <c>FakeTimeProvider</c>), or
    /// <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="leaseDuration">How long a lease lasts without renewal, or <see langword="null"/> for five minutes.</param>
    public FakeCheckpointStore(TimeProvider? timeProvider = null, TimeSpan? leaseDuration = null)
        => _inner = new InMemoryCheckpointStore(timeProvider, leaseDuration);

    /// <summary>Gets the lease calls that fail.</summary>
    /// <value>The default value is <see langword="null"/>: leases never fail on purpose (a lease held by someone else
    /// still fails with <see cref="PipelineLockedException"/>).</value>
    public FlakySchedule? FailLeases { get; init; }

    /// <summary>Gets the write calls that fail.</summary>
    /// <value>The default value is <see langword="null"/>: writes never fail on purpose.</value>
    public FlakySchedule? FailWrites { get; init; }

    /// <inheritdoc />
    public string Name => "the fake checkpoint store";

    /// <summary>Gets how long a lease lasts without renewal.</summary>
    public TimeSpan LeaseDuration => _inner.LeaseDuration;

    /// <summary>Gets how many lease acquisitions were attempted, failed ones included.</summary>
    public int LeaseCalls => Volatile.Read(ref _leaseCalls);

    /// <summary>Gets how many writes were attempted, failed ones included.</summary>
    public int WriteCalls => Volatile.Read(ref _writeCalls);

    /// <summary>Gets how many calls failed on purpose (leases and writes).</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Returns the runs written for a pipeline, oldest first (seeded state excluded).</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <returns>The written runs; empty when none was written.</returns>
    public IReadOnlyList<CommittedRun> History(string pipelineName)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        lock (_gate)
        {
            return _history.TryGetValue(pipelineName, out var runs) ? [.. runs] : [];
        }
    }

    /// <summary>Returns whether a lease of the pipeline taken from this store is currently held (not yet released).</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <returns><see langword="true"/> while a lease is held; an expired but unreleased lease counts as held.</returns>
    public bool IsLeased(string pipelineName)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        lock (_gate)
        {
            return _leased.GetValueOrDefault(pipelineName) > 0;
        }
    }

    /// <summary>Sets the committed state of a pipeline, as if an earlier run had committed it. Not counted as a write
    /// and not recorded in <see cref="History"/>.</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <param name="run">The state.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the state is set.</returns>
    /// <exception cref="PipelineLockedException">A lease of the pipeline is held.</exception>
    public async ValueTask SeedAsync(string pipelineName, CommittedRun run, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        ArgumentNullException.ThrowIfNull(run);
        var lease = await _inner.AcquireLeaseAsync(pipelineName, cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            await _inner.WriteAsync(lease, run, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<CheckpointLease> AcquireLeaseAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        var call = Interlocked.Increment(ref _leaseCalls);
        if (FailLeases?.Fails(call) == true)
        {
            throw Failure("lease", call, pipelineName, FailLeases);
        }

        var inner = await _inner.AcquireLeaseAsync(pipelineName, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _leased[pipelineName] = _leased.GetValueOrDefault(pipelineName) + 1;
        }

        return new Lease(this, inner);
    }

    /// <inheritdoc />
    public ValueTask<CommittedRun?> ReadAsync(string pipelineName, CancellationToken cancellationToken = default)
        => _inner.ReadAsync(pipelineName, cancellationToken);

    /// <inheritdoc />
    public async ValueTask WriteAsync(CheckpointLease lease, CommittedRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(run);
        if (lease is not Lease own || !ReferenceEquals(own.Store, this))
        {
            throw new ArgumentException("The lease was not taken from this store.", nameof(lease));
        }

        var call = Interlocked.Increment(ref _writeCalls);
        if (FailWrites?.Fails(call) == true)
        {
            throw Failure("write", call, lease.PipelineName, FailWrites);
        }

        await _inner.WriteAsync(own.Inner, run, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (!_history.TryGetValue(lease.PipelineName, out var runs))
            {
                _history[lease.PipelineName] = runs = [];
            }

            runs.Add(run with { Properties = new Dictionary<string, string>(run.Properties, StringComparer.Ordinal) });
        }
    }

    private TransientDataEngException Failure(string kind, int call, string pipelineName, FlakySchedule schedule)
    {
        Interlocked.Increment(ref _failures);
        return new TransientDataEngException($"{Name} failed on purpose on {kind} call {call} (pipeline '{pipelineName}'; {schedule.Description}).");
    }

    private sealed class Lease(FakeCheckpointStore store, CheckpointLease inner) : CheckpointLease(inner.PipelineName, inner.Holder)
    {
        public FakeCheckpointStore Store => store;

        public CheckpointLease Inner => inner;

        public override ValueTask RenewAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfReleased();
            return inner.RenewAsync(cancellationToken);
        }

        protected override async ValueTask ReleaseAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            lock (store._gate)
            {
                store._leased[PipelineName]--;
            }
        }
    }
}
