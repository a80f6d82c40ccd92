using Apache.Arrow;

namespace DataEng.Core.Stages;

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
