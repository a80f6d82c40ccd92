using Apache.Arrow;

namespace DataEng.Core;

internal sealed class BooleanDecoder<TProp, TConv>(RowMember member, string columnName, TConv converter) : ColumnDecoder<TProp>(member, columnName)
    where TConv : struct, IFromArrow<bool, TProp>
{
    protected override void Fill(ArrayData data, ReadOnlySpan<byte> validity, Span<TProp> destination, in DecodeContext context)
    {
        var offset = data.Offset;
        var bits = data.Buffers[1].Span;
        for (var i = 0; i < destination.Length; i++)
        {
            if (validity.IsEmpty || RowValue.GetBit(validity, offset + i))
            {
                destination[i] = converter.Convert(RowValue.GetBit(bits, offset + i));
            }
            else if (Member.AllowsNull)
            {
                destination[i] = default!;
            }
            else
            {
                throw Error(context, i, NullProblem);
            }
        }
    }
}
