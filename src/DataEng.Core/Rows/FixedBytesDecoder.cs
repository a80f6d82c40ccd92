using Apache.Arrow;

namespace DataEng.Core;

/// <summary>fixed_size_binary columns.</summary>
internal sealed class FixedBytesDecoder<TProp, TConv>(RowMember member, string columnName, int width, TConv converter) : ColumnDecoder<TProp>(member, columnName)
    where TConv : struct, IFromBytes<TProp>
{
    protected override void Fill(ArrayData data, ReadOnlySpan<byte> validity, Span<TProp> destination, in DecodeContext context)
    {
        var offset = data.Offset;
        var bytes = data.Buffers[1].Span;
        var i = 0;
        try
        {
            for (; i < destination.Length; i++)
            {
                if (validity.IsEmpty || RowValue.GetBit(validity, offset + i))
                {
                    destination[i] = converter.Convert(bytes.Slice((offset + i) * width, width));
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
