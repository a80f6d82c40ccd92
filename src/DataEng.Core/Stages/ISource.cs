using Apache.Arrow;

namespace DataEng.Core.Stages;

/// <summary>
/// The first stage of a pipeline: produces Arrow record batches of a schema known before the run starts.
/// </summary>
/// <remarks>
/// <para>Ownership: every batch a source yields is handed to the caller, who disposes it (or hands it on).
/// A source must not touch a batch after yielding it.</para>
/// <para>A source may be enumerated many times (once per run); each enumeration is independent.</para>
/// </remarks>
public interface ISource
{
    /// <summary>Gets the stage name used in errors, logs, metrics and run results.</summary>
    string Name { get; }

    /// <summary>Gets the schema of every batch this source yields.</summary>
    /// <remarks>Sources that infer their schema (a CSV sample, a database query) may do so on first access.</remarks>
    Schema Schema { get; }

    /// <summary>Reads the source for one run.</summary>
    /// <param name="context">The run this read belongs to.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The batches, in source order. The caller owns each yielded batch.</returns>
    IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, CancellationToken cancellationToken = default);
}
