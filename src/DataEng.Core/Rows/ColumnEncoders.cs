using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Where a column is being encoded: the allocator, the scratch buffers, and the location for errors.</summary>
internal readonly struct EncodeContext(MemoryAllocator allocator, BufferScratch scratch, string source, long firstRow)
{
    public MemoryAllocator Allocator { get; } = allocator;

    public BufferScratch Scratch { get; } = scratch;

    /// <summary>Gets the source name used in errors.</summary>
    public string Source { get; } = source;

    /// <summary>Gets the 1-based number of the first row of the batch, for errors.</summary>
    public long FirstRow { get; } = firstRow;

    public DataFormatException Error(RowMember member, int index, string problem, Exception? inner = null)
        => new(Source, FirstRow + index, member.ColumnName, $"property '{member.Display}' ({member.TypeDisplay}): {problem}", inner);
}

/// <summary>Throws the problems of single values; the encoder or decoder adds the location.</summary>
internal static class RowValue
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Fail(string problem) => throw new DataFormatException(problem);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static TResult Fail<TResult>(string problem) => throw new DataFormatException(problem);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetBit(Span<byte> bitmap, int index) => bitmap[index >> 3] |= (byte)(1 << (index & 7));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool GetBit(ReadOnlySpan<byte> bitmap, int index) => (bitmap[index >> 3] & (1 << (index & 7))) != 0;
}

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

/// <summary>Converts one CLR value to its fixed-width Arrow storage; false means null.</summary>
internal interface IToArrow<TProp, TStore>
    where TStore : unmanaged
{
    bool TryConvert(TProp value, out TStore stored);
}

/// <summary>Converts one CLR value to variable-width bytes (UTF-8 text or binary).</summary>
internal interface IToBytes<TProp>
{
    bool IsNull(TProp value);

    /// <summary>Returns an upper bound of the bytes of a non-null value (cheap).</summary>
    int GetMaxByteCount(TProp value);

    /// <summary>Returns the exact bytes of a non-null value.</summary>
    int GetByteCount(TProp value);

    int Write(TProp value, Span<byte> destination);
}

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

internal readonly struct Same<TValue> : IToArrow<TValue, TValue>
    where TValue : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryConvert(TValue value, out TValue stored)
    {
        stored = value;
        return true;
    }
}

/// <summary>Lifts a converter of <typeparamref name="TValue"/> to <c>TValue?</c>: null stays null.</summary>
internal readonly struct Lifted<TValue, TStore, TInner>(TInner inner) : IToArrow<TValue?, TStore>
    where TValue : struct
    where TStore : unmanaged
    where TInner : struct, IToArrow<TValue, TStore>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryConvert(TValue? value, out TStore stored)
    {
        if (value.HasValue)
        {
            return inner.TryConvert(value.GetValueOrDefault(), out stored);
        }

        stored = default;
        return false;
    }
}

internal readonly struct DecimalToDecimal128(int precision, int scale, bool round) : IToArrow<decimal, Int128>
{
    public bool TryConvert(decimal value, out Int128 stored)
    {
        if (ArrowDecimal.TryToDecimal128(value, precision, scale, round, out stored) is { } problem)
        {
            RowValue.Fail(problem);
        }

        return true;
    }
}

internal readonly struct DateTimeToUnits(long ticksPerUnit, TimeUnit unit, bool convertLocal) : IToArrow<DateTime, long>
{
    public bool TryConvert(DateTime value, out long stored)
    {
        if (value.Kind == DateTimeKind.Local)
        {
            if (!convertLocal)
            {
                RowValue.Fail($"{value:O} has DateTimeKind.Local, whose instant depends on this machine's time zone; " +
                    "convert it with ToUniversalTime() (or DateTime.SpecifyKind for wall-clock values), or set " +
                    $"{nameof(RowMappingOptions)}.{nameof(RowMappingOptions.LocalDateTimes)} = {nameof(LocalDateTimeHandling)}.{nameof(LocalDateTimeHandling.ConvertToUtc)}");
            }

            value = value.ToUniversalTime();
        }

        if (!ArrowTime.TryTicksToUnits(value.Ticks - ArrowTime.UnixEpochTicks, ticksPerUnit, out stored))
        {
            RowValue.Fail($"{value:O} is outside the range of timestamp[{ArrowTime.UnitName(unit)}] (1677-09-21 to 2262-04-11 for nanoseconds); use microseconds");
        }

        return true;
    }
}

internal readonly struct DateTimeOffsetToUnits(long ticksPerUnit, TimeUnit unit) : IToArrow<DateTimeOffset, long>
{
    public bool TryConvert(DateTimeOffset value, out long stored)
    {
        if (!ArrowTime.TryTicksToUnits(value.UtcTicks - ArrowTime.UnixEpochTicks, ticksPerUnit, out stored))
        {
            RowValue.Fail($"{value:O} is outside the range of timestamp[{ArrowTime.UnitName(unit)}] (1677-09-21 to 2262-04-11 for nanoseconds); use microseconds");
        }

        return true;
    }
}

internal readonly struct DateOnlyToDays : IToArrow<DateOnly, int>
{
    public bool TryConvert(DateOnly value, out int stored)
    {
        stored = value.DayNumber - ArrowTime.UnixEpochDayNumber;
        return true;
    }
}

internal readonly struct TimeOnlyToUnits(bool nanoseconds) : IToArrow<TimeOnly, long>
{
    public bool TryConvert(TimeOnly value, out long stored)
    {
        stored = nanoseconds ? value.Ticks * 100 : value.Ticks / 10;
        return true;
    }
}

/// <summary>16 bytes of fixed_size_binary(16) storage.</summary>
[InlineArray(16)]
internal struct Bytes16
{
    private byte _element;
}

internal readonly struct GuidToBytes : IToArrow<Guid, Bytes16>
{
    public bool TryConvert(Guid value, out Bytes16 stored)
    {
        stored = default;
        value.TryWriteBytes(stored, bigEndian: true, out _);
        return true;
    }
}

internal readonly struct EnumToInteger<TEnum, TInteger> : IToArrow<TEnum, TInteger>
    where TEnum : struct, Enum
    where TInteger : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryConvert(TEnum value, out TInteger stored)
    {
        stored = Unsafe.As<TEnum, TInteger>(ref value);
        return true;
    }
}

/// <summary>Strict UTF-8 (an unpaired surrogate is an error, not a silent U+FFFD).</summary>
internal static class StrictUtf8
{
    public static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

internal readonly struct StringToUtf8 : IToBytes<string?>
{
    public bool IsNull(string? value) => value is null;

    public int GetByteCount(string? value)
    {
        try
        {
            return StrictUtf8.Encoding.GetByteCount(value!);
        }
        catch (EncoderFallbackException e)
        {
            return RowValue.Fail<int>(UnpairedSurrogate(e));
        }
    }

    public int GetMaxByteCount(string? value) => value!.Length * 3;

    public int Write(string? value, Span<byte> destination)
    {
        try
        {
            return StrictUtf8.Encoding.GetBytes(value, destination);
        }
        catch (EncoderFallbackException e)
        {
            return RowValue.Fail<int>(UnpairedSurrogate(e));
        }
    }

    private static string UnpairedSurrogate(EncoderFallbackException e)
        => $"the string has an unpaired surrogate at index {e.Index} and is not valid UTF-16, so it has no UTF-8 form";
}

internal readonly struct BytesCopy : IToBytes<byte[]?>
{
    public bool IsNull(byte[]? value) => value is null;

    public int GetMaxByteCount(byte[]? value) => value!.Length;

    public int GetByteCount(byte[]? value) => value!.Length;

    public int Write(byte[]? value, Span<byte> destination)
    {
        value.CopyTo(destination);
        return value!.Length;
    }
}

internal readonly struct CharToUtf8 : IToBytes<char>
{
    public bool IsNull(char value) => false;

    public int GetMaxByteCount(char value) => GetByteCount(value);

    public int GetByteCount(char value) => char.IsSurrogate(value)
        ? RowValue.Fail<int>($"U+{(int)value:X4} is half of a surrogate pair and cannot be stored alone")
        : new Rune(value).Utf8SequenceLength;

    public int Write(char value, Span<byte> destination) => new Rune(value).EncodeToUtf8(destination);
}

internal readonly struct GuidToText : IToBytes<Guid>
{
    public bool IsNull(Guid value) => false;

    public int GetMaxByteCount(Guid value) => 36;

    public int GetByteCount(Guid value) => 36;

    public int Write(Guid value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }
}

internal readonly struct EnumToName<TEnum> : IToBytes<TEnum>
    where TEnum : struct, Enum
{
    public bool IsNull(TEnum value) => false;

    public int GetMaxByteCount(TEnum value) => GetByteCount(value);

    public int GetByteCount(TEnum value) => EnumNames<TEnum>.Utf8ByValue.TryGetValue(value, out var name)
        ? name.Length
        : Encoding.UTF8.GetByteCount(value.ToString());

    public int Write(TEnum value, Span<byte> destination)
    {
        if (EnumNames<TEnum>.Utf8ByValue.TryGetValue(value, out var name))
        {
            name.CopyTo(destination);
            return name.Length;
        }

        return Encoding.UTF8.GetBytes(value.ToString(), destination);
    }
}

/// <summary>Lifts a bytes converter of <typeparamref name="TValue"/> to <c>TValue?</c>.</summary>
internal readonly struct LiftedBytes<TValue, TInner>(TInner inner) : IToBytes<TValue?>
    where TValue : struct
    where TInner : struct, IToBytes<TValue>
{
    public bool IsNull(TValue? value) => !value.HasValue;

    public int GetMaxByteCount(TValue? value) => inner.GetMaxByteCount(value.GetValueOrDefault());

    public int GetByteCount(TValue? value) => inner.GetByteCount(value.GetValueOrDefault());

    public int Write(TValue? value, Span<byte> destination) => inner.Write(value.GetValueOrDefault(), destination);
}

/// <summary>UTF-8 names of an enum's members, for writing and reading enums as text without boxing.</summary>
internal static class EnumNames<TEnum>
    where TEnum : struct, Enum
{
    /// <summary>The name <see cref="Enum.ToString()"/> gives each defined value.</summary>
    public static readonly Dictionary<TEnum, byte[]> Utf8ByValue = BuildByValue();

    /// <summary>Every member name (aliases included) and its value.</summary>
    public static readonly (byte[] Name, TEnum Value)[] ByName = [.. Enum.GetNames<TEnum>().Select(static n => (Encoding.UTF8.GetBytes(n), Enum.Parse<TEnum>(n)))];

    private static Dictionary<TEnum, byte[]> BuildByValue()
    {
        var result = new Dictionary<TEnum, byte[]>();
        foreach (var value in Enum.GetValues<TEnum>())
        {
            result.TryAdd(value, Encoding.UTF8.GetBytes(value.ToString()));
        }

        return result;
    }
}
