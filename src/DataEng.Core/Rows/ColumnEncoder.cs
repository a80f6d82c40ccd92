using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Encodes the values of one property (already extracted from the rows) into an Arrow array.</summary>
internal abstract class ColumnEncoder<TProp>(RowMember member)
{
    public RowMember Member { get; } = member;

    public abstract IArrowArray Encode(ReadOnlySpan<TProp> values, in EncodeContext context);

    protected static IArrowArray Build(IArrowType type, int length, int nulls, in EncodeContext context, bool withOffsets)
    {
        var validity = nulls > 0 ? context.Scratch.BuildValidity(context.Allocator) : ArrowBuffer.Empty;
        var offsets = ArrowBuffer.Empty;
        try
        {
            if (withOffsets)
            {
                offsets = context.Scratch.BuildOffsets(context.Allocator);
            }

            var values = context.Scratch.BuildValues(context.Allocator);
            ArrowBuffer[] buffers = withOffsets ? [validity, offsets, values] : [validity, values];
            return ArrowArrayFactory.BuildArray(new ArrayData(type, length, nulls, 0, buffers));
        }
        catch
        {
            validity.Dispose();
            offsets.Dispose();
            throw;
        }
    }
}
