using System.Runtime.CompilerServices;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Arrow types of the row kinds.</summary>
internal static class ArrowTypes
{
    public static IArrowType ForKind(RowValueKind kind) => kind switch
    {
        RowValueKind.SByte => Int8Type.Default,
        RowValueKind.Byte => UInt8Type.Default,
        RowValueKind.Int16 => Int16Type.Default,
        RowValueKind.UInt16 => UInt16Type.Default,
        RowValueKind.Int32 => Int32Type.Default,
        RowValueKind.UInt32 => UInt32Type.Default,
        RowValueKind.Int64 => Int64Type.Default,
        RowValueKind.UInt64 => UInt64Type.Default,
        RowValueKind.Single => FloatType.Default,
        RowValueKind.Double => DoubleType.Default,
        RowValueKind.Boolean => BooleanType.Default,
        RowValueKind.String or RowValueKind.Char => StringType.Default,
        RowValueKind.Binary => BinaryType.Default,
        RowValueKind.DateOnly => Date32Type.Default,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "The kind has parameters."),
    };

    public static IArrowType ForInteger(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.SByte => Int8Type.Default,
        TypeCode.Byte => UInt8Type.Default,
        TypeCode.Int16 => Int16Type.Default,
        TypeCode.UInt16 => UInt16Type.Default,
        TypeCode.Int32 => Int32Type.Default,
        TypeCode.UInt32 => UInt32Type.Default,
        TypeCode.Int64 => Int64Type.Default,
        TypeCode.UInt64 => UInt64Type.Default,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an integer type."),
    };

    /// <summary>Returns the CLR storage type of an Arrow integer or floating-point column, or null.</summary>
    public static Type? NumericStorage(ArrowTypeId id) => id switch
    {
        ArrowTypeId.Int8 => typeof(sbyte),
        ArrowTypeId.UInt8 => typeof(byte),
        ArrowTypeId.Int16 => typeof(short),
        ArrowTypeId.UInt16 => typeof(ushort),
        ArrowTypeId.Int32 => typeof(int),
        ArrowTypeId.UInt32 => typeof(uint),
        ArrowTypeId.Int64 => typeof(long),
        ArrowTypeId.UInt64 => typeof(ulong),
        ArrowTypeId.Float => typeof(float),
        ArrowTypeId.Double => typeof(double),
        _ => null,
    };

    /// <summary>Returns whether every value of the numeric type <paramref name="from"/> converts exactly to <paramref name="to"/>.</summary>
    public static bool WidensTo(Type from, Type to)
    {
        if (from == to)
        {
            return true;
        }

        var (fromSize, fromSigned, fromFloat) = Describe(from);
        if (to == typeof(decimal))
        {
            return !fromFloat;
        }

        var (toSize, toSigned, toFloat) = Describe(to);
        if (toFloat)
        {
            // float holds integers up to 2^24 exactly, double up to 2^53.
            return fromFloat ? toSize >= fromSize : toSize > fromSize;
        }

        if (fromFloat)
        {
            return false;
        }

        return fromSigned == toSigned ? toSize >= fromSize : !fromSigned && toSize > fromSize;
    }

    private static (int Size, bool Signed, bool Float) Describe(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.SByte => (1, true, false),
        TypeCode.Byte => (1, false, false),
        TypeCode.Int16 => (2, true, false),
        TypeCode.UInt16 => (2, false, false),
        TypeCode.Int32 => (4, true, false),
        TypeCode.UInt32 => (4, false, false),
        TypeCode.Int64 => (8, true, false),
        TypeCode.UInt64 => (8, false, false),
        TypeCode.Single => (4, true, true),
        TypeCode.Double => (8, true, true),
        _ => (0, false, false),
    };
}

/// <summary>Conversions between CLR temporal values and Arrow units. Pure functions; failures return false.</summary>
internal static class ArrowTime
{
    public const long UnixEpochTicks = 621_355_968_000_000_000;
    public const int UnixEpochDayNumber = 719_162;

    /// <summary>Ticks (100 ns) per unit, or 0 for nanoseconds (a tick is 100 units).</summary>
    public static long TicksPerUnit(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => TimeSpan.TicksPerSecond,
        TimeUnit.Millisecond => TimeSpan.TicksPerMillisecond,
        TimeUnit.Microsecond => 10,
        _ => 0,
    };

    /// <summary>Converts ticks since the Unix epoch to units, truncating towards the past.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryTicksToUnits(long ticksSinceEpoch, long ticksPerUnit, out long units)
    {
        if (ticksPerUnit == 0)
        {
            units = ticksSinceEpoch * 100;
            return units / 100 == ticksSinceEpoch;
        }

        units = ticksSinceEpoch / ticksPerUnit;
        if (ticksSinceEpoch % ticksPerUnit < 0)
        {
            units--;
        }

        return true;
    }

    /// <summary>Converts units since the Unix epoch to ticks since 0001-01-01, checking the DateTime range.
    /// Nanoseconds are truncated towards the past to whole ticks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryUnitsToTicks(long units, long ticksPerUnit, out long ticks)
    {
        long sinceEpoch;
        if (ticksPerUnit == 0)
        {
            sinceEpoch = units / 100;
            if (units % 100 < 0)
            {
                sinceEpoch--;
            }
        }
        else
        {
            sinceEpoch = units * ticksPerUnit;
            if (sinceEpoch / ticksPerUnit != units)
            {
                ticks = 0;
                return false;
            }
        }

        ticks = sinceEpoch + UnixEpochTicks;
        return sinceEpoch <= DateTime.MaxValue.Ticks - UnixEpochTicks && sinceEpoch >= -UnixEpochTicks;
    }

    public static string UnitName(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => "s",
        TimeUnit.Millisecond => "ms",
        TimeUnit.Microsecond => "us",
        _ => "ns",
    };
}

/// <summary>Conversions between <see cref="decimal"/> and Arrow decimal128 (a 128-bit two's complement integer and a scale).</summary>
internal static class ArrowDecimal
{
    private static readonly UInt128[] Powers = BuildPowers();

    /// <summary>The largest value that can be multiplied by 10^k without overflowing <see cref="UInt128"/>.</summary>
    private static readonly UInt128[] MaxMultiplicands = [.. Powers.Select(static p => UInt128.MaxValue / p)];

    private static readonly UInt128 DecimalMantissaLimit = (UInt128)1 << 96;

    public static UInt128 Pow10(int exponent) => Powers[exponent];

    /// <summary>Converts a decimal to the unscaled integer of a decimal128(precision, scale) column.</summary>
    /// <returns>null on success, else the problem.</returns>
    public static string? TryToDecimal128(decimal value, int precision, int scale, bool round, out Int128 unscaled)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var valueScale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        if (valueScale > scale)
        {
            var divisor = Powers[valueScale - scale];
            var quotient = mantissa / divisor;
            var remainder = mantissa - (quotient * divisor);
            if (remainder != 0)
            {
                if (!round)
                {
                    unscaled = default;
                    return $"{value.ToString(System.Globalization.CultureInfo.InvariantCulture)} has more than {scale} decimal places (the column's scale); " +
                        "round it, raise the scale with [ArrowColumn(Scale = ...)], or set RowMappingOptions.RoundDecimals";
                }

                if (remainder * 2 >= divisor)
                {
                    quotient++;
                }
            }

            mantissa = quotient;
        }
        else if (valueScale < scale)
        {
            if (mantissa > MaxMultiplicands[scale - valueScale])
            {
                unscaled = default;
                return TooLarge(value, precision, scale);
            }

            mantissa *= Powers[scale - valueScale];
        }

        if (mantissa >= Powers[precision])
        {
            unscaled = default;
            return TooLarge(value, precision, scale);
        }

        unscaled = negative ? -(Int128)mantissa : (Int128)mantissa;
        return null;
    }

    /// <summary>Converts the unscaled integer of a decimal128 column with <paramref name="scale"/> to a decimal.</summary>
    /// <returns>null on success, else the problem.</returns>
    public static string? TryToDecimal(Int128 unscaled, int scale, bool round, out decimal value)
    {
        var negative = Int128.IsNegative(unscaled);
        var magnitude = negative ? (UInt128)(-unscaled) : (UInt128)unscaled;
        if (scale is >= 0 and <= 28 && magnitude < DecimalMantissaLimit)
        {
            value = new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)scale);
            return null;
        }

        if (scale < 0)
        {
            var exponent = Math.Min(-scale, 38);
            if (magnitude > MaxMultiplicands[exponent])
            {
                value = default;
                return TooLargeForDecimal;
            }

            magnitude *= Powers[exponent];
            scale = 0;
        }

        var drop = 0;
        while (scale - drop > 28 || magnitude / Powers[drop] >= DecimalMantissaLimit)
        {
            if (scale - drop == 0)
            {
                value = default;
                return TooLargeForDecimal;
            }

            drop++;
        }

        if (drop > 0)
        {
            var divisor = Powers[drop];
            var quotient = magnitude / divisor;
            var remainder = magnitude - (quotient * divisor);
            if (remainder != 0)
            {
                if (!round)
                {
                    value = default;
                    return "the value has more significant digits than System.Decimal holds (28 decimal places, 96-bit mantissa); set RowMappingOptions.RoundDecimals to round it";
                }

                if (remainder * 2 >= divisor)
                {
                    quotient++;
                }

                if (quotient >= DecimalMantissaLimit)
                {
                    if (scale - drop == 0)
                    {
                        value = default;
                        return TooLargeForDecimal;
                    }

                    quotient = (quotient + 5) / 10;
                    drop++;
                }
            }

            magnitude = quotient;
            scale -= drop;
        }

        value = new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)scale);
        return null;
    }

    private const string TooLargeForDecimal = "the value is too large for System.Decimal (at most 79,228,162,514,264,337,593,543,950,335)";

    private static string TooLarge(decimal value, int precision, int scale)
        => $"{value.ToString(System.Globalization.CultureInfo.InvariantCulture)} does not fit decimal128({precision}, {scale}) (at most {precision - scale} digits before the point); " +
           "raise the precision or lower the scale with [ArrowColumn(Precision = ..., Scale = ...)] or RowMappingOptions";

    private static UInt128[] BuildPowers()
    {
        var powers = new UInt128[39];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
