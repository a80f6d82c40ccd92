using System.Text;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>A scalar converted to a column's integer-like domain (integers, decimal unscaled values, date32 days,
/// timestamp units): the largest domain value not above it, and whether it is exactly that value.</summary>
/// <param name="Floor">The largest domain value that is less than or equal to the scalar.</param>
/// <param name="Exact">Whether the scalar equals <paramref name="Floor"/>.</param>
/// <param name="Clamp">-1 when the scalar is below every value the column can hold, 1 when above, 2 for NaN, else 0.</param>
internal readonly record struct OrderedScalar(Int128 Floor, bool Exact, int Clamp);

/// <summary>Converts predicate scalars to a column's type once, when a predicate is bound.</summary>
internal static class ScalarConversion
{
    /// <summary>Returns why <paramref name="value"/> cannot be compared with a column of <paramref name="type"/>, or null.</summary>
    public static string? Check(IArrowType type, object value)
    {
        switch (type.TypeId)
        {
            case ArrowTypeId.Boolean:
                return value is bool ? null : Mismatch(type, value);
            case ArrowTypeId.String:
                return value is string ? null : Mismatch(type, value);
            case ArrowTypeId.Binary:
                return value is byte[] ? null : Mismatch(type, value);
            case ArrowTypeId.Float:
            case ArrowTypeId.Double:
                return IsNumber(value) ? null : Mismatch(type, value);
            default:
                if (!IsOrdered(type.TypeId))
                {
                    return KernelTypes.ValueUnsupported("?", type, "comparison");
                }

                return TryOrdered(type, value, out _, out var problem) ? null : problem;
        }
    }

    public static bool IsNumber(object value) => value is sbyte or short or int or long or byte or ushort or uint or ulong or float or double or decimal or Int128 or UInt128;

    public static double ToDouble(object value) => value switch
    {
        float f => f,
        double d => d,
        decimal m => (double)m,
        Int128 i => (double)i,
        UInt128 u => (double)u,
        _ => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    public static byte[] ToBytes(object value) => value is string s ? Encoding.UTF8.GetBytes(s) : (byte[])value;

    /// <summary>Converts a scalar for an integer-like column (integers, decimal128, date32, timestamp).</summary>
    public static bool TryOrdered(IArrowType type, object value, out OrderedScalar result, out string? problem)
    {
        result = default;
        problem = null;
        bool ok;
        switch (type)
        {
            case Date32Type:
                ok = TryDate(value, out result, out problem);
                break;
            case TimestampType timestamp:
                ok = TryTimestamp(timestamp, value, out result, out problem);
                break;
            case Decimal128Type decimalType:
                ok = TryNumber(value, decimalType.Scale, out result);
                problem = ok ? null : Mismatch(type, value);
                break;
            default:
                ok = TryNumber(value, 0, out result);
                problem = ok ? null : Mismatch(type, value);
                break;
        }

        if (!ok || result.Clamp != 0)
        {
            return ok;
        }

        var (min, max) = Range(type.TypeId);
        if (result.Floor < min)
        {
            result = result with { Clamp = -1 };
        }
        else if (result.Floor > max || (result.Floor == max && !result.Exact))
        {
            result = result with { Clamp = 1 };
        }

        return true;
    }

    public static bool IsOrdered(ArrowTypeId id) => KernelTypes.IsInteger(id) || id is ArrowTypeId.Decimal128 or ArrowTypeId.Date32 or ArrowTypeId.Timestamp;

    private static (Int128 Min, Int128 Max) Range(ArrowTypeId id) => id switch
    {
        ArrowTypeId.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        ArrowTypeId.Int16 => (short.MinValue, short.MaxValue),
        ArrowTypeId.Int32 or ArrowTypeId.Date32 => (int.MinValue, int.MaxValue),
        ArrowTypeId.Int64 or ArrowTypeId.Timestamp => (long.MinValue, long.MaxValue),
        ArrowTypeId.UInt8 => (byte.MinValue, byte.MaxValue),
        ArrowTypeId.UInt16 => (ushort.MinValue, ushort.MaxValue),
        ArrowTypeId.UInt32 => (uint.MinValue, uint.MaxValue),
        ArrowTypeId.UInt64 => (ulong.MinValue, ulong.MaxValue),
        _ => (Int128.MinValue, Int128.MaxValue),
    };

    /// <summary>A .NET number as an unscaled value at <paramref name="scale"/>.</summary>
    private static bool TryNumber(object value, int scale, out OrderedScalar result)
    {
        result = default;
        switch (value)
        {
            case sbyte or short or int or long or byte or ushort or uint or ulong or Int128:
            {
                var whole = value switch
                {
                    ulong u => (Int128)u,
                    Int128 i => i,
                    _ => (Int128)Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
                };
                result = DecimalMath.TryRescale(whole, 0, scale, DecimalRounding.Truncate, out var unscaled, out _)
                    ? new OrderedScalar(unscaled, true, 0)
                    : new OrderedScalar(0, false, Int128.IsNegative(whole) ? -1 : 1);
                return true;
            }

            case decimal m:
                result = FromDecimal(m, scale);
                return true;
            case float or double:
            {
                var d = ToDouble(value);
                if (double.IsNaN(d))
                {
                    result = new OrderedScalar(0, false, 2);
                    return true;
                }

                if (double.IsInfinity(d) || Math.Abs(d) >= 1.7e38)
                {
                    result = new OrderedScalar(0, false, d < 0 ? -1 : 1);
                    return true;
                }

                if (Math.Abs(d) < 7.9e28)
                {
                    result = FromDecimal((decimal)d, scale);
                    return true;
                }

                var floor = Math.Floor(d);
                result = DecimalMath.TryRescale((Int128)floor, 0, scale, DecimalRounding.Truncate, out var big, out _)
                    ? new OrderedScalar(big, floor == d, 0)
                    : new OrderedScalar(0, false, d < 0 ? -1 : 1);
                return true;
            }

            default:
                return false;
        }
    }

    private static OrderedScalar FromDecimal(decimal value, int scale)
    {
        if (!DecimalMath.TryFromDecimal(value, scale, DecimalRounding.Truncate, out var truncated, out var exact))
        {
            return new OrderedScalar(0, false, value < 0 ? -1 : 1);
        }

        // Truncation went toward zero; the floor of a negative inexact value is one lower.
        return new OrderedScalar(!exact && value < 0 ? truncated - 1 : truncated, exact, 0);
    }

    private static bool TryDate(object value, out OrderedScalar result, out string? problem)
    {
        problem = null;
        switch (value)
        {
            case DateOnly date:
                result = new OrderedScalar(date.DayNumber - TemporalMath.UnixEpochDayNumber, true, 0);
                return true;
            case DateTime dateTime:
                var days = TemporalMath.FloorDiv(dateTime.Ticks, TimeSpan.TicksPerDay, out var rest);
                result = new OrderedScalar(days - TemporalMath.UnixEpochDayNumber, rest == 0, 0);
                return true;
            case string text when Iso8601.TryParseTimestamp(Encoding.UTF8.GetBytes(text), out var parsed) && !parsed.HasOffset:
                result = new OrderedScalar(parsed.Days, parsed.NanosOfDay == 0, 0);
                return true;
            case string text:
                result = default;
                problem = $"'{text}' is not an ISO 8601 date (YYYY-MM-DD)";
                return false;
            default:
                result = default;
                problem = Mismatch(Date32Type.Default, value);
                return false;
        }
    }

    private static bool TryTimestamp(TimestampType type, object value, out OrderedScalar result, out string? problem)
    {
        problem = null;
        result = default;
        var zoned = !string.IsNullOrEmpty(type.Timezone);
        long ticks;
        switch (value)
        {
            case DateTimeOffset offset:
                ticks = offset.UtcTicks;
                break;
            case DateTime dateTime:
                ticks = (zoned && dateTime.Kind == DateTimeKind.Local ? dateTime.ToUniversalTime() : dateTime).Ticks;
                break;
            case DateOnly date:
                ticks = date.DayNumber * TimeSpan.TicksPerDay;
                break;
            case string text:
                if (!Iso8601.TryParseTimestamp(Encoding.UTF8.GetBytes(text), out var parsed))
                {
                    problem = $"'{text}' is not an ISO 8601 date/time";
                    return false;
                }

                TemporalMath.TryResolveZone(type.Timezone, out var zone);
                if (!CastKernel.TryToTimestamp(parsed, type.Unit, zone, allowTruncation: true, out var units, out _))
                {
                    result = new OrderedScalar(0, false, parsed.Days < 0 ? -1 : 1);
                    return true;
                }

                result = new OrderedScalar(units, parsed.NanosOfDay % TemporalMath.NanosPerUnit(type.Unit) == 0, 0);
                return true;
            default:
                problem = Mismatch(type, value);
                return false;
        }

        result = TemporalMath.TryFromTicks(ticks, type.Unit, out var converted, out var exact)
            ? new OrderedScalar(converted, exact, 0)
            : new OrderedScalar(0, false, ticks < TemporalMath.UnixEpochTicks ? -1 : 1);
        return true;
    }

    private static string Mismatch(IArrowType type, object value)
        => $"cannot compare a {SchemaText.Describe(type)} column with a {ClrTypes.Describe(value.GetType())} value; use {Expected(type)}";

    private static string Expected(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Boolean => "a bool",
        ArrowTypeId.String => "a string",
        ArrowTypeId.Binary => "a byte[]",
        ArrowTypeId.Date32 => "a DateOnly, a DateTime or ISO 8601 text",
        ArrowTypeId.Timestamp => "a DateTimeOffset, a DateTime, a DateOnly or ISO 8601 text",
        _ => "a number",
    };
}
