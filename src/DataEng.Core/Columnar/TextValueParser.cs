using System.Globalization;

namespace DataEng.Core;

/// <summary>
/// Allocation-free parsers for the text forms the CSV and ADO.NET readers accept: ISO-8601 dates and timestamps and
/// exact decimals (up to 38 digits, more than <see cref="decimal"/> holds).
/// </summary>
internal static class TextValueParser
{
    /// <summary>The DateTime ticks of 1970-01-01T00:00:00.</summary>
    public const long UnixEpochTicks = 621_355_968_000_000_000;

    /// <summary>The <see cref="DateOnly.DayNumber"/> of 1970-01-01.</summary>
    public const int UnixEpochDayNumber = 719_162;

    /// <summary>10^0 … 10^38 as 128-bit integers.</summary>
    public static readonly Int128[] PowersOfTen = CreatePowersOfTen();

    /// <summary>Parses <c>yyyy-MM-dd</c>.</summary>
    /// <param name="s">The text.</param>
    /// <param name="date">The date.</param>
    /// <returns>Whether the text is a valid ISO date.</returns>
    public static bool TryParseIsoDate(ReadOnlySpan<char> s, out DateOnly date)
    {
        date = default;
        if (s.Length != 10 || s[4] != '-' || s[7] != '-'
            || !TryDigits(s[..4], out var year) || !TryDigits(s.Slice(5, 2), out var month) || !TryDigits(s.Slice(8, 2), out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary>
    /// Parses an ISO-8601 timestamp: <c>yyyy-MM-dd</c>, optionally followed by <c>T</c> or a space and
    /// <c>HH:mm[:ss[.fffffffff]]</c>, optionally followed by <c>Z</c> or an offset (<c>±HH:mm</c>, <c>±HHmm</c>, <c>±HH</c>).
    /// </summary>
    /// <param name="s">The text.</param>
    /// <param name="ticks">The <see cref="DateTime.Ticks"/>: the wall-clock time, or the UTC instant when an offset was given.</param>
    /// <param name="extraNanoseconds">Nanoseconds below one tick (0–99), for nanosecond columns.</param>
    /// <param name="hasOffset">Whether the text carried <c>Z</c> or an offset.</param>
    /// <returns>Whether the text is a valid ISO timestamp.</returns>
    public static bool TryParseIsoTimestamp(ReadOnlySpan<char> s, out long ticks, out int extraNanoseconds, out bool hasOffset)
    {
        ticks = 0;
        extraNanoseconds = 0;
        hasOffset = false;
        if (s.Length < 10 || !TryParseIsoDate(s[..10], out var date))
        {
            return false;
        }

        ticks = date.DayNumber * TimeSpan.TicksPerDay;
        if (s.Length == 10)
        {
            return true;
        }

        if ((s[10] != 'T' && s[10] != ' ' && s[10] != 't') || s.Length < 16 || s[13] != ':'
            || !TryDigits(s.Slice(11, 2), out var hour) || !TryDigits(s.Slice(14, 2), out var minute) || hour > 23 || minute > 59)
        {
            return false;
        }

        var second = 0;
        long fraction = 0;
        var i = 16;
        if (i < s.Length && s[i] == ':')
        {
            if (s.Length < i + 3 || !TryDigits(s.Slice(i + 1, 2), out second) || second > 59)
            {
                return false;
            }

            i += 3;
            if (i < s.Length && (s[i] == '.' || s[i] == ','))
            {
                i++;
                var digits = 0;
                long nanos = 0;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    if (digits < 9)
                    {
                        nanos = (nanos * 10) + (s[i] - '0');
                    }

                    digits++;
                    i++;
                }

                if (digits == 0)
                {
                    return false;
                }

                for (var d = digits; d < 9; d++)
                {
                    nanos *= 10;
                }

                fraction = nanos / 100;
                extraNanoseconds = (int)(nanos % 100);
            }
        }

        ticks += (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond) + fraction;
        if (i == s.Length)
        {
            return true;
        }

        hasOffset = true;
        var rest = s[i..];
        if (rest.Length == 1 && (rest[0] == 'Z' || rest[0] == 'z'))
        {
            return true;
        }

        if (rest[0] != '+' && rest[0] != '-')
        {
            return false;
        }

        int offsetHours, offsetMinutes = 0;
        var ok = rest.Length switch
        {
            3 => TryDigits(rest.Slice(1, 2), out offsetHours),
            5 => TryDigits(rest.Slice(1, 2), out offsetHours) && TryDigits(rest.Slice(3, 2), out offsetMinutes),
            6 => TryDigits(rest.Slice(1, 2), out offsetHours) && rest[3] == ':' && TryDigits(rest.Slice(4, 2), out offsetMinutes),
            _ => Fail(out offsetHours),
        };
        if (!ok || offsetHours > 18 || offsetMinutes > 59)
        {
            return false;
        }

        var offset = (offsetHours * TimeSpan.TicksPerHour) + (offsetMinutes * TimeSpan.TicksPerMinute);
        ticks -= rest[0] == '+' ? offset : -offset;
        return ticks is >= 0 and <= 3_155_378_975_999_999_999;
    }

    /// <summary>
    /// Parses a decimal number (<c>[+-]digits[sep digits][e[+-]digits]</c>) exactly into an unscaled 128-bit integer at
    /// <paramref name="scale"/>.
    /// </summary>
    /// <param name="s">The text.</param>
    /// <param name="decimalSeparator">The decimal separator of the culture.</param>
    /// <param name="precision">The maximum number of digits.</param>
    /// <param name="scale">The number of digits after the decimal point.</param>
    /// <param name="value">The unscaled value (the number times 10^scale).</param>
    /// <param name="problem">Why the text does not fit, when it is a number but too large or too precise.</param>
    /// <returns>Whether the text is a number that fits.</returns>
    public static bool TryParseDecimal(ReadOnlySpan<char> s, string decimalSeparator, int precision, int scale, out Int128 value, out string? problem)
    {
        value = 0;
        problem = null;
        if (!TryScanDecimal(s, decimalSeparator, out var digits, out var exponent, out var negative, out var significant))
        {
            return false;
        }

        // The number is digits * 10^exponent; rescale it to the column scale.
        var shift = exponent + scale;
        if (shift < 0)
        {
            var drop = -shift;
            if (drop > 38 ? digits != 0 : digits % PowersOfTen[drop] != 0)
            {
                problem = $"has more than {scale} decimal places";
                return false;
            }

            digits = drop > 38 ? 0 : digits / PowersOfTen[drop];
        }
        else if (digits != 0)
        {
            if (significant + shift > 38)
            {
                problem = $"does not fit decimal128({precision}, {scale})";
                return false;
            }

            digits *= PowersOfTen[shift];
        }

        if (digits >= PowersOfTen[precision])
        {
            problem = $"does not fit decimal128({precision}, {scale})";
            return false;
        }

        value = negative ? -digits : digits;
        return true;
    }

    /// <summary>Scans a decimal number without an exponent, for schema inference.</summary>
    /// <param name="s">The text.</param>
    /// <param name="decimalSeparator">The decimal separator.</param>
    /// <param name="integerDigits">Significant digits before the separator.</param>
    /// <param name="fractionDigits">Digits after the separator.</param>
    /// <returns>Whether the text is a plain decimal number of at most 38 digits.</returns>
    public static bool TryMeasureDecimal(ReadOnlySpan<char> s, string decimalSeparator, out int integerDigits, out int fractionDigits)
    {
        integerDigits = fractionDigits = 0;
        if (s.IndexOfAny('e', 'E') >= 0 || !TryScanDecimal(s, decimalSeparator, out _, out var exponent, out _, out var significant))
        {
            return false;
        }

        fractionDigits = -exponent;
        integerDigits = Math.Max(0, significant - fractionDigits);
        return integerDigits + fractionDigits <= 38;
    }

    /// <summary>Converts a <see cref="decimal"/> exactly to an unscaled 128-bit integer at <paramref name="scale"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="precision">The maximum number of digits.</param>
    /// <param name="scale">The number of digits after the decimal point.</param>
    /// <param name="unscaled">The value times 10^scale.</param>
    /// <param name="problem">Why it does not fit.</param>
    /// <returns>Whether the value fits without losing digits.</returns>
    public static bool TryScaleDecimal(decimal value, int precision, int scale, out Int128 unscaled, out string? problem)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        var valueScale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        unscaled = 0;
        problem = null;
        if (valueScale > scale)
        {
            var divisor = PowersOfTen[valueScale - scale];
            if (mantissa % divisor != 0)
            {
                problem = $"has more than {scale} decimal places";
                return false;
            }

            mantissa /= divisor;
        }
        else if (valueScale < scale)
        {
            // mantissa < 2^96 < 10^29 and the target must stay below 10^38
            if (scale - valueScale > 38 || mantissa >= PowersOfTen[38 - (scale - valueScale)])
            {
                problem = $"does not fit decimal128({precision}, {scale})";
                return false;
            }

            mantissa *= PowersOfTen[scale - valueScale];
        }

        if (mantissa >= PowersOfTen[precision])
        {
            problem = $"does not fit decimal128({precision}, {scale})";
            return false;
        }

        unscaled = negative ? -mantissa : mantissa;
        return true;
    }

    /// <summary>Floor division (rounds towards negative infinity), so sub-unit precision never rounds a time up.</summary>
    /// <param name="value">The dividend.</param>
    /// <param name="divisor">The positive divisor.</param>
    /// <returns>The quotient.</returns>
    public static long FloorDivide(long value, long divisor)
    {
        var q = value / divisor;
        return (value % divisor) < 0 ? q - 1 : q;
    }

    /// <summary>Returns a short quotation of a value for messages.</summary>
    /// <param name="s">The text.</param>
    /// <returns><c>'text'</c>, cut at 64 characters.</returns>
    public static string Quote(ReadOnlySpan<char> s)
        => s.Length <= 64 ? $"'{s}'" : $"'{s[..64]}…' ({s.Length} characters)";

    /// <summary>Parses a boolean: true/false, 1/0, yes/no (any case).</summary>
    /// <param name="s">The text.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the text is a boolean.</returns>
    public static bool TryParseBoolean(ReadOnlySpan<char> s, out bool value)
    {
        if (s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("1") || s.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }

        value = false;
        return s.Equals("false", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("0") || s.Equals("no", StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryScanDecimal(ReadOnlySpan<char> s, string decimalSeparator, out Int128 digits, out int exponent, out bool negative, out int significant)
    {
        digits = 0;
        exponent = 0;
        significant = 0;
        negative = false;
        var i = 0;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
        {
            negative = s[i] == '-';
            i++;
        }

        var any = false;
        var inFraction = false;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c))
            {
                any = true;
                if (significant > 0 || c != '0')
                {
                    if (significant == 38)
                    {
                        return false;
                    }

                    digits = (digits * 10) + (c - '0');
                    significant++;
                }

                if (inFraction)
                {
                    exponent--;
                }

                i++;
            }
            else if (!inFraction && s[i..].StartsWith(decimalSeparator, StringComparison.Ordinal))
            {
                inFraction = true;
                i += decimalSeparator.Length;
            }
            else
            {
                break;
            }
        }

        if (!any)
        {
            return false;
        }

        if (i < s.Length)
        {
            if (s[i] != 'e' && s[i] != 'E')
            {
                return false;
            }

            if (!int.TryParse(s[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var e) || Math.Abs(e) > 1000)
            {
                return false;
            }

            exponent += e;
        }

        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private static bool Fail(out int value)
    {
        value = 0;
        return false;
    }

    private static Int128[] CreatePowersOfTen()
    {
        var powers = new Int128[39];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
