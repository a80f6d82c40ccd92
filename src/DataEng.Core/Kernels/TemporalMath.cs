using System.Collections.Concurrent;
using System.Globalization;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Calendar and time-unit arithmetic for date32 and timestamp values (proleptic Gregorian, no DateTime range limits).</summary>
internal static class TemporalMath
{
    public const long UnixEpochTicks = 621355968000000000L;
    public const int UnixEpochDayNumber = 719162;

    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Zones = new(StringComparer.Ordinal);

    /// <summary>Returns how many units make one second.</summary>
    public static long UnitsPerSecond(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => 1,
        TimeUnit.Millisecond => 1_000,
        TimeUnit.Microsecond => 1_000_000,
        _ => 1_000_000_000,
    };

    public static long UnitsPerDay(TimeUnit unit) => 86_400 * UnitsPerSecond(unit);

    /// <summary>Returns how many nanoseconds make one unit.</summary>
    public static long NanosPerUnit(TimeUnit unit) => 1_000_000_000 / UnitsPerSecond(unit);

    /// <summary>Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).</summary>
    public static long DaysFromCivil(long year, int month, int day)
    {
        year -= month <= 2 ? 1 : 0;
        var era = (year >= 0 ? year : year - 399) / 400;
        var yearOfEra = year - (era * 400);
        var dayOfYear = ((153 * (month + (month > 2 ? -3 : 9))) + 2) / 5 + day - 1;
        var dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146097) + dayOfEra - 719468;
    }

    /// <summary>The civil date of a count of days since 1970-01-01.</summary>
    public static (long Year, int Month, int Day) CivilFromDays(long days)
    {
        days += 719468;
        var era = (days >= 0 ? days : days - 146096) / 146097;
        var dayOfEra = days - (era * 146097);
        var yearOfEra = (dayOfEra - (dayOfEra / 1460) + (dayOfEra / 36524) - (dayOfEra / 146096)) / 365;
        var year = yearOfEra + (era * 400);
        var dayOfYear = dayOfEra - ((365 * yearOfEra) + (yearOfEra / 4) - (yearOfEra / 100));
        var mp = ((5 * dayOfYear) + 2) / 153;
        var day = (int)(dayOfYear - (((153 * mp) + 2) / 5) + 1);
        var month = (int)(mp < 10 ? mp + 3 : mp - 9);
        return (month <= 2 ? year + 1 : year, month, day);
    }

    public static int DaysInMonth(long year, int month) => month switch
    {
        2 => (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    /// <summary>Floor division and modulo (the remainder has the sign of the divisor).</summary>
    public static long FloorDiv(long value, long divisor, out long remainder)
    {
        var quotient = Math.DivRem(value, divisor, out remainder);
        if (remainder < 0)
        {
            quotient--;
            remainder += divisor;
        }

        return quotient;
    }

    /// <summary>Converts a timestamp value to .NET ticks since 0001-01-01 (floor for nanoseconds); false when outside
    /// the DateTime range.</summary>
    public static bool TryToTicks(long value, TimeUnit unit, out long ticks)
    {
        ticks = 0;
        long sinceEpoch;
        switch (unit)
        {
            case TimeUnit.Nanosecond:
                sinceEpoch = FloorDiv(value, 100, out _);
                break;
            default:
                var ticksPerUnit = 10_000_000 / UnitsPerSecond(unit);
                if (value > long.MaxValue / ticksPerUnit || value < long.MinValue / ticksPerUnit)
                {
                    return false;
                }

                sinceEpoch = value * ticksPerUnit;
                break;
        }

        if (sinceEpoch > DateTime.MaxValue.Ticks - UnixEpochTicks || sinceEpoch < -UnixEpochTicks)
        {
            return false;
        }

        ticks = sinceEpoch + UnixEpochTicks;
        return true;
    }

    /// <summary>Converts .NET ticks since 0001-01-01 to a timestamp value; <paramref name="exact"/> is false when
    /// the ticks had a finer precision than the unit (the value is then rounded down). False on overflow.</summary>
    public static bool TryFromTicks(long ticks, TimeUnit unit, out long value, out bool exact)
    {
        var sinceEpoch = ticks - UnixEpochTicks;
        exact = true;
        switch (unit)
        {
            case TimeUnit.Nanosecond:
                value = 0;
                if (sinceEpoch > long.MaxValue / 100 || sinceEpoch < long.MinValue / 100)
                {
                    return false;
                }

                value = sinceEpoch * 100;
                return true;
            default:
                var ticksPerUnit = 10_000_000 / UnitsPerSecond(unit);
                value = FloorDiv(sinceEpoch, ticksPerUnit, out var remainder);
                exact = remainder == 0;
                return true;
        }
    }

    /// <summary>
    /// Resolves an Arrow time zone string: <see langword="null"/> for no zone or UTC, a fixed offset
    /// (<c>+02:00</c>), or an IANA/Windows id. Returns false for an unknown zone.
    /// </summary>
    public static bool TryResolveZone(string? timezone, out TimeZoneInfo? zone)
    {
        zone = null;
        if (IsUtc(timezone))
        {
            return true;
        }

        zone = Zones.GetOrAdd(timezone!, static id =>
        {
            if (TryParseOffset(id, out var offset))
            {
                return TimeZoneInfo.CreateCustomTimeZone(id, offset, id, id);
            }

            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                return null;
            }
        });
        return zone is not null;
    }

    /// <summary>Returns whether a time zone string means UTC (or no zone at all).</summary>
    public static bool IsUtc(string? timezone)
        => string.IsNullOrEmpty(timezone) || timezone is "UTC" or "utc" or "Z" or "Etc/UTC" or "+00:00" or "-00:00" or "GMT" or "Etc/GMT";

    /// <summary>The UTC offset of a zone at a UTC instant given as ticks.</summary>
    public static TimeSpan OffsetAt(TimeZoneInfo zone, long utcTicks) => zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc));

    /// <summary>The UTC offset that applies to a local wall-clock time given as ticks (ambiguous and invalid times
    /// are resolved as <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> does).</summary>
    public static TimeSpan OffsetOfLocal(TimeZoneInfo zone, long localTicks) => zone.GetUtcOffset(new DateTime(localTicks, DateTimeKind.Unspecified));

    private static bool TryParseOffset(string text, out TimeSpan offset)
    {
        offset = default;
        if (text.Length is not (6 or 5) || (text[0] != '+' && text[0] != '-'))
        {
            return false;
        }

        var body = text.AsSpan(1);
        var colon = body.Length == 5;
        if (colon && body[2] != ':')
        {
            return false;
        }

        if (!int.TryParse(body[..2], NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !int.TryParse(body[(colon ? 3 : 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            || hours > 14 || minutes > 59)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0);
        if (text[0] == '-')
        {
            offset = -offset;
        }

        return true;
    }
}
