using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// A stage between source and sink. Implement <see cref="IBatchTransform"/> (stateless, batch to batch)
/// or <see cref="IStreamTransform"/> (stateful, stream to stream).
/// </summary>
public interface ITransform
{
    /// <summary>Gets the stage name used in errors, logs, metrics and run results.</summary>
    string Name { get; }

    /// <summary>
    /// Computes the output schema for the given input schema, so a pipeline can be validated before it runs.
    /// </summary>
    /// <param name="input">The schema of the batches this transform will receive.</param>
    /// <returns>The schema of the batches it will produce.</returns>
    /// <exception cref="SchemaMismatchException">The input schema does not fit; the exception lists every problem.</exception>
    Schema GetOutputSchema(Schema input);
}

/// <summary>
/// A stateless transform: maps each batch to one batch, independently of the others, so the runner may apply it
/// to several batches in parallel (output order is kept).
/// </summary>
/// <remarks>
/// Ownership: the caller keeps ownership of <c>input</c> and disposes it after <see cref="Apply"/> returns, unless
/// <see cref="Apply"/> returned the very same instance. The returned batch belongs to the caller. An output that
/// shares buffers with the input must hold its own reference to them (see <see cref="RecordBatchOwnership"/>).
/// </remarks>
public interface IBatchTransform : ITransform
{
    /// <summary>Transforms one batch.</summary>
    /// <param name="input">The input batch, borrowed for the duration of the call.</param>
    /// <param name="context">The run.</param>
    /// <returns>The output batch, owned by the caller. It may be <paramref name="input"/> itself, or have zero rows.</returns>
    RecordBatch Apply(RecordBatch input, RunContext context);
}

/// <summary>
/// A stateful transform over the whole stream of batches (aggregation, dedup, re-batching, windows).
/// </summary>
/// <remarks>
/// Ownership: the transform owns every batch it pulls from <c>input</c> and must dispose it or yield it on;
/// the caller owns every batch the transform yields.
/// </remarks>
public interface IStreamTransform : ITransform
{
    /// <summary>Transforms a stream of batches.</summary>
    /// <param name="input">The input batches.</param>
    /// <param name="context">The run.</param>
    /// <param name="cancellationToken">Cancels the transform.</param>
    /// <returns>The output batches.</returns>
    IAsyncEnumerable<RecordBatch> ApplyAsync(IAsyncEnumerable<RecordBatch> input, RunContext context, CancellationToken cancellationToken = default);
}
