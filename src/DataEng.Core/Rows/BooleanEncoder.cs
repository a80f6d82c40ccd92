using Apache.Arrow;

namespace DataEng.Core;

/// <summary>Boolean columns (bit-packed values).</summary>
internal sealed class BooleanEncoder<TProp, TConv>(RowMember member, TConv converter) : ColumnEncoder<TProp>(member)
    where TConv : struct, IToArrow<TProp, bool>
{
    public override IArrowArray Encode(ReadOnlySpan<TProp> values, in EncodeContext context)
    {
        var length = values.Length;
        var bits = context.Scratch.Values((length + 7) / 8);
        bits.Clear();
        var validity = context.Scratch.Validity(length);
        var nulls = 0;
        for (var i = 0; i < length; i++)
        {
            if (converter.TryConvert(values[i], out var value))
            {
                RowValue.SetBit(validity, i);
                if (value)
                {
                    RowValue.SetBit(bits, i);
                }
            }
            else
            {
                nulls++;
            }
        }

        return Build(Member.ArrowType, length, nulls, context, withOffsets: false);
    }
}
