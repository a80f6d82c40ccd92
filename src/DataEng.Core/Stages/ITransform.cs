using Apache.Arrow;

namespace DataEng.Core.Stages;

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
