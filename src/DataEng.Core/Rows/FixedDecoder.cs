using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core;

internal sealed class FixedDecoder<TStore, TProp, TConv>(RowMember member, string columnName, TConv converter) : ColumnDecoder<TProp>(member, columnName)
    where TStore : unmanaged
    where TConv : struct, IFromArrow<TStore, TProp>
{
    protected override void Fill(ArrayData data, ReadOnlySpan<byte> validity, Span<TProp> destination, in DecodeContext context)
    {
        var offset = data.Offset;
        var values = MemoryMarshal.Cast<byte, TStore>(data.Buffers[1].Span).Slice(offset, destination.Length);
        var acceptsNull = Member.AllowsNull;
        var i = 0;
        try
        {
            if (validity.IsEmpty)
            {
                for (; i < destination.Length; i++)
                {
                    destination[i] = converter.Convert(values[i]);
                }
            }
            else
            {
                for (; i < destination.Length; i++)
                {
                    if (RowValue.GetBit(validity, offset + i))
                    {
                        destination[i] = converter.Convert(values[i]);
                    }
                    else if (acceptsNull)
                    {
                        destination[i] = default!;
                    }
                    else
                    {
                        RowValue.Fail(NullProblem);
                    }
                }
            }
        }
        catch (DataFormatException e)
        {
            throw Error(context, i, e.Message, e);
        }
    }
}
