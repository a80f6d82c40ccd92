namespace DataEng.Core.Checkpoints;

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
