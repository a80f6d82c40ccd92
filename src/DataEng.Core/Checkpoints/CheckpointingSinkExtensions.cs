using Apache.Arrow;

namespace DataEng.Core.Checkpoints;

/// <summary>Turns a sink that records its commits elsewhere into an <see cref="ICheckpointingSink"/>.</summary>
public static class CheckpointingSinkExtensions
{
    /// <summary>
    /// Returns <paramref name="sink"/> as an <see cref="ICheckpointingSink"/> whose last commit is read with
    /// <paramref name="getLastCommit"/> (for example from a lake dataset's commit log), so incremental runs keep their
    /// checkpoint in the sink's own commits.
    /// </summary>
    /// <param name="sink">The sink. It must commit <see cref="SinkCommit.Properties"/> atomically with the data and make
    /// a repeated commit of the same (pipeline, run) a no-op.</param>
    /// <param name="getLastCommit">Reads the last committed run of a pipeline, or <see langword="null"/>.</param>
    /// <returns>The checkpointing sink.</returns>
    public static ICheckpointingSink WithCommitLookup(this ISink sink, Func<string, CancellationToken, ValueTask<CommittedRun?>> getLastCommit)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(getLastCommit);
        return new LookupSink(sink, getLastCommit);
    }

    private sealed class LookupSink(ISink inner, Func<string, CancellationToken, ValueTask<CommittedRun?>> getLastCommit) : ICheckpointingSink
    {
        public string Name => inner.Name;

        public void Validate(Schema input) => inner.Validate(input);

        public ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default) => inner.OpenAsync(schema, context, cancellationToken);

        public ValueTask<CommittedRun?> GetLastCommitAsync(string pipelineName, CancellationToken cancellationToken = default) => getLastCommit(pipelineName, cancellationToken);
    }
}
