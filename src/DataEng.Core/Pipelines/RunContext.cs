using Apache.Arrow.Memory;
using Microsoft.Extensions.Logging;

namespace DataEng.Core.Stages;

/// <summary>Carries one run of a pipeline to every stage: identity, logger, clock and cancellation.</summary>
public sealed class RunContext
{
    private readonly object _spillLock = new();
    private SpillSpace? _spill;

    /// <summary>Creates a run context.</summary>
    /// <param name="pipelineName">The stable pipeline name.</param>
    /// <param name="runNumber">The run number, increasing per pipeline.</param>
    /// <param name="runId">The run id, unique across runs.</param>
    /// <param name="logger">The logger for stage messages.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="cancellationToken">The token that cancels the run.</param>
    public RunContext(string pipelineName, long runNumber, string runId, ILogger logger, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        PipelineName = pipelineName;
        RunNumber = runNumber;
        RunId = runId;
        Logger = logger;
        TimeProvider = timeProvider;
        CancellationToken = cancellationToken;
    }

    /// <summary>Gets the stable pipeline name.</summary>
    public string PipelineName { get; }

    /// <summary>Gets the run number, increasing per pipeline.</summary>
    public long RunNumber { get; }

    /// <summary>Gets the run id, unique across runs.</summary>
    public string RunId { get; }

    /// <summary>Gets the logger for stage messages.</summary>
    public ILogger Logger { get; }

    /// <summary>Gets the clock every stage must use.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the token that cancels the run.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Gets the allocator stages use for the Arrow buffers they create. Disposing a batch returns its
    /// buffers to this allocator, so steady-state runs reuse memory instead of touching fresh pages.</summary>
    /// <value>The default value is <see cref="PooledMemoryAllocator.Shared"/>.</value>
    public MemoryAllocator Allocator { get; init; } = PooledMemoryAllocator.Shared;

    /// <summary>Gets the memory budget of each stateful operator (aggregate, join build side, dedup, sort, windows) that
    /// does not set its own: past it the operator spills to <see cref="SpillDirectory"/>.</summary>
    /// <value>The default value is <see cref="PipelineOptions.DefaultMemoryBudget"/>.</value>
    public long MemoryBudget { get; init; } = PipelineOptions.DefaultMemoryBudget;

    /// <summary>Gets the folder under which operators spill: each run uses its own sub-folder, removed when the run
    /// ends; folders left by killed processes are removed by the next run that spills.</summary>
    /// <value>The default value is <see cref="PipelineOptions.DefaultSpillDirectory"/>.</value>
    public string SpillDirectory { get; init; } = PipelineOptions.DefaultSpillDirectory;

    /// <summary>Gets the key/values committed atomically with the data at the end of the run.</summary>
    /// <remarks>Stages may add entries (for example the high watermark they read up to); the runner passes them to
    /// <see cref="ISinkWriter.PrepareAsync"/> in <see cref="SinkCommit.Properties"/>.</remarks>
    public IDictionary<string, string> CommitProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the run's spill space, created on first use.</summary>
    internal SpillSpace Spill
    {
        get
        {
            lock (_spillLock)
            {
                return _spill ??= SpillSpace.Create(SpillDirectory, RunId, Logger, TimeProvider);
            }
        }
    }

    /// <summary>Returns the bytes a stage spilled in this run.</summary>
    internal long BytesSpilled(string stage)
    {
        lock (_spillLock)
        {
            return _spill?.BytesSpilled(stage) ?? 0;
        }
    }

    /// <summary>Removes the run's spill folder, if one was created.</summary>
    internal void ReleaseSpill()
    {
        lock (_spillLock)
        {
            _spill?.Dispose();
        }
    }

    /// <summary>Gets the rows each stage's bad-row handler skipped or dead-lettered in this run, for the run's result.</summary>
    internal RejectedRows Rejected { get; } = new();

    /// <summary>Creates a context for tests and ad-hoc calls of a single stage.</summary>
    /// <param name="pipelineName">The pipeline name.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="cancellationToken">The token that cancels the run.</param>
    /// <returns>A context with run number 1, a fresh run id and a null logger.</returns>
    public static RunContext CreateStandalone(string pipelineName = "standalone", TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
        => new(pipelineName, 1, Guid.NewGuid().ToString("N"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, timeProvider ?? TimeProvider.System, cancellationToken);
}
