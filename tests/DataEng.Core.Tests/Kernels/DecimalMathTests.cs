using System.Text;
using CsCheck;

namespace DataEng.Core.Tests.Kernels;

public class DecimalMathTests
{
    [Theory]
    [InlineData("12.345", 3, "12345", true)]
    [InlineData("-0.5", 2, "-50", true)]
    [InlineData("1.239", 2, "123", false)]
    [InlineData("-1.239", 2, "-123", false)]
    [InlineData("1.5e3", 0, "1500", true)]
    [InlineData("15E-1", 1, "15", true)]
    [InlineData(" +7 ", 0, "7", true)]
    [InlineData("99999999999999999999999999999999999999", 0, "99999999999999999999999999999999999999", true)]
    public void TryParse_Valid(string text, int scale, string unscaled, bool exact)
    {
        Assert.True(DecimalMath.TryParse(Encoding.UTF8.GetBytes(text), scale, out var value, out var isExact));
        Assert.Equal(Int128.Parse(unscaled, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(exact, isExact);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1.2.3")]
    [InlineData("1e")]
    [InlineData("abc")]
    [InlineData("1e40")]
    public void TryParse_Invalid(string text) => Assert.False(DecimalMath.TryParse(Encoding.UTF8.GetBytes(text), 0, out _, out _));

    [Fact]
    public void FormatThenParse_RoundTripsAnyValueAndScale()
        => Gen.Select(Gen.Int128, Gen.Int[0, 38]).Sample((value, scale) =>
        {
            value %= DecimalMath.Pow10(38);
            Span<byte> text = stackalloc byte[48];
            var length = DecimalMath.Format(value, scale, text);
            Assert.True(DecimalMath.TryParse(text[..length], scale, out var back, out var exact));
            Assert.True(exact);
            Assert.Equal(value, back);
        }, iter: 500);

    [Fact]
    public void FromAndToClrDecimal_RoundTrip()
        => Gen.Decimal.Sample(value =>
        {
            Assert.True(DecimalMath.TryFromDecimal(value, 28, DecimalRounding.Truncate, out var unscaled, out var exact) || Math.Abs(value) >= 1e10m);
            if (Math.Abs(value) < 1e10m)
            {
                Assert.True(exact);
                Assert.True(DecimalMath.TryToDecimal(unscaled, 28, out var back));
                Assert.Equal(value, back);
            }
        }, iter: 500);

    [Theory]
    [InlineData(125, 2, 1, "13", "12")]
    [InlineData(-125, 2, 1, "-13", "-12")]
    [InlineData(124, 2, 1, "12", "12")]
    public void TryRescale_RoundsHalfAwayFromZeroOrTruncates(long value, int from, int to, string rounded, string truncated)
    {
        DecimalMath.TryRescale(value, from, to, DecimalRounding.HalfAwayFromZero, out var r, out _);
        DecimalMath.TryRescale(value, from, to, DecimalRounding.Truncate, out var t, out _);

        Assert.Equal(Int128.Parse(rounded, System.Globalization.CultureInfo.InvariantCulture), r);
        Assert.Equal(Int128.Parse(truncated, System.Globalization.CultureInfo.InvariantCulture), t);
    }
}
