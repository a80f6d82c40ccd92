using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core.Tests;

// Shared by RunAllocationTests and PipelinePassThroughBenchmarks (linked into both projects): the parts of the
// pass-through pipeline whose per-batch cost is the runner's alone.

/// <summary>Returns its input batch unchanged.</summary>
internal sealed class IdentityTransform : IBatchTransform
{
    public string Name => "identity";

    public Schema GetOutputSchema(Schema input) => input;

    public RecordBatch Apply(RecordBatch input, RunContext context) => input;
}

/// <summary>Yields the same batch <c>count</c> times (safe only for a batch whose disposal releases nothing).</summary>
internal sealed class RepeatingSource(Schema schema, RecordBatch batch, int count) : ISource
{
    public string Name => "repeat";

    public Schema Schema => schema;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            yield return batch;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
