using Apache.Arrow;

namespace DataEng.Core.Stages;

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
