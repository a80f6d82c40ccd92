using System.Buffers;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Array = System.Array;

namespace DataEng.Core;

/// <summary>Where a batch is being read: the location for errors.</summary>
internal readonly struct DecodeContext(string source, long firstRow)
{
    /// <summary>Gets the source or stage name used in errors.</summary>
    public string Source { get; } = source;

    /// <summary>Gets the 1-based number of the first row of the batch, for errors.</summary>
    public long FirstRow { get; } = firstRow;
}

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

/// <summary>Converts one fixed-width Arrow value to the property type.</summary>
internal interface IFromArrow<TStore, TProp>
    where TStore : unmanaged
{
    TProp Convert(TStore stored);
}

/// <summary>Converts one variable-width (or fixed_size_binary) Arrow value to the property type.</summary>
internal interface IFromBytes<TProp>
{
    TProp Convert(ReadOnlySpan<byte> bytes);
}

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

internal readonly struct Identity<TValue> : IFromArrow<TValue, TValue>
    where TValue : unmanaged
{
    public TValue Convert(TValue stored) => stored;
}

/// <summary>Exact numeric widening (the binder only pairs types where every value fits).</summary>
internal readonly struct Widen<TFrom, TTo> : IFromArrow<TFrom, TTo>
    where TFrom : unmanaged, INumberBase<TFrom>
    where TTo : INumberBase<TTo>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TTo Convert(TFrom stored) => TTo.CreateTruncating(stored);
}

internal readonly struct LiftedFrom<TStore, TValue, TInner>(TInner inner) : IFromArrow<TStore, TValue?>
    where TStore : unmanaged
    where TValue : struct
    where TInner : struct, IFromArrow<TStore, TValue>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue? Convert(TStore stored) => inner.Convert(stored);
}

internal readonly struct IntegerToEnum<TFrom, TEnum, TUnderlying> : IFromArrow<TFrom, TEnum>
    where TFrom : unmanaged, INumberBase<TFrom>
    where TEnum : struct, Enum
    where TUnderlying : unmanaged, INumberBase<TUnderlying>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TEnum Convert(TFrom stored)
    {
        var value = TUnderlying.CreateTruncating(stored);
        return Unsafe.As<TUnderlying, TEnum>(ref value);
    }
}

internal readonly struct Decimal128ToDecimal(int scale, bool round) : IFromArrow<Int128, decimal>
{
    public decimal Convert(Int128 stored)
        => ArrowDecimal.TryToDecimal(stored, scale, round, out var value) is { } problem ? RowValue.Fail<decimal>(problem) : value;
}

internal readonly struct UnitsToDateTime(long ticksPerUnit, DateTimeKind kind) : IFromArrow<long, DateTime>
{
    public DateTime Convert(long stored) => ArrowTime.TryUnitsToTicks(stored, ticksPerUnit, out var ticks)
        ? new DateTime(ticks, kind)
        : RowValue.Fail<DateTime>($"the timestamp {stored} is outside the range of DateTime");
}

internal readonly struct UnitsToDateTimeOffset(long ticksPerUnit) : IFromArrow<long, DateTimeOffset>
{
    public DateTimeOffset Convert(long stored) => ArrowTime.TryUnitsToTicks(stored, ticksPerUnit, out var ticks)
        ? new DateTimeOffset(ticks, TimeSpan.Zero)
        : RowValue.Fail<DateTimeOffset>($"the timestamp {stored} is outside the range of DateTimeOffset");
}

internal readonly struct DaysToDateOnly : IFromArrow<int, DateOnly>
{
    public DateOnly Convert(int stored)
    {
        var day = (long)stored + ArrowTime.UnixEpochDayNumber;
        return day >= 0 && day <= DateOnly.MaxValue.DayNumber
            ? DateOnly.FromDayNumber((int)day)
            : RowValue.Fail<DateOnly>($"the date {stored} (days since 1970-01-01) is outside the range of DateOnly");
    }
}

internal readonly struct MillisecondsToDateOnly : IFromArrow<long, DateOnly>
{
    public DateOnly Convert(long stored)
    {
        var days = stored / 86_400_000;
        if (stored % 86_400_000 < 0)
        {
            days--;
        }

        return new DaysToDateOnly().Convert((int)Math.Clamp(days, int.MinValue, int.MaxValue));
    }
}

internal readonly struct DaysToDateTime : IFromArrow<int, DateTime>
{
    public DateTime Convert(int stored) => new DaysToDateOnly().Convert(stored).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
}

internal readonly struct MillisecondsToDateTime : IFromArrow<long, DateTime>
{
    public DateTime Convert(long stored) => new UnitsToDateTime(TimeSpan.TicksPerMillisecond, DateTimeKind.Unspecified).Convert(stored);
}

internal readonly struct Time32ToTimeOnly(long ticksPerUnit) : IFromArrow<int, TimeOnly>
{
    public TimeOnly Convert(int stored)
    {
        var ticks = stored * ticksPerUnit;
        return ticks >= 0 && ticks < TimeSpan.TicksPerDay
            ? new TimeOnly(ticks)
            : RowValue.Fail<TimeOnly>($"the time {stored} is outside one day");
    }
}

internal readonly struct Time64ToTimeOnly(bool nanoseconds) : IFromArrow<long, TimeOnly>
{
    public TimeOnly Convert(long stored)
    {
        var limit = nanoseconds ? TimeSpan.TicksPerDay * 100 : TimeSpan.TicksPerDay / 10;
        if (stored < 0 || stored >= limit)
        {
            return RowValue.Fail<TimeOnly>($"the time {stored} is outside one day");
        }

        return new TimeOnly(nanoseconds ? stored / 100 : stored * 10);
    }
}

internal readonly struct Utf8ToString : IFromBytes<string?>
{
    public string? Convert(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
}

internal readonly struct BytesToArray : IFromBytes<byte[]?>
{
    public byte[]? Convert(ReadOnlySpan<byte> bytes) => bytes.ToArray();
}

internal readonly struct Utf8ToChar : IFromBytes<char>
{
    public char Convert(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 1 && bytes[0] < 0x80)
        {
            return (char)bytes[0];
        }

        if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == OperationStatus.Done && consumed == bytes.Length && rune.IsBmp)
        {
            return (char)rune.Value;
        }

        return RowValue.Fail<char>($"\"{Encoding.UTF8.GetString(bytes)}\" is not a single UTF-16 character");
    }
}

internal readonly struct Utf8ToGuid : IFromBytes<Guid>
{
    public Guid Convert(ReadOnlySpan<byte> bytes)
    {
        if (Utf8Parser.TryParse(bytes, out Guid value, out var consumed) && consumed == bytes.Length)
        {
            return value;
        }

        var text = Encoding.UTF8.GetString(bytes);
        return Guid.TryParse(text, out value) ? value : RowValue.Fail<Guid>($"\"{text}\" is not a GUID");
    }
}

internal readonly struct BytesToGuid : IFromBytes<Guid>
{
    public Guid Convert(ReadOnlySpan<byte> bytes) => bytes.Length == 16
        ? new Guid(bytes, bigEndian: true)
        : RowValue.Fail<Guid>($"a GUID needs 16 bytes, the value has {bytes.Length}");
}

internal readonly struct Utf8ToEnum<TEnum> : IFromBytes<TEnum>
    where TEnum : struct, Enum
{
    public TEnum Convert(ReadOnlySpan<byte> bytes)
    {
        foreach (var (name, value) in EnumNames<TEnum>.ByName)
        {
            if (bytes.SequenceEqual(name))
            {
                return value;
            }
        }

        var text = Encoding.UTF8.GetString(bytes);
        return Enum.TryParse<TEnum>(text, ignoreCase: true, out var parsed)
            ? parsed
            : RowValue.Fail<TEnum>($"\"{text}\" is not a member of {typeof(TEnum).Name} ({string.Join(", ", Enum.GetNames<TEnum>().Take(20))})");
    }
}

internal readonly struct LiftedFromBytes<TValue, TInner>(TInner inner) : IFromBytes<TValue?>
    where TValue : struct
    where TInner : struct, IFromBytes<TValue>
{
    public TValue? Convert(ReadOnlySpan<byte> bytes) => inner.Convert(bytes);
}
