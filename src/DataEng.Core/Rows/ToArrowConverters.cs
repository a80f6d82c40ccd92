using System.Runtime.CompilerServices;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Converts one CLR value to its fixed-width Arrow storage; false means null.</summary>
internal interface IToArrow<TProp, TStore>
    where TStore : unmanaged
{
    bool TryConvert(TProp value, out TStore stored);
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
