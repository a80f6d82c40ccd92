using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>A date/time parsed from ISO 8601 text.</summary>
internal struct ParsedDateTime
{
    /// <summary>Days since 1970-01-01 of the date as written.</summary>
    public long Days;

    /// <summary>Nanoseconds since midnight of the time as written (0 without a time).</summary>
    public long NanosOfDay;

    /// <summary>Whether the text had a UTC offset or <c>Z</c>.</summary>
    public bool HasOffset;

    /// <summary>The offset in seconds east of UTC (when <see cref="HasOffset"/>).</summary>
    public int OffsetSeconds;
}

/// <summary>Allocation-free ISO 8601 parsing and formatting over UTF-8 (invariant, proleptic Gregorian).</summary>
/// <remarks>
/// Dates: <c>YYYY-MM-DD</c> (years may have a sign and more than four digits). Timestamps: a date, optionally followed by
/// <c>T</c> or a space and <c>HH:MM[:SS[.fraction]]</c> (up to nine fractional digits), optionally followed by
/// <c>Z</c> or an offset <c>±HH[:MM]</c>. Leading and trailing white space is ignored.
/// </remarks>
internal static class Iso8601
{
    public static bool TryParseDate(ReadOnlySpan<byte> text, out long days)
    {
        text = Trim(text);
        var position = 0;
        if (!TryParseDatePart(text, ref position, out days))
        {
            return false;
        }

        return position == text.Length;
    }

    public static bool TryParseTimestamp(ReadOnlySpan<byte> text, out ParsedDateTime value)
    {
        value = default;
        text = Trim(text);
        var position = 0;
        if (!TryParseDatePart(text, ref position, out value.Days))
        {
            return false;
        }

        if (position == text.Length)
        {
            return true;
        }

        if (text[position] is (byte)'T' or (byte)'t' or (byte)' ')
        {
            position++;
            if (!TryDigits(text, ref position, 2, out var hour) || !Expect(text, ref position, (byte)':') || !TryDigits(text, ref position, 2, out var minute))
            {
                return false;
            }

            long second = 0;
            long nanos = 0;
            if (position < text.Length && text[position] == (byte)':')
            {
                position++;
                if (!TryDigits(text, ref position, 2, out second))
                {
                    return false;
                }

                if (position < text.Length && text[position] is (byte)'.' or (byte)',')
                {
                    position++;
                    var digits = 0;
                    while (position < text.Length && IsDigit(text[position]))
                    {
                        if (++digits > 9)
                        {
                            return false;
                        }

                        nanos = (nanos * 10) + (text[position++] - '0');
                    }

                    if (digits == 0)
                    {
                        return false;
                    }

                    for (var i = digits; i < 9; i++)
                    {
                        nanos *= 10;
                    }
                }
            }

            if (hour > 23 || minute > 59 || second > 59)
            {
                return false;
            }

            value.NanosOfDay = (((hour * 60) + minute) * 60 + second) * 1_000_000_000L + nanos;
        }

        if (position == text.Length)
        {
            return true;
        }

        if (text[position] is (byte)'Z' or (byte)'z')
        {
            value.HasOffset = true;
            return position + 1 == text.Length;
        }

        if (text[position] is (byte)'+' or (byte)'-')
        {
            var negative = text[position] == (byte)'-';
            position++;
            if (!TryDigits(text, ref position, 2, out var offsetHours))
            {
                return false;
            }

            long offsetMinutes = 0;
            if (position < text.Length)
            {
                if (text[position] == (byte)':')
                {
                    position++;
                }

                if (!TryDigits(text, ref position, 2, out offsetMinutes))
                {
                    return false;
                }
            }

            if (offsetHours > 18 || offsetMinutes > 59 || position != text.Length)
            {
                return false;
            }

            value.HasOffset = true;
            value.OffsetSeconds = (int)((offsetHours * 3600) + (offsetMinutes * 60)) * (negative ? -1 : 1);
            return true;
        }

        return false;
    }

    /// <summary>Writes <c>YYYY-MM-DD</c>; returns the bytes written (at most 16).</summary>
    public static int FormatDate(long days, Span<byte> destination)
    {
        var (year, month, day) = TemporalMath.CivilFromDays(days);
        var position = WriteYear(year, destination);
        destination[position++] = (byte)'-';
        position += Write2(month, destination[position..]);
        destination[position++] = (byte)'-';
        position += Write2(day, destination[position..]);
        return position;
    }

    /// <summary>
    /// Writes a timestamp as <c>YYYY-MM-DDTHH:MM:SS[.fraction]</c> with as many fractional digits as the unit has,
    /// followed by <c>Z</c> for UTC or <c>±HH:MM</c> for another zone. Returns the bytes written (at most 48).
    /// </summary>
    public static int FormatTimestamp(long value, TimeUnit unit, bool hasZone, TimeZoneInfo? zone, Span<byte> destination)
    {
        var offsetSeconds = 0L;
        if (zone is not null && TemporalMath.TryToTicks(value, unit, out var utcTicks))
        {
            offsetSeconds = (long)TemporalMath.OffsetAt(zone, utcTicks).TotalSeconds;
        }

        var perSecond = TemporalMath.UnitsPerSecond(unit);
        var local = value + (offsetSeconds * perSecond);
        var days = TemporalMath.FloorDiv(local, TemporalMath.UnitsPerDay(unit), out var inDay);
        var position = FormatDate(days, destination);
        destination[position++] = (byte)'T';
        var seconds = inDay / perSecond;
        var fraction = inDay % perSecond;
        position += Write2((int)(seconds / 3600), destination[position..]);
        destination[position++] = (byte)':';
        position += Write2((int)(seconds / 60 % 60), destination[position..]);
        destination[position++] = (byte)':';
        position += Write2((int)(seconds % 60), destination[position..]);
        if (perSecond > 1)
        {
            destination[position++] = (byte)'.';
            var digits = unit switch { TimeUnit.Millisecond => 3, TimeUnit.Microsecond => 6, _ => 9 };
            for (var i = digits - 1; i >= 0; i--)
            {
                destination[position + i] = (byte)('0' + (fraction % 10));
                fraction /= 10;
            }

            position += digits;
        }

        if (hasZone)
        {
            if (zone is null)
            {
                destination[position++] = (byte)'Z';
            }
            else
            {
                destination[position++] = offsetSeconds < 0 ? (byte)'-' : (byte)'+';
                var minutes = Math.Abs(offsetSeconds) / 60;
                position += Write2((int)(minutes / 60), destination[position..]);
                destination[position++] = (byte)':';
                position += Write2((int)(minutes % 60), destination[position..]);
            }
        }

        return position;
    }

    private static int WriteYear(long year, Span<byte> destination)
    {
        var position = 0;
        if (year is >= 0 and <= 9999)
        {
            destination[0] = (byte)('0' + (year / 1000));
            destination[1] = (byte)('0' + (year / 100 % 10));
            destination[2] = (byte)('0' + (year / 10 % 10));
            destination[3] = (byte)('0' + (year % 10));
            return 4;
        }

        destination[position++] = year < 0 ? (byte)'-' : (byte)'+';
        var magnitude = Math.Abs(year);
        Span<byte> digits = stackalloc byte[20];
        var count = 0;
        do
        {
            digits[count++] = (byte)('0' + (magnitude % 10));
            magnitude /= 10;
        }
        while (magnitude > 0);

        for (var i = count; i < 4; i++)
        {
            destination[position++] = (byte)'0';
        }

        for (var i = count - 1; i >= 0; i--)
        {
            destination[position++] = digits[i];
        }

        return position;
    }

    private static int Write2(int value, Span<byte> destination)
    {
        destination[0] = (byte)('0' + (value / 10));
        destination[1] = (byte)('0' + (value % 10));
        return 2;
    }

    private static bool TryParseDatePart(ReadOnlySpan<byte> text, ref int position, out long days)
    {
        days = 0;
        var negative = false;
        if (position < text.Length && text[position] is (byte)'+' or (byte)'-')
        {
            negative = text[position] == (byte)'-';
            position++;
        }

        var start = position;
        long year = 0;
        while (position < text.Length && IsDigit(text[position]))
        {
            if (position - start >= 9)
            {
                return false;
            }

            year = (year * 10) + (text[position++] - '0');
        }

        if (position - start < 4)
        {
            return false;
        }

        if (negative)
        {
            year = -year;
        }

        if (!Expect(text, ref position, (byte)'-') || !TryDigits(text, ref position, 2, out var month) || !Expect(text, ref position, (byte)'-') || !TryDigits(text, ref position, 2, out var day))
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > TemporalMath.DaysInMonth(year, (int)month))
        {
            return false;
        }

        days = TemporalMath.DaysFromCivil(year, (int)month, (int)day);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, ref int position, int count, out long value)
    {
        value = 0;
        if (position + count > text.Length)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var c = text[position + i];
            if (!IsDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        position += count;
        return true;
    }

    private static bool Expect(ReadOnlySpan<byte> text, ref int position, byte expected)
    {
        if (position < text.Length && text[position] == expected)
        {
            position++;
            return true;
        }

        return false;
    }

    private static bool IsDigit(byte c) => c is >= (byte)'0' and <= (byte)'9';

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsSpace(text[start]))
        {
            start++;
        }

        while (end > start && IsSpace(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
