using System.Globalization;
using CsCheck;

namespace DataEng.Core.Tests.Incremental;

public class SqliteTextTimestampTests
{
    private static readonly long Origin = new DateTime(2026, 3, 1).Ticks;

    [Theory]
    [InlineData("2026-03-01 10:00:00", ' ', 0, "")]
    [InlineData("2026-03-01T10:00:00.123Z", 'T', 3, "Z")]
    [InlineData("2026-03-01 10:00:00.1234567+02:00", ' ', 7, "+02:00")]
    [InlineData("2026-03-01", ' ', 7, "")]
    public void Detect_StoredText_FindsSeparatorDigitsAndSuffix(string text, char separator, int digits, string suffix)
    {
        var layout = SqliteTextTimestamp.Detect(text);

        Assert.Equal(separator, layout.Separator);
        Assert.Equal(digits, layout.FractionDigits);
        Assert.Equal(suffix, layout.Suffix);
    }

    [Theory]
    [InlineData(0, false, "2026-03-01")]
    [InlineData(10 * TimeSpan.TicksPerHour, false, "2026-03-01 10:00")]
    [InlineData((10 * TimeSpan.TicksPerHour) + 5_000_000, false, "2026-03-01 10:00:00.5")]
    [InlineData((10 * TimeSpan.TicksPerHour) + 5_000_000, true, "2026-03-01 10:00:00.5000009999999999")]
    public void Format_WithoutSuffix_IsTheShortestLowerAndAPaddedUpperBound(long time, bool upper, string expected)
        => Assert.Equal(expected, SqliteTextTimestamp.Detect("2026-03-01 00:00:00.1").Format(Origin + time, upper));

    [Fact]
    public void Format_WithOffsetSuffix_WritesTheLocalTimeWithTheStoredDigitsAndOffset()
    {
        var layout = SqliteTextTimestamp.Detect("2026-03-01T00:00:00.00+02:00");
        var utc = Origin + (10 * TimeSpan.TicksPerHour) + 1_234_567;

        Assert.Equal("2026-03-01T12:00:00.13+02:00", layout.Format(utc, upper: false));
        Assert.Equal("2026-03-01T12:00:00.12+02:00", layout.Format(utc, upper: true));
    }

    /// <summary>Without a suffix, any text layout of an instant compares (ordinally, as SQLite does) against the bounds
    /// exactly as the instant compares against the bound's microsecond.</summary>
    [Fact]
    public void Format_WithoutSuffix_ComparesLikeTheInstantForEveryLayoutOfTheData()
    {
        var instant = Gen.Long[0, 3 * TimeSpan.TicksPerSecond];
        Gen.Select(instant, instant, Gen.Int[0, 4], Gen.Bool).Sample((boundOffset, valueOffset, layout, tSeparator) =>
        {
            var bound = Origin + (boundOffset / 10 * 10); // bounds are microseconds (the Arrow unit)
            var value = Origin + valueOffset;
            var format = SqliteTextTimestamp.Detect(tSeparator ? "2026-03-01T00:00:00" : "2026-03-01 00:00:00");
            var text = Text(value, layout, format.Separator);

            Assert.Equal(value >= bound, string.CompareOrdinal(text, format.Format(bound, upper: false)) >= 0);
            Assert.Equal(value / 10 * 10 <= bound, string.CompareOrdinal(text, format.Format(bound, upper: true)) <= 0);
        });
    }

    /// <summary>With a suffix, values with the stored number of digits compare against the bounds like the instant.</summary>
    [Fact]
    public void Format_WithZSuffix_ComparesLikeTheInstantForTheStoredDigits()
    {
        Gen.Select(Gen.Long[0, 3 * TimeSpan.TicksPerSecond], Gen.Long[0, 3000], Gen.Int[0, 7]).Sample((boundOffset, valueMs, digits) =>
        {
            var bound = Origin + (boundOffset / 10 * 10);
            var step = (long)Math.Pow(10, 7 - digits);
            var value = Origin + (valueMs * TimeSpan.TicksPerMillisecond / step * step);
            var fraction = digits == 0 ? string.Empty : "." + ((value % TimeSpan.TicksPerSecond) / step).ToString("D" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            var text = new DateTime(value).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + fraction + "Z";
            var format = SqliteTextTimestamp.Detect(text);

            Assert.Equal(value >= bound, string.CompareOrdinal(text, format.Format(bound, upper: false)) >= 0);
            Assert.Equal(value <= bound, string.CompareOrdinal(text, format.Format(bound, upper: true)) <= 0);
        });
    }

    private static string Text(long ticks, int layout, char separator)
    {
        var value = new DateTime(ticks);
        var fraction = (ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture);
        var seconds = value.ToString("yyyy-MM-dd'" + separator + "'HH:mm:ss", CultureInfo.InvariantCulture);
        return layout switch
        {
            0 => seconds + (fraction.TrimEnd('0') is { Length: > 0 } f ? "." + f : string.Empty),
            1 => seconds + "." + fraction,
            2 => seconds + "." + fraction + "00",
            3 => ticks % TimeSpan.TicksPerMinute == 0 ? value.ToString("yyyy-MM-dd'" + separator + "'HH:mm", CultureInfo.InvariantCulture) : seconds + "." + fraction,
            _ => ticks % TimeSpan.TicksPerDay == 0 ? value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : seconds + "." + fraction + "0",
        };
    }
}
