using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>string and binary columns (32-bit offsets).</summary>
internal sealed class BytesDecoder<TProp, TConv>(RowMember member, string columnName, TConv converter) : ColumnDecoder<TProp>(member, columnName)
    where TConv : struct, IFromBytes<TProp>
{
    protected override void Fill(ArrayData data, ReadOnlySpan<byte> validity, Span<TProp> destination, in DecodeContext context)
    {
        var offset = data.Offset;
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(offset, destination.Length + 1);
        var bytes = data.Buffers[2].Span;
        var i = 0;
        try
        {
            for (; i < destination.Length; i++)
            {
                if (validity.IsEmpty || RowValue.GetBit(validity, offset + i))
                {
                    destination[i] = converter.Convert(bytes[offsets[i]..offsets[i + 1]]);
                }
                else if (Member.AllowsNull)
                {
                    destination[i] = default!;
                }
                else
                {
                    RowValue.Fail(NullProblem);
                }
            }
        }
        catch (DataFormatException e)
        {
            throw Error(context, i, e.Message, e);
        }
    }
}
