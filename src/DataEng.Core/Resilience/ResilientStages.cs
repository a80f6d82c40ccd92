using System.Runtime.CompilerServices;
using Apache.Arrow;
using Polly;

namespace DataEng.Core;

internal sealed class ResilientSource(ISource inner, ResiliencePipeline pipeline) : ISource
{
    public string Name => inner.Name;

    public Schema Schema => inner.Schema;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<RecordBatch>? batches = null;
        try
        {
            // Until the first batch is handed on, starting over duplicates nothing.
            var more = await pipeline.ExecuteAsync(
                async ct =>
                {
                    if (batches is not null)
                    {
                        await batches.DisposeAsync().ConfigureAwait(false);
                        batches = null;
                    }

                    batches = inner.ReadAsync(context, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    return await batches.MoveNextAsync().ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);

            while (more)
            {
                yield return batches!.Current;
                more = await batches.MoveNextAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (batches is not null)
            {
                await batches.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

internal class ResilientSink(ISink inner, ResiliencePipeline pipeline) : ISink
{
    public string Name => inner.Name;

    protected ResiliencePipeline Pipeline => pipeline;

    public void Validate(Schema input) => inner.Validate(input);

    public async ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
    {
        var writer = await pipeline.ExecuteAsync(
            static (state, ct) => state.inner.OpenAsync(state.schema, state.context, ct),
            (inner, schema, context),
            cancellationToken).ConfigureAwait(false);
        return new Writer(writer, pipeline);
    }

    private sealed class Writer(ISinkWriter inner, ResiliencePipeline pipeline) : ISinkWriter
    {
        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
            => pipeline.ExecuteAsync(static (state, ct) => state.inner.WriteAsync(state.batch, ct), (inner, batch), cancellationToken);

        public ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default)
            => pipeline.ExecuteAsync(static (state, ct) => state.inner.PrepareAsync(state.commit, ct), (inner, commit), cancellationToken);

        public ValueTask CommitAsync(CancellationToken cancellationToken = default)
            => pipeline.ExecuteAsync(static (w, ct) => w.CommitAsync(ct), inner, cancellationToken);

        public ValueTask AbortAsync(CancellationToken cancellationToken = default)
            => pipeline.ExecuteAsync(static (w, ct) => w.AbortAsync(ct), inner, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

internal sealed class ResilientCheckpointingSink(ICheckpointingSink inner, ResiliencePipeline resilience) : ResilientSink(inner, resilience), ICheckpointingSink, IPipelineLockingSink
{
    // A lock conflict is not retried: the other run may take hours.
    public ValueTask<IAsyncDisposable> LockPipelineAsync(string pipelineName, string runLabel, CancellationToken cancellationToken)
        => inner is IPipelineLockingSink locking ? locking.LockPipelineAsync(pipelineName, runLabel, cancellationToken) : ValueTask.FromResult<IAsyncDisposable>(NoLock.Instance);


    public ValueTask<CommittedRun?> GetLastCommitAsync(string pipelineName, CancellationToken cancellationToken = default)
        => Pipeline.ExecuteAsync(static (state, ct) => state.inner.GetLastCommitAsync(state.pipelineName, ct), (inner, pipelineName), cancellationToken);
}

internal sealed class ResilientBatchTransform(IBatchTransform inner, ResiliencePipeline pipeline) : IBatchTransform
{
    public string Name => inner.Name;

    public Schema GetOutputSchema(Schema input) => inner.GetOutputSchema(input);

    public RecordBatch Apply(RecordBatch input, RunContext context)
        => pipeline.Execute(static state => state.inner.Apply(state.input, state.context), (inner, input, context));
}

/// <summary>The lock of a sink that has none.</summary>
internal sealed class NoLock : IAsyncDisposable
{
    public static readonly NoLock Instance = new();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
