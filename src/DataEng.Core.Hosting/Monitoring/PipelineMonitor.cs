namespace DataEng.Core.Hosting;

/// <summary>
/// The live status of every hosted pipeline, kept by the scheduler and read by health checks and by your own code
/// (resolve it from the service provider). Thread-safe.
/// </summary>
public sealed class PipelineMonitor
{
    private readonly Dictionary<string, PipelineStatus> _statuses = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    internal PipelineMonitor(IEnumerable<PipelineRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            _statuses[registration.Name] = new PipelineStatus(registration.Name);
        }
    }

    /// <summary>Gets the names of the registered pipelines.</summary>
    public IReadOnlyCollection<string> PipelineNames
    {
        get
        {
            lock (_gate)
            {
                return [.. _statuses.Keys];
            }
        }
    }

    /// <summary>Gets the status of a pipeline.</summary>
    /// <param name="pipelineName">The registered name.</param>
    /// <returns>A snapshot.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline has that name.</exception>
    public PipelineStatus GetStatus(string pipelineName)
    {
        ArgumentNullException.ThrowIfNull(pipelineName);
        lock (_gate)
        {
            return _statuses.TryGetValue(pipelineName, out var status)
                ? status
                : throw new KeyNotFoundException($"No hosted pipeline is registered as '{pipelineName}'.");
        }
    }

    /// <summary>Raised (for tests) once the scheduler's timer for a due run is registered with the clock, so a fake
    /// clock may be advanced past it without racing the registration.</summary>
    internal event Action<string, DateTimeOffset>? Waiting;

    internal void OnWaiting(string pipelineName, DateTimeOffset due) => Waiting?.Invoke(pipelineName, due);

    internal PipelineStatus Update(string pipelineName, Func<PipelineStatus, PipelineStatus> update)
    {
        lock (_gate)
        {
            var status = update(_statuses[pipelineName]);
            _statuses[pipelineName] = status;
            return status;
        }
    }
}

/// <summary>One registered pipeline: its name, how to build it and, for an incremental pipeline, how to resolve the
/// options of <see cref="IncrementalPipelineExtensions.RunIncrementalAsync"/> (<see langword="null"/> for a plain run).</summary>
internal sealed record PipelineRegistration(string Name, Func<IServiceProvider, Pipeline> Factory, Func<IServiceProvider, IncrementalRunOptions>? Incremental = null);
