using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core.Benchmarks.Data;

/// <summary>
/// A source that generates the standard dataset batch by batch while it is read: any number of rows with only the
/// batches in flight in memory (for the "stream 100M rows under 1 GB" check). Same values as
/// <see cref="StandardDataset.Generate"/> for the same rows, batch size and seed.
/// </summary>
internal sealed class StandardDatasetSource(long rows, int batchRows = StandardDataset.DefaultBatchRows, ulong seed = StandardDataset.DefaultSeed) : ISource
{
    public string Name => "standard-generator";

    public Schema Schema => StandardDataset.Schema;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var index = 0;
        for (long first = 0; first < rows; first += batchRows, index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return StandardDataset.GenerateBatch(index, first, (int)Math.Min(batchRows, rows - first), seed, context.Allocator);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
