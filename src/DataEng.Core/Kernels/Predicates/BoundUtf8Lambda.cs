using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core;

internal sealed class BoundUtf8Lambda(int column, Utf8Predicate predicate) : RowResultPredicate(column)
{
    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var validity = new Validity(data);
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
        var bytes = data.Buffers[2].Span;
        for (var i = 0; i < data.Length; i++)
        {
            if (validity.IsValid(i) && predicate(bytes[offsets[i]..offsets[i + 1]]))
            {
                results[i >> 6] |= 1UL << (i & 63);
            }
        }
    }
}
