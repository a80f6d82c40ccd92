using System.Buffers;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>Per-row results packed into words, then combined with validity.</summary>
internal abstract class RowResultPredicate(int column) : BoundPredicate
{
    protected int Column { get; } = column;

    public override void Evaluate(RecordBatch batch, Mask mask)
    {
        var data = batch.Column(Column).Data;
        var words = ArrayPool<ulong>.Shared.Rent(Math.Max(1, mask.Words));
        try
        {
            var results = words.AsSpan(0, mask.Words);
            results.Clear();
            Fill(data, results);
            mask.SetFrom(results, data);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(words);
        }
    }

    /// <summary>Sets bit i of <paramref name="results"/> (zeroed) where row i passes; null rows may be anything.</summary>
    protected abstract void Fill(ArrayData data, Span<ulong> results);
}
