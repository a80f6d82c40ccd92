using System.Buffers;
using Apache.Arrow;

namespace DataEng.Core;

internal sealed class BoundSpanLambda<T>(int column, Func<ArrayData, ValueReader<T>> readers, SpanPredicate<T> predicate) : RowResultPredicate(column)
{
    private const int Chunk = 4096;

    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var reader = readers(data);
        var n = data.Length;
        var flags = ArrayPool<bool>.Shared.Rent(Math.Min(Math.Max(n, 1), Chunk));
        var buffer = reader.TryGetSpan(out _) ? null : ArrayPool<T>.Shared.Rent(Math.Min(Math.Max(n, 1), Chunk));
        try
        {
            for (var start = 0; start < n; start += Chunk)
            {
                var count = Math.Min(Chunk, n - start);
                ReadOnlySpan<T> values;
                if (buffer is null)
                {
                    reader.TryGetSpan(out var all);
                    values = all.Slice(start, count);
                }
                else
                {
                    reader.Read(start, buffer.AsSpan(0, count));
                    values = buffer.AsSpan(0, count);
                }

                var chunk = flags.AsSpan(0, count);
                chunk.Clear();
                predicate(values, chunk);
                for (var i = 0; i < count; i++)
                {
                    if (chunk[i])
                    {
                        var row = start + i;
                        results[row >> 6] |= 1UL << (row & 63);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(flags);
            if (buffer is not null)
            {
                ArrayPool<T>.Shared.Return(buffer, clearArray: RuntimeHelpersIsReference());
            }
        }
    }

    private static bool RuntimeHelpersIsReference() => System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>();
}
