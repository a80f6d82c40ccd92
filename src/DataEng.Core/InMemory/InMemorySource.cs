using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// A source over batches held in memory. Each run yields a shared reference to every batch
/// (<see cref="RecordBatchOwnership.Share"/>), so the source can be run many times; the caller keeps
/// ownership of the original batches and disposes them when the source is no longer needed.
/// </summary>
public sealed class InMemorySource : ISource
{
    private readonly RecordBatch[] _batches;

    /// <summary>Creates a source over batches that all have <paramref name="schema"/>.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="batches">The batches, yielded in order.</param>
    /// <param name="name">The stage name.</param>
    public InMemorySource(Schema schema, IEnumerable<RecordBatch> batches, string name = "memory")
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(batches);
        Schema = schema;
        Name = name;
        _batches = [.. batches];
        var problems = new List<string>();
        for (var i = 0; i < _batches.Length; i++)
        {
            if (!SchemaComparer.Equivalent(_batches[i].Schema, schema))
            {
                problems.Add($"batch {i} has schema {SchemaText.Describe(_batches[i].Schema)}, expected {SchemaText.Describe(schema)}");
            }
        }

        SchemaMismatchException.ThrowIfAny($"In-memory source '{name}' was given batches of another schema.", problems);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Schema Schema { get; }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var batch in _batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return batch.Share();
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
