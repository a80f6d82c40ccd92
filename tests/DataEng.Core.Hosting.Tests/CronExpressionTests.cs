using CsCheck;

namespace DataEng.Core.Hosting.Tests;

public class CronExpressionTests
{
    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("*/15 * * * *", "2024-05-01T10:07:00Z", "2024-05-01T10:15:00Z")]
    [InlineData("*/15 * * * *", "2024-05-01T10:15:00Z", "2024-05-01T10:30:00Z")]
    [InlineData("0 9 * * MON-FRI", "2024-05-03T10:00:00Z", "2024-05-06T09:00:00Z")]
    [InlineData("0 0 1,15 * *", "2024-05-02T00:00:00Z", "2024-05-15T00:00:00Z")]
    [InlineData("30 6 * JAN,jul *", "2024-02-01T00:00:00Z", "2024-07-01T06:30:00Z")]
    [InlineData("0 12 * * 7", "2024-05-01T00:00:00Z", "2024-05-05T12:00:00Z")]
    [InlineData("5/20 1-3 * * *", "2024-05-01T02:46:00Z", "2024-05-01T03:05:00Z")]
    [InlineData("0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 13 * FRI", "2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z")]
    [InlineData("0 0 13 * FRI", "2024-05-10T01:00:00Z", "2024-05-13T00:00:00Z")]
    [InlineData("0 0 */10 * *", "2024-05-01T01:00:00Z", "2024-05-11T00:00:00Z")]
    public void GetNextOccurrence_Utc(string expression, string after, string expected)
    {
        var next = CronExpression.Parse(expression).GetNextOccurrence(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Fact]
    public void GetNextOccurrence_InATimeZone_UsesLocalWallClock()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

        var next = CronExpression.Parse("0 8 * * *").GetNextOccurrence(Utc(2024, 7, 1, 12, 0), paris);

        Assert.Equal(new DateTimeOffset(2024, 7, 2, 8, 0, 0, TimeSpan.FromHours(2)), next);
        Assert.Equal(Utc(2024, 7, 2, 6, 0), next!.Value.ToUniversalTime());
    }

    [Fact]
    public void GetNextOccurrence_LocalTimeSkippedByDaylightSaving_DoesNotOccur()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

        // 2024-03-31: clocks jump from 02:00 to 03:00 in Paris.
        var next = CronExpression.Parse("30 2 * * *").GetNextOccurrence(Utc(2024, 3, 30, 12, 0), paris);

        Assert.Equal(new DateTimeOffset(2024, 4, 1, 2, 30, 0, TimeSpan.FromHours(2)), next);
    }

    [Fact]
    public void GetNextOccurrence_LocalTimeRepeatedByDaylightSaving_OccursOnceAtItsFirstInstant()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var cron = CronExpression.Parse("30 2 * * *");

        // 2024-10-27: clocks go back from 03:00 to 02:00 in Paris; 02:30 happens twice.
        var first = cron.GetNextOccurrence(Utc(2024, 10, 26, 12, 0), paris)!.Value;
        var second = cron.GetNextOccurrence(first, paris)!.Value;

        Assert.Equal(new DateTimeOffset(2024, 10, 27, 2, 30, 0, TimeSpan.FromHours(2)), first);
        Assert.Equal(new DateTimeOffset(2024, 10, 28, 2, 30, 0, TimeSpan.FromHours(1)), second);
    }

    [Fact]
    public void GetNextOccurrence_NeverMatching_ReturnsNull()
    {
        Assert.Null(CronExpression.Parse("0 0 30 2 *").GetNextOccurrence(Utc(2024, 1, 1, 0, 0)));
    }

    [Theory]
    [InlineData("* * * *", "has 4 fields")]
    [InlineData("61 * * * *", "minute '61' is out of range 0-59")]
    [InlineData("*/0 * * * *", "invalid step")]
    [InlineData("5-1 * * * *", "out of range")]
    [InlineData("* * * FOO *", "month 'FOO' is not a number or name")]
    [InlineData("* 24 32 * *", "hour '24' is out of range 0-23; day-of-month '32' is out of range 1-31")]
    [InlineData("1,,2 * * * *", "empty list item")]
    public void Parse_Invalid_SaysEveryProblem(string expression, string expected)
    {
        var error = Assert.Throws<FormatException>(() => CronExpression.Parse(expression));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void GetNextOccurrence_AgreesWithAMinuteByMinuteScan()
    {
        var part = Gen.OneOf(
            Gen.Const("*"),
            Gen.Int[0, 59].Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Int[1, 20].Select(s => "*/" + s),
            Gen.Int[0, 30].SelectMany(a => Gen.Int[a, 59].Select(b => $"{a}-{b}")));
        var hours = Gen.OneOf(Gen.Const("*"), Gen.Int[0, 23].Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)), Gen.Int[1, 6].Select(s => "*/" + s));
        var days = Gen.OneOf(Gen.Const("* * *"), Gen.Const("* * MON-FRI"), Gen.Const("1-10 * *"), Gen.Const("15 * SUN"));
        var start = Gen.Long[0, 60L * 24 * 365 * 3].Select(m => new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(m).AddSeconds(17));

        Gen.Select(part, hours, days, start).Sample((minute, hour, day, after) =>
        {
            var text = $"{minute} {hour} {day}";
            var cron = CronExpression.Parse(text);
            var next = cron.GetNextOccurrence(after);
            var expected = Scan(text, after, TimeSpan.FromDays(40));
            Assert.Equal(expected, next);
        }, iter: 200);
    }

    private static DateTimeOffset? Scan(string text, DateTimeOffset after, TimeSpan window)
    {
        var f = text.Split(' ');
        var t = new DateTimeOffset(after.Year, after.Month, after.Day, after.Hour, after.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        for (var end = after + window; t <= end; t = t.AddMinutes(1))
        {
            var domStar = f[2] == "*";
            var dowStar = f[4] == "*";
            var dom = Matches(f[2], t.Day, 1, 31);
            var dow = Matches(f[4].Replace("MON-FRI", "1-5", StringComparison.Ordinal).Replace("SUN", "0", StringComparison.Ordinal), (int)t.DayOfWeek, 0, 6);
            var dayOk = domStar || dowStar ? dom && dow : dom || dow;
            if (Matches(f[0], t.Minute, 0, 59) && Matches(f[1], t.Hour, 0, 23) && dayOk)
            {
                return t;
            }
        }

        return null;
    }

    private static bool Matches(string field, int value, int min, int max)
    {
        if (field == "*")
        {
            return true;
        }

        if (field.StartsWith("*/", StringComparison.Ordinal))
        {
            return (value - min) % int.Parse(field[2..], System.Globalization.CultureInfo.InvariantCulture) == 0;
        }

        var range = field.Split('-').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return value >= range[0] && value <= range[^1];
    }
}
