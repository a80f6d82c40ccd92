using System.Numerics;
using System.Runtime.CompilerServices;

namespace DataEng.Core;

/// <summary>Converts one fixed-width Arrow value to the property type.</summary>
internal interface IFromArrow<TStore, TProp>
    where TStore : unmanaged
{
    TProp Convert(TStore stored);
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
