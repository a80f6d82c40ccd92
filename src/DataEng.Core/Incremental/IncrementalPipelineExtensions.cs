using Apache.Arrow;
using Microsoft.Extensions.Logging;

namespace DataEng.Core;

/// <summary>Runs pipelines incrementally: exactly once per row, resuming from the last committed run.</summary>
public static class IncrementalPipelineExtensions
{
    /// <summary>
    /// Runs a pipeline whose source is an <see cref="IIncrementalSource"/> once: takes the pipeline's lease, reads the
    /// committed state (from an <see cref="ICheckpointingSink"/>, or the checkpoint store reconciled against it),
    /// plans the range, runs with the next run number and commits the data together with the new state, then
    /// mirrors the state to the checkpoint store and releases the lease.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="options">The options, or <see langword="null"/> when the sink is an <see cref="ICheckpointingSink"/>
    /// and no store is wanted.</param>
    /// <param name="cancellationToken">Cancels the run; an uncommitted run is aborted and the next run starts over
    /// from the last commit.</param>
    /// <returns>The run's result, its plan and the state it started from.</returns>
    /// <exception cref="PipelineLockedException">Another run of the pipeline holds its lease, or the lease was lost.</exception>
    /// <exception cref="PipelineStageException">A stage failed; nothing was committed.</exception>
    /// <exception cref="InvalidOperationException">The source is not incremental, or there is nowhere to keep the state.</exception>
    public static async Task<IncrementalRunResult> RunIncrementalAsync(this Pipeline pipeline, IncrementalRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        options ??= new IncrementalRunOptions();
        if (options.LeaseRenewalInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(IncrementalRunOptions.LeaseRenewalInterval)} must be positive (was {options.LeaseRenewalInterval}).", nameof(options));
        }

        var source = pipeline.Source as IIncrementalSource
            ?? throw new InvalidOperationException($"Pipeline '{pipeline.Name}' cannot run incrementally: its source '{pipeline.Source.Name}' is not an {nameof(IIncrementalSource)} (use Sql.Incremental, IncrementalFiles.Source or another incremental source).");
        var checkpointingSink = pipeline.Sink as ICheckpointingSink;
        var store = options.CheckpointStore;
        if (checkpointingSink is null && store is null)
        {
            throw new InvalidOperationException($"Pipeline '{pipeline.Name}' cannot run incrementally: its sink '{pipeline.Sink.Name}' does not keep checkpoints ({nameof(ICheckpointingSink)}), so set {nameof(IncrementalRunOptions)}.{nameof(IncrementalRunOptions.CheckpointStore)}.");
        }

        var logger = pipeline.Options.LoggerFactory.CreateLogger("DataEng.Core.Incremental");
        var time = pipeline.Options.TimeProvider;
        var runId = Guid.NewGuid().ToString("N");
        var lease = store is null ? null : await store.AcquireLeaseAsync(pipeline.Name, cancellationToken).ConfigureAwait(false);
        LeaseRenewal? renewal = null;
        IAsyncDisposable? sinkLock = null;
        try
        {
            // The lake (a checkpointing sink) holds the pipeline's lock itself, for the whole run, so that two runs
            // without a checkpoint store fail fast instead of racing to commit (with a store, both are taken).
            if (pipeline.Sink is IPipelineLockingSink locking)
            {
                sinkLock = await locking.LockPipelineAsync(pipeline.Name, $"run id {runId}", cancellationToken).ConfigureAwait(false);
            }

            var last = await ReconcileAsync(pipeline.Name, checkpointingSink, store, lease, logger, cancellationToken).ConfigureAwait(false);
            var runNumber = (last?.RunNumber ?? 0) + 1;
            using var plan = await source.PlanAsync(new IncrementalPlanContext(pipeline.Name, runNumber, runId, last, time, logger), cancellationToken).ConfigureAwait(false);
            Log.IncrementalPlanned(logger, pipeline.Name, runNumber, plan.DisplayLow, plan.DisplayHigh, last?.RunNumber ?? 0);

            renewal = lease is null ? null : new LeaseRenewal(lease, time, options.LeaseRenewalInterval, logger);
            var guarded = renewal is null ? pipeline : pipeline.WithSink(new LeaseGuardSink(pipeline.Sink, renewal));
            RunResult result;
            try
            {
                result = await guarded.RunAsync(new RunOptions { RunNumber = runNumber, RunId = runId, Progress = options.Progress }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (checkpointingSink is not null)
            {
                // An ambiguous commit: the commit may have become durable before the failure reached us.
                var committed = await TryGetLastCommitAsync(checkpointingSink, pipeline.Name).ConfigureAwait(false);
                if (committed is null || committed.RunNumber != runNumber || committed.RunId != runId)
                {
                    throw;
                }

                Log.AmbiguousCommitFound(logger, pipeline.Name, runNumber);
                result = new RunResult(pipeline.Name, runNumber, runId, time.GetUtcNow(), TimeSpan.Zero, [])
                {
                    CommitProperties = new Dictionary<string, string>(committed.Properties, StringComparer.Ordinal),
                };
            }

            if (checkpointingSink is not null)
            {
                // After the commit: not cancellable, so a run stopped by a shutdown during its commit is reported as
                // the committed run it is, not as cancelled.
                await ThrowIfCommittedByAnotherRunAsync(checkpointingSink, pipeline.Name, runNumber, runId, CancellationToken.None).ConfigureAwait(false);
            }

            if (store is not null && lease is not null)
            {
                var run = new CommittedRun(runNumber, runId, result.CommitProperties);
                try
                {
                    await store.WriteAsync(lease, run, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (checkpointingSink is not null)
                {
                    // The sink holds the truth; the next run repairs the store before planning.
                    Log.CheckpointWriteFailed(logger, e, pipeline.Name, runNumber, store.Name);
                }
            }

            return new IncrementalRunResult(result, plan, last);
        }
        finally
        {
            if (renewal is not null)
            {
                await renewal.DisposeAsync().ConfigureAwait(false);
            }

            if (sinkLock is not null)
            {
                await sinkLock.DisposeAsync().ConfigureAwait(false);
            }

            if (lease is not null)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<CommittedRun?> ReconcileAsync(string pipeline, ICheckpointingSink? sink, ICheckpointStore? store, CheckpointLease? lease, ILogger logger, CancellationToken cancellationToken)
    {
        var stored = store is null ? null : await store.ReadAsync(pipeline, cancellationToken).ConfigureAwait(false);
        if (sink is null)
        {
            return stored;
        }

        var committed = await sink.GetLastCommitAsync(pipeline, cancellationToken).ConfigureAwait(false);
        if (store is null || lease is null)
        {
            return committed;
        }

        if (committed is not null && (stored is null || stored.RunNumber < committed.RunNumber || (stored.RunNumber == committed.RunNumber && stored.RunId != committed.RunId)))
        {
            // The process died between the sink's commit and the store's write (or the store was reset).
            await store.WriteAsync(lease, committed, cancellationToken).ConfigureAwait(false);
            Log.CheckpointRepaired(logger, store.Name, pipeline, stored?.RunNumber ?? 0, committed.RunNumber);
        }
        else if (stored is not null && (committed is null || stored.RunNumber > committed.RunNumber))
        {
            Log.CheckpointAhead(logger, store.Name, pipeline, stored.RunNumber, committed?.RunNumber ?? 0);
        }

        return committed;
    }

    /// <summary>
    /// A sink makes a repeated commit of a run number a no-op, so a run that raced another process running the same
    /// pipeline (without a store lease) "succeeds" while its data was discarded: fail it instead, naming the winner.
    /// </summary>
    private static async Task ThrowIfCommittedByAnotherRunAsync(ICheckpointingSink sink, string pipeline, long runNumber, string runId, CancellationToken cancellationToken)
    {
        var committed = sink is IRunCommitLookup lookup
            ? await lookup.GetCommitAsync(pipeline, runNumber, cancellationToken).ConfigureAwait(false)
            : await sink.GetLastCommitAsync(pipeline, cancellationToken).ConfigureAwait(false);
        if (committed is not null && committed.RunNumber == runNumber && !string.Equals(committed.RunId, runId, StringComparison.Ordinal))
        {
            throw new PipelineLockedException(
                $"Run {runNumber} of pipeline '{pipeline}' was committed by another run (id {committed.RunId}), not by this one (id {runId}): "
                + "two processes ran the pipeline at once and this run's data was discarded. Nothing is lost or duplicated: the next run continues from the other run's commit. "
                + "Run one process per pipeline, or set IncrementalRunOptions.CheckpointStore so that a second process fails at once on the pipeline's lease.");
        }
    }

    private static async Task<CommittedRun?> TryGetLastCommitAsync(ICheckpointingSink sink, string pipeline)
    {
        try
        {
            return await sink.GetLastCommitAsync(pipeline, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DataEngException or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Renews a lease periodically on the pipeline's clock and remembers the first failure.</summary>
    private sealed class LeaseRenewal : IAsyncDisposable
    {
        private readonly CheckpointLease _lease;
        private readonly ILogger _logger;
        private readonly ITimer _timer;
        private readonly SemaphoreSlim _gate = new(1, 1);
        private Exception? _failure;

        public LeaseRenewal(CheckpointLease lease, TimeProvider time, TimeSpan interval, ILogger logger)
        {
            _lease = lease;
            _logger = logger;
            _timer = time.CreateTimer(static state => _ = ((LeaseRenewal)state!).RenewInBackgroundAsync(), this, interval, interval);
        }

        public async ValueTask RenewNowAsync(CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _failure) is { } failure)
            {
                throw new PipelineLockedException($"The lease of pipeline '{_lease.PipelineName}' could not be renewed during the run; this run must not commit.", failure);
            }

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _lease.RenewAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
            await _gate.WaitAsync().ConfigureAwait(false);
            _gate.Dispose();
        }

        private async Task RenewInBackgroundAsync()
        {
            try
            {
                await RenewNowAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
                Log.LeaseRenewalFailed(_logger, e, _lease.PipelineName);
            }
        }
    }

    /// <summary>Renews the lease right before the sink prepares its commit: a run that lost its lease never commits.</summary>
    private sealed class LeaseGuardSink(ISink inner, LeaseRenewal renewal) : ISink
    {
        public string Name => inner.Name;

        public void Validate(Schema input) => inner.Validate(input);

        public async ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
            => new Writer(await inner.OpenAsync(schema, context, cancellationToken).ConfigureAwait(false), renewal);

        private sealed class Writer(ISinkWriter inner, LeaseRenewal renewal) : ISinkWriter
        {
            public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default) => inner.WriteAsync(batch, cancellationToken);

            public async ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default)
            {
                await renewal.RenewNowAsync(cancellationToken).ConfigureAwait(false);
                await inner.PrepareAsync(commit, cancellationToken).ConfigureAwait(false);
            }

            public ValueTask CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

            public ValueTask AbortAsync(CancellationToken cancellationToken = default) => inner.AbortAsync(cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
