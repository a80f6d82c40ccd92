using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// Variable-width columns (string, binary): sums an upper bound of the bytes (exact sizes only when the bound is very
/// large), encodes every value once into the scratch buffer, then writes offsets and bytes.
/// </summary>
internal sealed class VariableEncoder<TProp, TConv>(RowMember member, TConv converter) : ColumnEncoder<TProp>(member)
    where TConv : struct, IToBytes<TProp>
{
    private const long LargeBound = 1L << 28;

    public override IArrowArray Encode(ReadOnlySpan<TProp> values, in EncodeContext context)
    {
        var length = values.Length;
        long bound = 0;
        var i = 0;
        try
        {
            for (; i < length; i++)
            {
                if (!converter.IsNull(values[i]))
                {
                    bound += converter.GetMaxByteCount(values[i]);
                }
                else if (!Member.AllowsNull)
                {
                    RowValue.Fail($"the value is null but the property is not nullable; declare it as {Member.TypeDisplay}? " +
                        $"(or set {nameof(RowMappingOptions)}.{nameof(RowMappingOptions.RespectNullableAnnotations)} to false)");
                }
            }

            if (bound > LargeBound)
            {
                bound = 0;
                for (i = 0; i < length; i++)
                {
                    if (!converter.IsNull(values[i]))
                    {
                        bound += converter.GetByteCount(values[i]);
                    }
                }
            }
        }
        catch (DataFormatException e)
        {
            throw context.Error(Member, i, e.Message, e);
        }

        if (bound > int.MaxValue)
        {
            throw context.Error(Member, 0, $"the batch holds {bound:N0} bytes in this column, more than one Arrow array can; use a smaller batch size");
        }

        var offsets = context.Scratch.Offsets(length + 1);
        var data = context.Scratch.Values((int)bound);
        var validity = context.Scratch.Validity(length);
        var nulls = 0;
        var position = 0;
        offsets[0] = 0;
        try
        {
            for (i = 0; i < length; i++)
            {
                var value = values[i];
                if (converter.IsNull(value))
                {
                    nulls++;
                }
                else
                {
                    position += converter.Write(value, data[position..]);
                    RowValue.SetBit(validity, i);
                }

                offsets[i + 1] = position;
            }
        }
        catch (DataFormatException e)
        {
            throw context.Error(Member, i, e.Message, e);
        }

        context.Scratch.TrimValues(position);
        return Build(Member.ArrowType, length, nulls, context, withOffsets: true);
    }
}
