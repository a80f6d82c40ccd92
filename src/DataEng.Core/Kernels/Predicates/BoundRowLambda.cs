using System.Buffers;
using Apache.Arrow;

namespace DataEng.Core;

internal sealed class BoundRowLambda<T>(int column, Func<ArrayData, ValueReader<T>> readers, Func<T, bool> predicate) : RowResultPredicate(column)
{
    private const int Chunk = 4096;

    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var reader = readers(data);
        var validity = new Validity(data);
        var n = data.Length;
        var buffer = ArrayPool<T>.Shared.Rent(Math.Min(Math.Max(n, 1), Chunk));
        try
        {
            for (var start = 0; start < n; start += Chunk)
            {
                var count = Math.Min(Chunk, n - start);
                var values = buffer.AsSpan(0, count);
                reader.Read(start, values);
                for (var i = 0; i < count; i++)
                {
                    var row = start + i;
                    if (validity.IsValid(row) && predicate(values[i]))
                    {
                        results[row >> 6] |= 1UL << (row & 63);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer, System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }
}
