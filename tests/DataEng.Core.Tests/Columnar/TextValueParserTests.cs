namespace DataEng.Core.Tests.Columnar;

public class TextValueParserTests
{
    [Theory]
    [InlineData("2024-02-29", true)]
    [InlineData("2023-02-29", false)]
    [InlineData("2024-13-01", false)]
    [InlineData("2024-1-01", false)]
    [InlineData("0001-01-01", true)]
    [InlineData("2024-01-01 ", false)]
    public void TryParseIsoDate_ValidatesTheCalendar(string text, bool valid)
    {
        Assert.Equal(valid, TextValueParser.TryParseIsoDate(text, out _));
    }

    [Theory]
    [InlineData("2024-01-02", "2024-01-02T00:00:00.0000000", 0, false)]
    [InlineData("2024-01-02T03:04", "2024-01-02T03:04:00.0000000", 0, false)]
    [InlineData("2024-01-02 03:04:05", "2024-01-02T03:04:05.0000000", 0, false)]
    [InlineData("2024-01-02t03:04:05.5", "2024-01-02T03:04:05.5000000", 0, false)]
    [InlineData("2024-01-02T03:04:05.123456789", "2024-01-02T03:04:05.1234567", 89, false)]
    [InlineData("2024-01-02T03:04:05.1234567891234", "2024-01-02T03:04:05.1234567", 89, false)]
    [InlineData("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.0000000", 0, true)]
    [InlineData("2024-01-02T03:04:05+02:00", "2024-01-02T01:04:05.0000000", 0, true)]
    [InlineData("2024-01-02T03:04:05-0130", "2024-01-02T04:34:05.0000000", 0, true)]
    [InlineData("2024-01-02T23:04:05-05", "2024-01-03T04:04:05.0000000", 0, true)]
    public void TryParseIsoTimestamp_ReadsEveryIsoForm(string text, string expected, int nanos, bool offset)
    {
        Assert.True(TextValueParser.TryParseIsoTimestamp(text, out var ticks, out var extra, out var hasOffset));

        Assert.Equal(expected, new DateTime(ticks, DateTimeKind.Unspecified).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(nanos, extra);
        Assert.Equal(offset, hasOffset);
    }

    [Theory]
    [InlineData("2024-01-02T24:00:00")]
    [InlineData("2024-01-02T03:60")]
    [InlineData("2024-01-02T03:04:05.")]
    [InlineData("2024-01-02T03:04:05+25:00")]
    [InlineData("2024-01-02T03:04:05 UTC")]
    [InlineData("2024-01-02X03:04")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    public void TryParseIsoTimestamp_RejectsInvalidText(string text)
    {
        Assert.False(TextValueParser.TryParseIsoTimestamp(text, out _, out _, out _));
    }

    [Theory]
    [InlineData("12.5", 10, 2, "1250")]
    [InlineData("-0.01", 10, 2, "-1")]
    [InlineData("+7", 10, 2, "700")]
    [InlineData("1.50000", 10, 2, "150")]
    [InlineData("1e2", 10, 2, "10000")]
    [InlineData("125e-2", 10, 2, "125")]
    [InlineData(".5", 10, 2, "50")]
    [InlineData("0000000000000000000000000000000000000000001", 38, 0, "1")]
    [InlineData("99999999999999999999999999999999999999", 38, 0, "99999999999999999999999999999999999999")]
    [InlineData("-9999999999999999999999999999.9999999999", 38, 10, "-99999999999999999999999999999999999999")]
    public void TryParseDecimal_IsExact(string text, int precision, int scale, string unscaled)
    {
        Assert.True(TextValueParser.TryParseDecimal(text, ".", precision, scale, out var value, out var problem), problem);

        Assert.Equal(Int128.Parse(unscaled, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("1.234", 10, 2, "has more than 2 decimal places")]
    [InlineData("123456789", 10, 2, "does not fit decimal128(10, 2)")]
    [InlineData("100000000000000000000000000000000000000", 38, 0, null)]
    [InlineData("1e40", 38, 0, "does not fit decimal128(38, 0)")]
    [InlineData("abc", 10, 2, null)]
    [InlineData("1.2.3", 10, 2, null)]
    [InlineData("", 10, 2, null)]
    [InlineData("-", 10, 2, null)]
    [InlineData("1,5", 10, 2, null)]
    public void TryParseDecimal_RejectsWhatDoesNotFit(string text, int precision, int scale, string? problem)
    {
        Assert.False(TextValueParser.TryParseDecimal(text, ".", precision, scale, out _, out var actual));

        Assert.Equal(problem, actual);
    }

    [Theory]
    [InlineData("12.34", 10, 2, "1234")]
    [InlineData("-0.500", 3, 3, "-500")]
    [InlineData("79228162514264337593543950335", 38, 9, "79228162514264337593543950335000000000")]
    public void TryScaleDecimal_ScalesExactly(string text, int precision, int scale, string unscaled)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(TextValueParser.TryScaleDecimal(value, precision, scale, out var result, out var problem), problem);
        Assert.Equal(Int128.Parse(unscaled, System.Globalization.CultureInfo.InvariantCulture), result);
    }

    [Fact]
    public void TryScaleDecimal_TooManyDigitsOrDecimals_Fails()
    {
        Assert.False(TextValueParser.TryScaleDecimal(1.005m, 10, 2, out _, out var places));
        Assert.False(TextValueParser.TryScaleDecimal(decimal.MaxValue, 38, 10, out _, out var digits));
        Assert.Equal("has more than 2 decimal places", places);
        Assert.Equal("does not fit decimal128(38, 10)", digits);
    }

    [Theory]
    [InlineData(-1, 10, -1)]
    [InlineData(-10, 10, -1)]
    [InlineData(-11, 10, -2)]
    [InlineData(9, 10, 0)]
    public void FloorDivide_RoundsTowardsNegativeInfinity(long value, long divisor, long expected)
    {
        Assert.Equal(expected, TextValueParser.FloorDivide(value, divisor));
    }
}
