namespace DataEng.Core;

/// <summary>Arithmetic on decimal128 values held as unscaled <see cref="Int128"/> integers.</summary>
internal static class DecimalMath
{
    public const int MaxPrecision = 38;

    private static readonly Int128[] Powers = BuildPowers();

    private static readonly Int128 Max96 = (Int128.One << 96) - 1;

    public static Int128 Pow10(int exponent) => Powers[exponent];

    /// <summary>Returns whether |value| has at most <paramref name="precision"/> digits.</summary>
    public static bool FitsPrecision(Int128 value, int precision)
    {
        var limit = Powers[precision];
        return value < limit && value > -limit;
    }

    /// <summary>
    /// Changes the scale of an unscaled value. Going to a smaller scale drops digits: <paramref name="exact"/> tells
    /// whether they were all zero; the result is rounded per <paramref name="rounding"/>. False on overflow.
    /// </summary>
    public static bool TryRescale(Int128 value, int fromScale, int toScale, DecimalRounding rounding, out Int128 result, out bool exact)
    {
        exact = true;
        if (toScale == fromScale)
        {
            result = value;
            return true;
        }

        if (toScale > fromScale)
        {
            var factor = Powers[toScale - fromScale];
            var limit = Int128.MaxValue / factor;
            if (value > limit || value < -limit)
            {
                result = default;
                return false;
            }

            result = value * factor;
            return true;
        }

        var divisor = Powers[fromScale - toScale];
        var quotient = Int128.DivRem(value, divisor).Quotient;
        var remainder = value - (quotient * divisor);
        exact = remainder == Int128.Zero;
        if (!exact && rounding == DecimalRounding.HalfAwayFromZero)
        {
            var twice = Int128.Abs(remainder) * 2;
            if (twice >= divisor)
            {
                quotient += Int128.IsNegative(value) ? -1 : 1;
            }
        }

        result = quotient;
        return true;
    }

    /// <summary>Converts a CLR decimal to an unscaled value at <paramref name="scale"/>.</summary>
    public static bool TryFromDecimal(decimal value, int scale, DecimalRounding rounding, out Int128 result, out bool exact)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        if (bits[3] < 0)
        {
            mantissa = -mantissa;
        }

        var sourceScale = (bits[3] >> 16) & 0xFF;
        return TryRescale(mantissa, sourceScale, scale, rounding, out result, out exact);
    }

    /// <summary>Converts an unscaled value to a CLR decimal; false when it does not fit (integer part too large, or
    /// non-zero digits beyond the 28 decimal places a CLR decimal holds). Trailing zeros are dropped exactly.</summary>
    public static bool TryToDecimal(Int128 value, int scale, out decimal result)
    {
        var negative = Int128.IsNegative(value);
        var magnitude = Int128.Abs(value);
        while (scale > 28 || magnitude > Max96)
        {
            if (scale == 0)
            {
                result = default;
                return false;
            }

            var (quotient, remainder) = Int128.DivRem(magnitude, 10);
            if (remainder != Int128.Zero)
            {
                result = default;
                return false;
            }

            magnitude = quotient;
            scale--;
        }

        var low = (ulong)magnitude;
        var high = (uint)(magnitude >> 64);
        result = new decimal((int)(uint)low, (int)(uint)(low >> 32), (int)high, negative, (byte)scale);
        return true;
    }

    public static double ToDouble(Int128 value, int scale) => (double)value / Math.Pow(10, scale);

    /// <summary>
    /// Parses decimal text (<c>[+-]digits[.digits][e[+-]digits]</c>, surrounding white space allowed) into an unscaled
    /// value at <paramref name="scale"/>. <paramref name="exact"/> is false when non-zero digits beyond the scale were
    /// dropped (truncated toward zero). False when the text is not a number or does not fit.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, int scale, out Int128 result, out bool exact)
    {
        result = default;
        exact = true;
        var position = 0;
        while (position < text.Length && text[position] is (byte)' ' or (byte)'\t')
        {
            position++;
        }

        var end = text.Length;
        while (end > position && text[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            end--;
        }

        text = text[position..end];
        position = 0;
        var negative = false;
        if (position < text.Length && text[position] is (byte)'+' or (byte)'-')
        {
            negative = text[position] == (byte)'-';
            position++;
        }

        // Collect significant digits and the position of the decimal point.
        var digitsStart = position;
        var pointIndex = -1;
        var digitCount = 0;
        for (; position < text.Length; position++)
        {
            var c = text[position];
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                digitCount++;
            }
            else if (c == (byte)'.' && pointIndex < 0)
            {
                pointIndex = digitCount;
            }
            else
            {
                break;
            }
        }

        if (digitCount == 0)
        {
            return false;
        }

        var digitsEnd = position;
        var exponent = 0;
        if (position < text.Length && text[position] is (byte)'e' or (byte)'E')
        {
            position++;
            var exponentNegative = false;
            if (position < text.Length && text[position] is (byte)'+' or (byte)'-')
            {
                exponentNegative = text[position] == (byte)'-';
                position++;
            }

            var exponentStart = position;
            while (position < text.Length && text[position] is >= (byte)'0' and <= (byte)'9')
            {
                if (exponent > 10_000)
                {
                    return false;
                }

                exponent = (exponent * 10) + (text[position++] - '0');
            }

            if (position == exponentStart)
            {
                return false;
            }

            if (exponentNegative)
            {
                exponent = -exponent;
            }
        }

        if (position != text.Length)
        {
            return false;
        }

        // The value is digits * 10^(exponent - fractionDigits); keep digits whose power is >= -scale.
        var fractionDigits = pointIndex < 0 ? 0 : digitCount - pointIndex;
        var shift = exponent - fractionDigits + scale; // power of ten of the last digit, relative to the scale
        Int128 value = 0;
        var index = 0;
        for (var i = digitsStart; i < digitsEnd; i++)
        {
            var c = text[i];
            if (c == (byte)'.')
            {
                continue;
            }

            var power = shift + (digitCount - 1 - index);
            index++;
            var digit = c - '0';
            if (power < 0)
            {
                if (digit != 0)
                {
                    exact = false;
                }

                continue;
            }

            if (value > (Int128.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        // Trailing zeros implied by a positive shift.
        for (var i = 0; i < shift; i++)
        {
            if (value > Int128.MaxValue / 10)
            {
                return false;
            }

            value *= 10;
        }

        result = negative ? -value : value;
        return true;
    }

    /// <summary>Writes an unscaled value as decimal text with exactly <paramref name="scale"/> fractional digits;
    /// returns the bytes written (at most 42).</summary>
    public static int Format(Int128 value, int scale, Span<byte> destination)
    {
        Span<byte> digits = stackalloc byte[40];
        var negative = Int128.IsNegative(value);
        var magnitude = negative ? -value : value;
        var count = 0;
        do
        {
            var (quotient, remainder) = Int128.DivRem(magnitude, 10);
            digits[count++] = (byte)('0' + (int)Int128.Abs(remainder));
            magnitude = quotient;
        }
        while (magnitude != Int128.Zero);

        while (count <= scale)
        {
            digits[count++] = (byte)'0';
        }

        var position = 0;
        if (negative)
        {
            destination[position++] = (byte)'-';
        }

        for (var i = count - 1; i >= 0; i--)
        {
            destination[position++] = digits[i];
            if (i == scale && scale > 0)
            {
                destination[position++] = (byte)'.';
            }
        }

        return position;
    }

    private static Int128[] BuildPowers()
    {
        var powers = new Int128[MaxPrecision + 1];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}

/// <summary>How digits dropped by a scale reduction are handled.</summary>
internal enum DecimalRounding
{
    /// <summary>Drop them (toward zero).</summary>
    Truncate,

    /// <summary>Round half away from zero.</summary>
    HalfAwayFromZero,
}
