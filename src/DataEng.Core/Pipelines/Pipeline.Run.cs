using System.Diagnostics;

namespace DataEng.Core;

public sealed partial class Pipeline
{
    /// <summary>Runs the pipeline once: extract, transform, load, prepare and commit.</summary>
    /// <param name="cancellationToken">Cancels the run; an uncommitted run is aborted.</param>
    /// <returns>Per-stage rows, batches, bytes and durations.</returns>
    /// <exception cref="PipelineStageException">A stage failed; the inner exception is the first failure.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<RunResult> RunAsync(CancellationToken cancellationToken = default) => RunAsync(null, cancellationToken);

    /// <summary>Runs the pipeline once with run options (progress, run number, commit key/values).</summary>
    /// <param name="options">The run options, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">Cancels the run; an uncommitted run is aborted.</param>
    /// <returns>Per-stage rows, batches, bytes and durations.</returns>
    /// <exception cref="PipelineStageException">A stage failed; the inner exception is the first failure.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<RunResult> RunAsync(RunOptions? options, CancellationToken cancellationToken)
    {
        long runNumber;
        if (options?.RunNumber is { } given)
        {
            runNumber = given;
        }
        else if (_sink is ICheckpointingSink checkpointing)
        {
            // A sink that remembers its commits numbers the runs: a new process must not reuse a committed run number
            // (the sink would treat the run as a repeat and drop it).
            var last = await checkpointing.GetLastCommitAsync(Name, cancellationToken).ConfigureAwait(false);
            runNumber = Math.Max(last?.RunNumber ?? 0, Volatile.Read(ref _lastRunNumber)) + 1;
        }
        else
        {
            runNumber = Interlocked.Increment(ref _lastRunNumber);
        }

        InterlockedMax(ref _lastRunNumber, runNumber);

        var runId = options?.RunId ?? Guid.NewGuid().ToString("N");
        var logger = _options.LoggerFactory.CreateLogger("DataEng.Core.Pipeline");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var context = new RunContext(Name, runNumber, runId, logger, _options.TimeProvider, linked.Token)
        {
            Allocator = _options.Allocator ?? PooledMemoryAllocator.Shared,
            MemoryBudget = _options.MemoryBudget,
            SpillDirectory = _options.SpillDirectory,
        };
        if (options is not null)
        {
            foreach (var (key, value) in options.CommitProperties)
            {
                context.CommitProperties[key] = value;
            }
        }

        using var activity = DataEngTelemetry.ActivitySource.StartActivity("pipeline.run", ActivityKind.Internal);
        activity?.SetTag("dataeng.pipeline", Name);
        activity?.SetTag("dataeng.run.number", runNumber);
        activity?.SetTag("dataeng.run.id", runId);

        var run = new Run(this, context, linked, options?.Progress);
        Log.RunStarted(logger, Name, runNumber, runId);
        try
        {
            var result = await run.ExecuteAsync().ConfigureAwait(false);
            Log.RunCompleted(logger, Name, runNumber, runId, result.RowsWritten, result.Duration.TotalMilliseconds);
            DataEngTelemetry.RunDuration.Record(result.Duration.TotalSeconds, new KeyValuePair<string, object?>("dataeng.pipeline", Name));
            return result;
        }
        catch (PipelineStageException e)
        {
            Log.RunFailed(logger, e.InnerException ?? e, Name, runNumber, runId, e.StageName);
            DataEngTelemetry.RunFailures.Add(1, new KeyValuePair<string, object?>("dataeng.pipeline", Name));
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        catch (OperationCanceledException)
        {
            Log.RunCancelled(logger, Name, runNumber, runId);
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            throw;
        }
        finally
        {
            context.ReleaseSpill();
        }
    }

    private static void InterlockedMax(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
