using System.Globalization;
using System.Text;

namespace DataEng.Core;

/// <summary>
/// The text layout of a SQLite column that stores timestamps as ISO-8601 text (declared <c>DATETIME</c>,
/// <c>TIMESTAMP</c>…), detected from one stored value, and the bound texts that compare correctly against it.
/// </summary>
/// <remarks>
/// <para>SQLite compares text byte by byte, so a bound is bound as text formatted like the data (never through
/// <c>julianday()</c>/<c>datetime()</c>, which would stop the index on the cursor from being used).</para>
/// <para>Without a zone suffix, byte order is time order for any number of fraction digits, as long as the column
/// uses one date/time separator: a shorter text is a prefix of the same instant written longer. The lower bound is
/// then the shortest text of its instant (every text of that instant or later sorts at or above it) and the upper
/// bound the instant's microseconds followed by nines (every text that floors to that microsecond sorts at or below
/// it), so mixed fraction digits are safe.</para>
/// <para>With a suffix (<c>Z</c> or one fixed offset), a suffix character sorts above the digits, so only texts with
/// the same number of fraction digits sort in time order; bounds are then written exactly like the detected value
/// (same digits, same suffix), the lower one rounded up and the upper one rounded down to those digits.</para>
/// </remarks>
internal sealed class SqliteTextTimestamp
{
    private const string UpperPadding = "9999999999";

    private SqliteTextTimestamp(char separator, int fractionDigits, string suffix, long offsetTicks)
    {
        Separator = separator;
        FractionDigits = fractionDigits;
        Suffix = suffix;
        OffsetTicks = offsetTicks;
    }

    /// <summary>Gets the separator of date and time (a space or <c>T</c>).</summary>
    public char Separator { get; }

    /// <summary>Gets the number of fraction digits of the detected value.</summary>
    public int FractionDigits { get; }

    /// <summary>Gets the zone suffix of the detected value (empty, <c>Z</c> or an offset such as <c>+02:00</c>).</summary>
    public string Suffix { get; }

    /// <summary>Gets the offset of <see cref="Suffix"/> in ticks (0 for none or <c>Z</c>).</summary>
    public long OffsetTicks { get; }

    /// <summary>The layout of values written by Microsoft.Data.Sqlite from a <see cref="DateTime"/>.</summary>
    public static SqliteTextTimestamp Default { get; } = new(' ', 7, string.Empty, 0);

    /// <summary>Detects the layout of a stored value that <see cref="TextValueParser.TryParseIsoTimestamp"/> accepts.</summary>
    /// <param name="text">The stored text.</param>
    /// <returns>The layout.</returns>
    public static SqliteTextTimestamp Detect(string text)
    {
        var s = text.AsSpan().Trim();
        if (s.Length <= 10)
        {
            return Default;
        }

        var separator = s[10] == 't' ? 'T' : s[10];
        var i = 16;
        if (i < s.Length && s[i] == ':')
        {
            i += 3;
        }

        var digits = 0;
        if (i < s.Length && (s[i] == '.' || s[i] == ','))
        {
            i++;
            while (i + digits < s.Length && char.IsAsciiDigit(s[i + digits]))
            {
                digits++;
            }

            i += digits;
        }

        var suffix = i < s.Length ? s[i..].ToString() : string.Empty;
        long offset = 0;
        if (suffix.Length > 1 && (suffix[0] == '+' || suffix[0] == '-'))
        {
            var hours = int.Parse(suffix.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture);
            var minutes = suffix.Length switch
            {
                5 => int.Parse(suffix.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture),
                6 => int.Parse(suffix.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture),
                _ => 0,
            };
            offset = (hours * TimeSpan.TicksPerHour) + (minutes * TimeSpan.TicksPerMinute);
            offset = suffix[0] == '-' ? -offset : offset;
        }

        return new SqliteTextTimestamp(separator, digits, suffix, offset);
    }

    /// <summary>Formats an inclusive bound.</summary>
    /// <param name="utcTicks">The bound's instant (a <see cref="DateTime.Ticks"/> value; UTC when the column has a suffix),
    /// at the column's Arrow resolution.</param>
    /// <param name="upper">Whether this is the upper bound (<c>&lt;=</c>) rather than the lower one (<c>&gt;=</c>).</param>
    /// <returns>The text to bind.</returns>
    public string Format(long utcTicks, bool upper)
    {
        var text = new StringBuilder(40);
        if (Suffix.Length == 0)
        {
            if (upper)
            {
                AppendDateTime(text, utcTicks);
                text.Append('.').Append(((utcTicks % TimeSpan.TicksPerSecond) / 10).ToString("D6", CultureInfo.InvariantCulture)).Append(UpperPadding);
                return text.ToString();
            }

            return Shortest(utcTicks);
        }

        var digits = Math.Min(FractionDigits, 7);
        var step = (long)Math.Pow(10, 7 - digits);
        var local = utcTicks + OffsetTicks;
        local = upper ? FloorTo(local, step) : CeilingTo(local, step);
        AppendDateTime(text, local);
        if (FractionDigits > 0)
        {
            var fraction = ((local % TimeSpan.TicksPerSecond) / step).ToString("D" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            text.Append('.').Append(fraction).Append('0', FractionDigits - digits);
        }

        return text.Append(Suffix).ToString();
    }

    private string Shortest(long ticks)
    {
        var date = new DateTime(ticks, DateTimeKind.Unspecified);
        var text = new StringBuilder(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), 40);
        var time = ticks % TimeSpan.TicksPerDay;
        if (time == 0)
        {
            return text.ToString();
        }

        text.Append(Separator).Append(date.ToString("HH:mm", CultureInfo.InvariantCulture));
        if (time % TimeSpan.TicksPerMinute != 0)
        {
            text.Append(':').Append(date.ToString("ss", CultureInfo.InvariantCulture));
            var fraction = time % TimeSpan.TicksPerSecond;
            if (fraction != 0)
            {
                text.Append('.').Append(fraction.ToString("D7", CultureInfo.InvariantCulture).TrimEnd('0'));
            }
        }

        return text.ToString();
    }

    private void AppendDateTime(StringBuilder text, long ticks)
    {
        var date = new DateTime(ticks, DateTimeKind.Unspecified);
        text.Append(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(Separator).Append(date.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
    }

    private static long FloorTo(long value, long step) => value - (value % step);

    private static long CeilingTo(long value, long step) => value % step == 0 ? value : value - (value % step) + step;
}
