using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>Fixed-width columns: integers, floats, decimal128, timestamps, dates, times, fixed_size_binary.</summary>
internal sealed class FixedEncoder<TProp, TStore, TConv>(RowMember member, TConv converter) : ColumnEncoder<TProp>(member)
    where TStore : unmanaged
    where TConv : struct, IToArrow<TProp, TStore>
{
    public override IArrowArray Encode(ReadOnlySpan<TProp> values, in EncodeContext context)
    {
        var length = values.Length;
        var stored = MemoryMarshal.Cast<byte, TStore>(context.Scratch.Values(checked(length * Unsafe.SizeOf<TStore>())));
        var validity = context.Scratch.Validity(length);
        var nulls = 0;
        var i = 0;
        try
        {
            for (; i < length; i++)
            {
                if (converter.TryConvert(values[i], out stored[i]))
                {
                    RowValue.SetBit(validity, i);
                }
                else
                {
                    stored[i] = default;
                    nulls++;
                }
            }
        }
        catch (DataFormatException e)
        {
            throw context.Error(Member, i, e.Message, e);
        }

        return Build(Member.ArrowType, length, nulls, context, withOffsets: false);
    }
}
