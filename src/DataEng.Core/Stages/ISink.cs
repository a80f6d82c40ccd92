using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// The last stage of a pipeline. A sink is opened once per run and ends with an explicit two-phase commit:
/// <see cref="ISinkWriter.PrepareAsync"/> (everything durable, nothing visible) then
/// <see cref="ISinkWriter.CommitAsync"/> (visible; idempotent) or <see cref="ISinkWriter.AbortAsync"/>.
/// </summary>
public interface ISink
{
    /// <summary>Gets the stage name used in errors, logs, metrics and run results.</summary>
    string Name { get; }

    /// <summary>Checks that batches of <paramref name="input"/> can be written.</summary>
    /// <param name="input">The schema the sink will receive.</param>
    /// <exception cref="SchemaMismatchException">The schema does not fit; the exception lists every problem.</exception>
    void Validate(Schema input);

    /// <summary>Opens a writer for one run.</summary>
    /// <param name="schema">The schema of the batches that will be written.</param>
    /// <param name="context">The run.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>A writer; disposing it without a commit aborts the run's writes.</returns>
    ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default);
}

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

/// <summary>Describes what a sink commits: the run and extra key/values committed atomically with the data.</summary>
/// <param name="PipelineName">The stable pipeline name.</param>
/// <param name="RunNumber">The run number, increasing per pipeline.</param>
/// <param name="RunId">The run id.</param>
/// <param name="Properties">Key/values committed with the data (for example a watermark), possibly empty.</param>
public sealed record SinkCommit(string PipelineName, long RunNumber, string RunId, IReadOnlyDictionary<string, string> Properties);
