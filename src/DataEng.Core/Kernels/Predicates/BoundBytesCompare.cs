using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>Compares string or binary values with a scalar byte by byte.</summary>
internal sealed class BoundBytesCompare(int column, ComparisonOperator op, byte[] scalar) : RowResultPredicate(column)
{
    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
        var bytes = data.Buffers[2].Span;
        for (var i = 0; i < data.Length; i++)
        {
            var value = bytes[offsets[i]..offsets[i + 1]];
            var pass = op switch
            {
                ComparisonOperator.Equal => value.SequenceEqual(scalar),
                ComparisonOperator.NotEqual => !value.SequenceEqual(scalar),
                ComparisonOperator.LessThan => value.SequenceCompareTo(scalar) < 0,
                ComparisonOperator.LessThanOrEqual => value.SequenceCompareTo(scalar) <= 0,
                ComparisonOperator.GreaterThan => value.SequenceCompareTo(scalar) > 0,
                ComparisonOperator.GreaterThanOrEqual => value.SequenceCompareTo(scalar) >= 0,
                ComparisonOperator.AlwaysTrue => true,
                _ => false,
            };
            if (pass)
            {
                results[i >> 6] |= 1UL << (i & 63);
            }
        }
    }
}
