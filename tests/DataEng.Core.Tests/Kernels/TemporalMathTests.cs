using System.Text;
using Apache.Arrow.Types;
using CsCheck;

namespace DataEng.Core.Tests.Kernels;

public class TemporalMathTests
{
    [Fact]
    public void CivilDays_AgreeWithDateOnlyOverItsWholeRange()
        => Gen.Int[DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber].Sample(dayNumber =>
        {
            var date = DateOnly.FromDayNumber(dayNumber);
            var days = TemporalMath.DaysFromCivil(date.Year, date.Month, date.Day);
            Assert.Equal(dayNumber - 719162, days);
            Assert.Equal(((long)date.Year, date.Month, date.Day), TemporalMath.CivilFromDays(days));
        }, iter: 1000);

    [Fact]
    public void CivilDays_RoundTripFarOutsideDateOnly()
        => Gen.Long[-1_000_000_000, 1_000_000_000].Sample(days =>
        {
            var (year, month, day) = TemporalMath.CivilFromDays(days);
            Assert.Equal(days, TemporalMath.DaysFromCivil(year, month, day));
        }, iter: 1000);

    [Theory]
    [InlineData(TimeUnit.Nanosecond, -1L, 621355967999999999L, true)]
    [InlineData(TimeUnit.Microsecond, 1L, 621355968000000010L, true)]
    [InlineData(TimeUnit.Second, long.MaxValue, 0L, false)]
    public void TryToTicks_RoundsNanosecondsDownAndRejectsOutOfRange(TimeUnit unit, long value, long ticks, bool ok)
    {
        Assert.Equal(ok, TemporalMath.TryToTicks(value, unit, out var actual));
        if (ok)
        {
            Assert.Equal(ticks, actual);
        }
    }

    [Theory]
    [InlineData("2024-02-29", 19782L)]
    [InlineData(" 1970-01-01 ", 0L)]
    [InlineData("1969-12-31", -1L)]
    [InlineData("+12345-01-01", 3_789_391L)]
    public void ParseDate_Valid(string text, long days)
    {
        Assert.True(Iso8601.TryParseDate(Encoding.UTF8.GetBytes(text), out var actual));
        Assert.Equal(days, actual);
    }

    [Theory]
    [InlineData("2023-02-29")]
    [InlineData("2024-1-01")]
    [InlineData("2024-01-01x")]
    [InlineData("")]
    public void ParseDate_Invalid(string text) => Assert.False(Iso8601.TryParseDate(Encoding.UTF8.GetBytes(text), out _));

    [Theory]
    [InlineData("2024-01-01T00:00:00.5", 500_000_000L, false, 0)]
    [InlineData("2024-01-01 23:59:59,123456789-08:00", 86_399_123_456_789L, true, -28800)]
    [InlineData("2024-01-01T10:15+0530", 36_900_000_000_000L, true, 19800)]
    [InlineData("2024-01-01t10:15:00z", 36_900_000_000_000L, true, 0)]
    public void ParseTimestamp_Valid(string text, long nanosOfDay, bool hasOffset, int offsetSeconds)
    {
        Assert.True(Iso8601.TryParseTimestamp(Encoding.UTF8.GetBytes(text), out var parsed));
        Assert.Equal(19723, parsed.Days);
        Assert.Equal(nanosOfDay, parsed.NanosOfDay);
        Assert.Equal(hasOffset, parsed.HasOffset);
        Assert.Equal(offsetSeconds, parsed.OffsetSeconds);
    }

    [Theory]
    [InlineData("2024-01-01T")]
    [InlineData("2024-01-01T10")]
    [InlineData("2024-01-01T10:60")]
    [InlineData("2024-01-01T10:00:00.")]
    [InlineData("2024-01-01T10:00:00.1234567890")]
    [InlineData("2024-01-01T10:00:00+1")]
    public void ParseTimestamp_Invalid(string text) => Assert.False(Iso8601.TryParseTimestamp(Encoding.UTF8.GetBytes(text), out _));

    [Fact]
    public void FormatTimestamp_FarFromTheEpoch_UsesExpandedYears()
    {
        Span<byte> buffer = stackalloc byte[64];
        var length = Iso8601.FormatTimestamp(-100_000_000_000L, TimeUnit.Second, hasZone: false, zone: null, buffer);

        Assert.Equal("-1199-02-15T14:13:20", Encoding.ASCII.GetString(buffer[..length]));
    }
}
