using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Scalar helpers of the partition transforms: calendar arithmetic, time zones, truncation, Iceberg buckets
/// and the text of partition values.</summary>
internal static class PartitionTransforms
{
    /// <summary>Days from 0001-01-01 to 1970-01-01 (for <see cref="DateOnly.FromDayNumber"/>).</summary>
    public const int UnixEpochDayNumber = 719162;

    /// <summary>Returns how many units of <paramref name="unit"/> make one second.</summary>
    public static long UnitsPerSecond(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => 1,
        TimeUnit.Millisecond => 1_000,
        TimeUnit.Microsecond => 1_000_000,
        _ => 1_000_000_000,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FloorDiv(long value, long divisor)
    {
        var q = value / divisor;
        return (value % divisor != 0 && ((value < 0) ^ (divisor < 0))) ? q - 1 : q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FloorMod(long value, long divisor)
    {
        var m = value % divisor;
        return m != 0 && ((m < 0) ^ (divisor < 0)) ? m + divisor : m;
    }

    /// <summary>Iceberg's bucket of a 64-bit value: <c>(murmur3_32(le bytes) &amp; int.MaxValue) % count</c>.</summary>
    public static int BucketOf(long value, int count) => (int)((StableHash.Murmur3_32(value) & int.MaxValue) % (uint)count);

    /// <summary>Iceberg's bucket of bytes (strings as UTF-8).</summary>
    public static int BucketOf(ReadOnlySpan<byte> value, int count) => (int)((StableHash.Murmur3_32(value) & int.MaxValue) % (uint)count);

    /// <summary>Returns the byte length of the first <paramref name="width"/> code points of UTF-8 text.</summary>
    public static int TruncateUtf8(ReadOnlySpan<byte> utf8, int width)
    {
        var seen = 0;
        for (var i = 0; i < utf8.Length; i++)
        {
            // Every byte that is not a continuation byte (10xxxxxx) starts a code point.
            if ((utf8[i] & 0xC0) != 0x80)
            {
                if (seen == width)
                {
                    return i;
                }

                seen++;
            }
        }

        return utf8.Length;
    }

    /// <summary>Formats days since 1970-01-01 as <c>yyyy-MM-dd</c>.</summary>
    public static string FormatDay(long days) => DayToDate(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Formats a month ordinal (<c>year * 12 + month - 1</c>) as <c>yyyy-MM</c>.</summary>
    public static string FormatMonth(long ordinal)
    {
        var year = FloorDiv(ordinal, 12);
        var month = FloorMod(ordinal, 12) + 1;
        return year.ToString("D4", CultureInfo.InvariantCulture) + "-" + month.ToString("D2", CultureInfo.InvariantCulture);
    }

    /// <summary>Formats hours since 1970-01-01T00 as <c>yyyy-MM-dd-HH</c> (Iceberg's human form).</summary>
    public static string FormatHour(long hours)
    {
        var days = FloorDiv(hours, 24);
        var hour = FloorMod(hours, 24);
        return FormatDay(days) + "-" + hour.ToString("D2", CultureInfo.InvariantCulture);
    }

    /// <summary>Formats a timestamp as <c>yyyy-MM-dd HH:mm:ss[.fraction]</c> (fraction without trailing zeros).</summary>
    public static string FormatTimestamp(long value, TimeUnit unit)
    {
        var perSecond = UnitsPerSecond(unit);
        var seconds = FloorDiv(value, perSecond);
        var fraction = FloorMod(value, perSecond);
        var days = FloorDiv(seconds, 86_400);
        var secondOfDay = FloorMod(seconds, 86_400);
        var builder = new StringBuilder(32);
        builder.Append(FormatDay(days));
        builder.Append(' ');
        builder.Append((secondOfDay / 3600).ToString("D2", CultureInfo.InvariantCulture));
        builder.Append(':');
        builder.Append((secondOfDay / 60 % 60).ToString("D2", CultureInfo.InvariantCulture));
        builder.Append(':');
        builder.Append((secondOfDay % 60).ToString("D2", CultureInfo.InvariantCulture));
        if (fraction != 0)
        {
            var digits = unit switch
            {
                TimeUnit.Millisecond => 3,
                TimeUnit.Microsecond => 6,
                _ => 9,
            };
            var text = fraction.ToString("D" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).TrimEnd('0');
            builder.Append('.').Append(text);
        }

        return builder.ToString();
    }

    /// <summary>Parses <see cref="FormatTimestamp"/>'s output back to a value in <paramref name="unit"/>.</summary>
    public static bool TryParseTimestamp(string text, TimeUnit unit, out long value)
    {
        value = 0;
        if (text.Length < 19 || text[10] != ' ' || !DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || !int.TryParse(text.AsSpan(11, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(text.AsSpan(14, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || !int.TryParse(text.AsSpan(17, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        var perSecond = UnitsPerSecond(unit);
        long fraction = 0;
        if (text.Length > 19)
        {
            if (text[19] != '.')
            {
                return false;
            }

            var digits = text.AsSpan(20);
            var maxDigits = (int)Math.Log10(perSecond);
            if (digits.Length == 0 || digits.Length > maxDigits || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out fraction))
            {
                return false;
            }

            for (var i = digits.Length; i < maxDigits; i++)
            {
                fraction *= 10;
            }
        }

        var days = (long)date.DayNumber - UnixEpochDayNumber;
        value = ((((days * 24) + h) * 60 + m) * 60 + s) * perSecond + fraction;
        return true;
    }

    public static DateOnly DayToDate(long days)
    {
        var dayNumber = days + UnixEpochDayNumber;
        if (dayNumber is < 0 or > 3_652_058)
        {
            throw new ArgumentOutOfRangeException(nameof(days), days, "The date is outside the years 1 to 9999.");
        }

        return DateOnly.FromDayNumber((int)dayNumber);
    }

    /// <summary>Returns the month ordinal (<c>year * 12 + month - 1</c>) of days since 1970-01-01.</summary>
    public static long MonthOfDay(long days)
    {
        var date = DayToDate(days);
        return (date.Year * 12L) + date.Month - 1;
    }

    /// <summary>Returns the year of days since 1970-01-01.</summary>
    public static long YearOfDay(long days) => DayToDate(days).Year;

    /// <summary>Writes a 64-bit integer as little-endian bytes (the form Iceberg hashes).</summary>
    public static void WriteLong(Span<byte> destination, long value) => BinaryPrimitives.WriteInt64LittleEndian(destination, value);
}

/// <summary>
/// Converts instants to local wall-clock time in a zone, fast: the offset is cached per UTC hour and only looked up
/// again for the next hour, or per value inside an hour that contains a transition (DST-safe).
/// </summary>
internal sealed class ZoneClock
{
    private readonly TimeZoneInfo _zone;
    private readonly long _unitsPerSecond;
    private readonly long _unitsPerHour;
    private long _cachedHour = long.MinValue;
    private long _cachedOffset;
    private bool _cachedUniform;

    public ZoneClock(TimeZoneInfo zone, TimeUnit unit)
    {
        _zone = zone;
        _unitsPerSecond = PartitionTransforms.UnitsPerSecond(unit);
        _unitsPerHour = _unitsPerSecond * 3600;
    }

    /// <summary>Returns the local wall-clock value (same unit) of a UTC instant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ToLocal(long utc)
    {
        var hour = PartitionTransforms.FloorDiv(utc, _unitsPerHour);
        if (hour != _cachedHour)
        {
            Refresh(hour);
        }

        return utc + (_cachedUniform ? _cachedOffset : OffsetAt(utc));
    }

    private void Refresh(long hour)
    {
        var start = hour * _unitsPerHour;
        var first = OffsetAt(start);
        var last = OffsetAt(start + _unitsPerHour - 1);
        _cachedHour = hour;
        _cachedOffset = first;
        _cachedUniform = first == last;
    }

    private long OffsetAt(long utc)
    {
        // Throws ArgumentOutOfRangeException / OverflowException outside the years 1 to 9999 (the caller reports it).
        var ticks = checked(_unitsPerSecond switch
        {
            1 => utc * TimeSpan.TicksPerSecond,
            1_000 => utc * TimeSpan.TicksPerMillisecond,
            1_000_000 => utc * 10,
            _ => PartitionTransforms.FloorDiv(utc, 100),
        });
        var instant = new DateTime(checked(DateTime.UnixEpoch.Ticks + ticks), DateTimeKind.Utc);
        var offset = _zone.GetUtcOffset(instant);
        return offset.Ticks / TimeSpan.TicksPerSecond * _unitsPerSecond;
    }
}
