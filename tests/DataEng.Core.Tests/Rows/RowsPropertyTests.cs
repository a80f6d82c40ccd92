using System.Globalization;
using System.Numerics;
using Apache.Arrow.Types;
using CsCheck;

namespace DataEng.Core.Tests.TypedRows;

/// <summary>Property tests: random rows (unicode text, extreme dates and decimals, nulls) survive ToBatch → ToList.</summary>
public class RowsPropertyTests
{
    public sealed record RandomRow(
        long Id,
        int? Count,
        double? Ratio,
        decimal Amount,
        decimal? MaybeAmount,
        string Text,
        string? Note,
        DateTime At,
        DateTimeOffset? When,
        DateOnly Day,
        TimeOnly? Time,
        Guid Key,
        Color? Color,
        bool? Flag,
        char Initial,
        byte[]? Blob);

    public sealed record DecimalRow(decimal Value);

    public sealed record DateTimeRow(DateTime Value);

    private static readonly Gen<string> UnicodeText = Gen.OneOf(Gen.Int[0x20, 0x7E], Gen.Int[0, 0x10FFFF])
        .Where(static c => c is < 0xD800 or > 0xDFFF)
        .Array[0, 16]
        .Select(static codePoints => string.Concat(codePoints.Select(char.ConvertFromUtf32)));

    private static readonly Gen<DateTime> MicrosecondDateTime = Gen.Select(Gen.Long[0, DateTime.MaxValue.Ticks / 10], Gen.Bool,
        static (micros, utc) => new DateTime(micros * 10, utc ? DateTimeKind.Utc : DateTimeKind.Unspecified));

    private static readonly Gen<DateTimeOffset> MicrosecondDateTimeOffset = Gen.Select(Gen.Long[0, DateTimeOffset.MaxValue.UtcTicks / 10], Gen.Int[-14 * 60, 14 * 60],
        static (micros, offset) =>
        {
            var utc = new DateTimeOffset(micros * 10, TimeSpan.Zero);
            var local = utc.UtcDateTime.Ticks + (offset * TimeSpan.TicksPerMinute);
            return local >= 0 && local <= DateTime.MaxValue.Ticks ? utc.ToOffset(TimeSpan.FromMinutes(offset)) : utc;
        });

    /// <summary>Decimals that fit decimal128(38, 18): up to 19 integer digits and 18 decimal places.</summary>
    private static readonly Gen<decimal> FittingDecimal = Gen.OneOf(
        Gen.Select(Gen.Long, Gen.Int[0, 18], static (mantissa, scale) => new decimal(mantissa) / Pow10(scale)),
        Gen.OneOf<decimal>(0m, -0m, 99_999_999_999_999_999_999.99999999m, -99_999_999_999_999_999_999.99999999m, 0.000000000000000001m, decimal.One));

    private static readonly Gen<char> BmpChar = Gen.Char.Where(static c => !char.IsSurrogate(c));

    private static readonly Gen<RandomRow> Row = Gen.Select(
        Gen.Long,
        Gen.Int.Nullable(0.2),
        Gen.Double.Nullable(0.2),
        FittingDecimal,
        FittingDecimal.Nullable(0.3),
        UnicodeText,
        UnicodeText.Null(0.3),
        MicrosecondDateTime,
        MicrosecondDateTimeOffset.Nullable(0.2),
        Gen.Int[0, DateOnly.MaxValue.DayNumber].Select(DateOnly.FromDayNumber),
        Gen.Long[0, (TimeSpan.TicksPerDay / 10) - 1].Select(static micros => new TimeOnly(micros * 10)).Nullable(0.2),
        Gen.Guid,
        Gen.Enum<Color>().Nullable(0.2),
        Gen.Bool.Nullable(0.3),
        BmpChar,
        Gen.Byte.Array[0, 12].Null(0.2),
        static (id, count, ratio, amount, maybe, text, note, at, when, day, time, key, color, flag, initial, blob) =>
            new RandomRow(id, count, ratio, amount, maybe, text, note, at, when, day, time, key, color, flag, initial, blob));

    [Fact]
    public void ToBatch_ThenToList_RoundTripsRandomRows()
    {
        Gen.Select(Row.Array[0, 40], Gen.Int[0, 40], Gen.Bool).Sample(static (rows, start, guids) =>
        {
            var options = new RowMappingOptions { Guids = guids ? GuidMapping.FixedSizeBinary : GuidMapping.String };
            using var batch = Rows.ToBatch(rows, options);
            AssertSame(rows, Rows.ToList<RandomRow>(batch, options));

            var offset = Math.Min(start, rows.Length);
            using var slice = batch.Slice(offset, rows.Length - offset);
            AssertSame(rows[offset..], Rows.ToList<RandomRow>(slice, options));
        }, iter: 200);
    }

    [Fact]
    public void ToBatch_AnyDecimal_RoundTripsExactlyWhenItFitsTheColumnElseFailsNamingTheRow()
    {
        var column = Gen.Int[1, 38].SelectMany(static precision => Gen.Int[0, precision].Select(scale => (Precision: precision, Scale: scale)));
        Gen.Select(Gen.Decimal, column).Sample(static (value, column) =>
        {
            var (precision, scale) = column;
            var options = new RowMappingOptions { DecimalPrecision = precision, DecimalScale = scale };
            if (Fits(value, precision, scale))
            {
                using var batch = Rows.ToBatch([new DecimalRow(value)], options);
                Assert.Equal(value, Rows.ToList<DecimalRow>(batch, options)[0].Value);
            }
            else
            {
                var error = Assert.Throws<DataFormatException>(() => Rows.ToBatch([new DecimalRow(0m), new DecimalRow(value)], options));
                Assert.Equal(2, error.Row);
                Assert.Equal("Value", error.Column);
            }
        }, iter: 1000);
    }

    [Fact]
    public void ToBatch_AnyDecimalWithRounding_StoresTheValueRoundedAwayFromZero()
    {
        Gen.Select(Gen.Decimal, Gen.Int[0, 28]).Sample(static (value, scale) =>
        {
            var options = new RowMappingOptions { DecimalPrecision = 38, DecimalScale = scale, RoundDecimals = true };
            var rounded = Math.Round(value, scale, MidpointRounding.AwayFromZero);
            if (Fits(rounded, 38, scale))
            {
                using var batch = Rows.ToBatch([new DecimalRow(value)], options);
                Assert.Equal(rounded, Rows.ToList<DecimalRow>(batch, options)[0].Value);
            }
        }, iter: 2000);
    }

    [Theory]
    [InlineData(TimeUnit.Second)]
    [InlineData(TimeUnit.Millisecond)]
    [InlineData(TimeUnit.Microsecond)]
    [InlineData(TimeUnit.Nanosecond)]
    public void ToBatch_AnyDateTime_ReadsBackTruncatedToTheUnitOrFailsOutsideItsRange(TimeUnit unit)
    {
        var options = new RowMappingOptions { TimestampUnit = unit };
        var ticksPerUnit = unit switch { TimeUnit.Second => TimeSpan.TicksPerSecond, TimeUnit.Millisecond => TimeSpan.TicksPerMillisecond, TimeUnit.Microsecond => 10, _ => 1 };
        var nanosecondRange = (Min: new DateTime(1677, 9, 22).Ticks, Max: new DateTime(2262, 4, 11).Ticks);
        Gen.OneOf(Gen.Long[0, DateTime.MaxValue.Ticks], Gen.OneOf<long>(0, DateTime.MaxValue.Ticks, nanosecondRange.Min, nanosecondRange.Max)).Sample(ticks =>
        {
            var value = new DateTime(ticks);
            if (unit == TimeUnit.Nanosecond && (ticks < nanosecondRange.Min || ticks > nanosecondRange.Max))
            {
                Assert.Throws<DataFormatException>(() => Rows.ToBatch([new DateTimeRow(value)], options));
                return;
            }

            using var batch = Rows.ToBatch([new DateTimeRow(value)], options);
            Assert.Equal(ticks - (ticks % ticksPerUnit), Rows.ToList<DateTimeRow>(batch, options)[0].Value.Ticks);
        }, iter: 1000);
    }

    private static void AssertSame(RandomRow[] expected, IReadOnlyList<RandomRow> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Blob, actual[i].Blob);
            Assert.Equal(expected[i] with { Blob = null }, actual[i] with { Blob = null });
        }
    }

    /// <summary>The oracle: value × 10^scale is an integer with at most <paramref name="precision"/> digits.</summary>
    private static bool Fits(decimal value, int precision, int scale)
    {
        var text = value.ToString(CultureInfo.InvariantCulture).TrimStart('-');
        var point = text.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? text : text.Remove(point, 1);
        var places = point < 0 ? 0 : text.Length - point - 1;
        var unscaled = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        if (places > scale)
        {
            var divisor = BigInteger.Pow(10, places - scale);
            if (!(unscaled % divisor).IsZero)
            {
                return false;
            }

            unscaled /= divisor;
        }
        else
        {
            unscaled *= BigInteger.Pow(10, scale - places);
        }

        return unscaled < BigInteger.Pow(10, precision);
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
