namespace DataEng.Core;

/// <summary>
/// The committed state of a pipeline: its last committed run and the key/values committed with that run's data
/// (watermarks, the boundary keys used for dedup, stats).
/// </summary>
/// <param name="RunNumber">The last committed run number.</param>
/// <param name="RunId">The id of that run.</param>
/// <param name="Properties">The key/values committed with the data (see <see cref="SinkCommit.Properties"/>).</param>
public sealed record CommittedRun(long RunNumber, string RunId, IReadOnlyDictionary<string, string> Properties)
{
    /// <summary>Gets a value of <see cref="Properties"/>, or <see langword="null"/> when absent.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public string? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Properties.TryGetValue(key, out var value) ? value : null;
    }
}

/// <summary>
/// A sink that records its commits so the committed state can be read back from it: the data and the checkpoint
/// become visible in one atomic step (the lake's commit manifest is such a checkpoint).
/// </summary>
/// <remarks>
/// <para>Incremental runs (<see cref="IncrementalPipelineExtensions.RunIncrementalAsync"/>) read the committed state
/// from a sink that implements this interface; an external <see cref="ICheckpointStore"/> is then only a mirror that
/// is reconciled against the sink before anything is planned.</para>
/// <para>Implementations must make a repeated commit of the same (pipeline, run number) a no-op.</para>
/// </remarks>
public interface ICheckpointingSink : ISink
{
    /// <summary>Reads the last run of <paramref name="pipelineName"/> whose data is committed.</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The last committed run with its <see cref="SinkCommit.Properties"/>, or <see langword="null"/> if
    /// the pipeline never committed.</returns>
    ValueTask<CommittedRun?> GetLastCommitAsync(string pipelineName, CancellationToken cancellationToken = default);
}
