using Apache.Arrow;

namespace DataEng.Core.Stages;

/// <summary>
/// Writes one run's batches to a sink. Call order: any number of <see cref="WriteAsync"/>, then
/// <see cref="PrepareAsync"/>, then <see cref="CommitAsync"/>; <see cref="AbortAsync"/> may be called at any point
/// before the commit. Disposing a writer that was not committed aborts it.
/// </summary>
public interface ISinkWriter : IAsyncDisposable
{
    /// <summary>Writes one batch.</summary>
    /// <param name="batch">The batch, borrowed for the duration of the call: the caller disposes it afterwards.
    /// A writer that keeps data beyond the call must copy it or take its own reference.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is accepted.</returns>
    ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Phase one: makes everything written durable without making it visible to readers.
    /// </summary>
    /// <param name="commit">What is being committed: the run and the key/values to commit atomically with the data
    /// (for example a watermark).</param>
    /// <param name="cancellationToken">Cancels the prepare.</param>
    /// <returns>A task that completes when the data is durable.</returns>
    ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Phase two: makes the prepared data visible. Repeating a commit that already succeeded is a no-op.
    /// </summary>
    /// <param name="cancellationToken">Cancels the commit. Sinks should finish a commit that has begun.</param>
    /// <returns>A task that completes when the data is visible.</returns>
    ValueTask CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Discards everything written in this run. Safe to call more than once.</summary>
    /// <param name="cancellationToken">Cancels the abort.</param>
    /// <returns>A task that completes when the writes are discarded.</returns>
    ValueTask AbortAsync(CancellationToken cancellationToken = default);
}
