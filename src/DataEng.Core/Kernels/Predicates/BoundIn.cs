using System.Numerics;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core;

internal sealed class BoundIn<T>(int column, IEnumerable<T> members) : RowResultPredicate(column)
    where T : unmanaged, INumber<T>
{
    private readonly HashSet<T> _members = [.. members];

    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var values = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
        for (var i = 0; i < values.Length; i++)
        {
            if (_members.Contains(values[i]))
            {
                results[i >> 6] |= 1UL << (i & 63);
            }
        }
    }
}
