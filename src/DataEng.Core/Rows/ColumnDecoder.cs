using System.Buffers;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Array = System.Array;

namespace DataEng.Core;

/// <summary>
/// Decodes one Arrow column into a pooled array of the property's CLR type (<c>TProp[]</c>), which the compiled row
/// constructor then reads. The array must be handed back with <see cref="Return"/>.
/// </summary>
internal abstract class ColumnDecoder(RowMember member, string columnName)
{
    public RowMember Member { get; } = member;

    public string ColumnName { get; } = columnName;

    public abstract Array Decode(IArrowArray column, in DecodeContext context);

    public abstract void Return(Array values);

    protected DataFormatException Error(in DecodeContext context, int index, string problem, Exception? inner = null)
        => new(context.Source, context.FirstRow + index, ColumnName, $"property '{Member.Display}' ({Member.TypeDisplay}): {problem}", inner);

    protected string NullProblem => $"the value is null but the property does not accept nulls; declare it as {RowTypeNames.Display(Member.ValueType)}?" +
        (Member.ValueType.IsValueType ? "" : $" (or set {nameof(RowMappingOptions)}.{nameof(RowMappingOptions.RespectNullableAnnotations)} to false)");
}

internal abstract class ColumnDecoder<TProp>(RowMember member, string columnName) : ColumnDecoder(member, columnName)
{
    public sealed override Array Decode(IArrowArray column, in DecodeContext context)
    {
        var values = ArrayPool<TProp>.Shared.Rent(Math.Max(column.Length, 1));
        if (column.Length == 0)
        {
            return values;
        }

        try
        {
            var data = column.Data;
            var validity = column.NullCount == 0 ? default : data.Buffers[0].Span;
            Fill(data, validity, values.AsSpan(0, column.Length), context);
            return values;
        }
        catch
        {
            Return(values);
            throw;
        }
    }

    public sealed override void Return(Array values)
        => ArrayPool<TProp>.Shared.Return((TProp[])values, RuntimeHelpers.IsReferenceOrContainsReferences<TProp>());

    /// <summary>Fills <paramref name="destination"/> (one slot per row).</summary>
    /// <param name="data">The column data.</param>
    /// <param name="validity">The validity bitmap (indexed with the data offset), empty when there are no nulls.</param>
    /// <param name="destination">The values.</param>
    /// <param name="context">The location for errors.</param>
    protected abstract void Fill(ArrayData data, ReadOnlySpan<byte> validity, Span<TProp> destination, in DecodeContext context);
}
