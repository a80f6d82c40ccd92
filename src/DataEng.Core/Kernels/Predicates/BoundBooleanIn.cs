using Apache.Arrow;

namespace DataEng.Core;

internal sealed class BoundBooleanIn(int column, bool hasTrue, bool hasFalse) : RowResultPredicate(column)
{
    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var bits = data.Buffers[1].Span;
        for (var i = 0; i < data.Length; i++)
        {
            if (Bitmaps.Get(bits, data.Offset + i) ? hasTrue : hasFalse)
            {
                results[i >> 6] |= 1UL << (i & 63);
            }
        }
    }
}
