using Apache.Arrow;

namespace DataEng.Core.Stages;

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
