using Apache.Arrow.Types;
using CsCheck;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Kernels;

public class CastKernelTests
{
    public static IEnumerable<object[]> TypeNames() => KernelTestData.TypeNames();

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void ToStringAndBack_EveryType_RoundTripsValuesAndNulls(string typeName)
    {
        var type = KernelTestData.Types[typeName];
        var values = KernelTestData.Sample(type, 120, seed: 21);
        if (type is BinaryType)
        {
            values = [.. values.Select(v => v is byte[] b ? System.Text.Encoding.UTF8.GetBytes(Convert.ToBase64String(b)) : null)];
        }

        var allocator = new CountingMemoryAllocator();
        using (var full = KernelTestData.Build(type, values, allocator))
        using (var sliced = KernelTestData.Sliced(full, 5, 100))
        using (var text = BatchKernels.Cast(sliced, StringType.Default, allocator: allocator, columnName: "c"))
        using (var back = BatchKernels.Cast(text, type, allocator: allocator, columnName: "c"))
        {
            Assert.Equal(KernelTestData.Canon(values.Skip(5).Take(100)), KernelTestData.Values(back));
            Assert.Equal(values.Skip(5).Take(100).Count(v => v is null), text.NullCount);
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Theory]
    [InlineData("int64", "int32")]
    [InlineData("int32", "int64")]
    [InlineData("uint16", "int8")]
    [InlineData("int8", "uint64")]
    [InlineData("double", "float")]
    [InlineData("int32", "double")]
    [InlineData("bool", "int16")]
    [InlineData("int64", "decimal128(20, 4)")]
    [InlineData("decimal128(20, 4)", "double")]
    public void NumericCasts_ValuesThatFit_AreExact(string from, string to)
    {
        var fromType = KernelTestData.Types[from];
        var toType = KernelTestData.Types[to];
        object?[] values = from switch
        {
            "int64" => [0L, -5L, null, 127L],
            "int32" => [0, -5, null, 127],
            "uint16" => [(ushort)0, (ushort)5, null, (ushort)127],
            "int8" => [(sbyte)0, (sbyte)5, null, (sbyte)127],
            "double" => [0.0, -5.0, null, 127.0],
            "bool" => [false, true, null, true],
            _ => [0m, -5m, null, 127m],
        };

        using var array = KernelTestData.Build(fromType, values);
        using var cast = BatchKernels.Cast(array, toType);

        var expected = values.Select(v => v is null ? null : (object?)Convert.ToDecimal(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(expected, KernelTestData.Values(cast).Select(v => v is null ? null : (object?)Convert.ToDecimal(v, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Narrowing_Overflow_NamesColumnRowAndValue()
    {
        using var array = KernelTestData.Build(Int64Type.Default, [1L, null, 3_000_000_000L]);

        var e = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, Int32Type.Default, columnName: "customer_id"));

        Assert.Equal("customer_id", e.Column);
        Assert.Equal(3, e.Row);
        Assert.Contains("3000000000", e.Message, StringComparison.Ordinal);
        Assert.Contains("int64 to int32", e.Message, StringComparison.Ordinal);
        Assert.Contains("out of range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadText_NamesTheValue_AndInvalidToNullTurnsItIntoNull()
    {
        using var array = KernelTestData.Build(StringType.Default, ["12", " 7 ", "12a", null]);

        var e = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, Int32Type.Default, columnName: "qty"));
        using var lenient = BatchKernels.Cast(array, Int32Type.Default, new CastOptions { InvalidToNull = true });

        Assert.Equal(3, e.Row);
        Assert.Contains("'12a'", e.Message, StringComparison.Ordinal);
        Assert.Equal(new object?[] { 12, 7, null, null }, KernelTestData.Values(lenient));
    }

    [Fact]
    public void FloatToInteger_Fraction_FailsUnlessTruncationIsAllowed()
    {
        using var array = KernelTestData.Build(DoubleType.Default, [2.0, -2.7, double.NaN]);

        var fraction = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, Int32Type.Default, columnName: "x"));
        var nan = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, Int32Type.Default, new CastOptions { AllowTruncation = true }, columnName: "x"));
        using var lenient = BatchKernels.Cast(array, Int32Type.Default, new CastOptions { AllowTruncation = true, InvalidToNull = true });

        Assert.Equal(2, fraction.Row);
        Assert.Contains("fractional", fraction.Message, StringComparison.Ordinal);
        Assert.Equal(3, nan.Row);
        Assert.Equal(new object?[] { 2, -2, null }, KernelTestData.Values(lenient));
    }

    [Fact]
    public void DoubleToFloat_Overflow_Fails()
    {
        using var array = KernelTestData.Build(DoubleType.Default, [1.5, 1e300, double.PositiveInfinity]);

        var e = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, FloatType.Default));
        using var lenient = BatchKernels.Cast(array, FloatType.Default, new CastOptions { InvalidToNull = true });

        Assert.Equal(2, e.Row);
        Assert.Equal(new object?[] { 1.5f, null, float.PositiveInfinity }, KernelTestData.Values(lenient));
    }

    [Fact]
    public void Decimal_Rescale_IsExactOrFailsOrTruncates()
    {
        using var array = KernelTestData.Build(new Decimal128Type(10, 3), [1.250m, -1.255m, 123456.789m, null]);

        using var wider = BatchKernels.Cast(array, new Decimal128Type(12, 5));
        var lost = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, new Decimal128Type(10, 2)));
        using var truncated = BatchKernels.Cast(array, new Decimal128Type(10, 2), new CastOptions { AllowTruncation = true });
        var tooBig = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, new Decimal128Type(6, 3), new CastOptions { AllowTruncation = true }));

        Assert.Equal(new object?[] { 1.25m, -1.255m, 123456.789m, null }, KernelTestData.Values(wider));
        Assert.Equal(2, lost.Row);
        Assert.Contains("-1.255", lost.Message, StringComparison.Ordinal);
        Assert.Equal(new object?[] { 1.25m, -1.25m, 123456.78m, null }, KernelTestData.Values(truncated));
        Assert.Equal(3, tooBig.Row);
    }

    [Fact]
    public void DecimalText_MoreDigitsThanTheScale_NeedsTruncation()
    {
        using var array = KernelTestData.Build(StringType.Default, ["1.5", "-0.125", "1e2", "12345678901234567890.1234"]);
        var type = new Decimal128Type(24, 2);

        var e = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, type));
        using var truncated = BatchKernels.Cast(array, type, new CastOptions { AllowTruncation = true });

        Assert.Equal(2, e.Row);
        Assert.Equal(new object?[] { 1.5m, -0.12m, 100m, 12345678901234567890.12m }, KernelTestData.Values(truncated));
    }

    [Fact]
    public void TimestampUnits_FinerIsExact_CoarserNeedsTruncationAndRoundsDown()
    {
        var us = new TimestampType(TimeUnit.Microsecond, "UTC");
        using var array = KernelTestData.Build(us, [1_000_000L, -1_500L, null]);

        using var ns = BatchKernels.Cast(array, new TimestampType(TimeUnit.Nanosecond, "UTC"));
        var lost = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, new TimestampType(TimeUnit.Millisecond, "UTC")));
        using var ms = BatchKernels.Cast(array, new TimestampType(TimeUnit.Millisecond, "UTC"), new CastOptions { AllowTruncation = true });
        using var overflow = KernelTestData.Build(new TimestampType(TimeUnit.Second, (string?)null), [long.MaxValue / 10]);
        var tooLarge = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(overflow, new TimestampType(TimeUnit.Nanosecond, (string?)null)));

        Assert.Equal(new object?[] { 1_000_000_000L, -1_500_000L, null }, KernelTestData.Values(ns));
        Assert.Equal(2, lost.Row);
        Assert.Equal(new object?[] { 1_000L, -2L, null }, KernelTestData.Values(ms));
        Assert.Equal(1, tooLarge.Row);
    }

    [Fact]
    public void TimestampZoneChange_KeepsTheInstantAndSharesTheBuffer()
    {
        var allocator = new CountingMemoryAllocator();
        using var array = KernelTestData.Build(new TimestampType(TimeUnit.Second, "UTC"), [0L, null], allocator);
        var before = allocator.TotalAllocations;

        using var paris = BatchKernels.Cast(array, new TimestampType(TimeUnit.Second, "Europe/Paris"), allocator: allocator);

        Assert.Equal(before, allocator.TotalAllocations);
        Assert.Equal("Europe/Paris", ((TimestampType)paris.Data.DataType).Timezone);
        Assert.Equal(new object?[] { 0L, null }, KernelTestData.Values(paris));
    }

    [Fact]
    public void DateAndTimestamp_ConvertBothWays_WithTheDateInTheColumnsZone()
    {
        var paris = new TimestampType(TimeUnit.Second, "Europe/Paris");
        var midnight = new DateTimeOffset(2024, 6, 30, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        using var dates = KernelTestData.Build(Date32Type.Default, [(int)(midnight / 86400), null]);
        using var instants = KernelTestData.Build(paris, [midnight + (22 * 3600) + 30, midnight - 3600]);

        using var ts = BatchKernels.Cast(dates, new TimestampType(TimeUnit.Millisecond, "UTC"));
        var timeOfDay = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(instants, Date32Type.Default));
        using var local = BatchKernels.Cast(instants, Date32Type.Default, new CastOptions { AllowTruncation = true });

        Assert.Equal(new object?[] { midnight * 1000, null }, KernelTestData.Values(ts));
        Assert.Contains("time of day", timeOfDay.Message, StringComparison.Ordinal);
        // 22:00:30 UTC is 00:00:30 on July 1st in Paris (CEST); 23:00 UTC the day before is June 30th, 01:00 in Paris.
        Assert.Equal(new object?[] { (int)(midnight / 86400) + 1, (int)(midnight / 86400) }, KernelTestData.Values(local));
    }

    [Theory]
    [InlineData("2024-03-01T12:30:00Z", "UTC", 1709296200L)]
    [InlineData("2024-03-01 12:30:00+01:00", "UTC", 1709292600L)]
    [InlineData("2024-03-01T12:30", "UTC", 1709296200L)]
    [InlineData("2024-03-01", "UTC", 1709251200L)]
    [InlineData("2024-07-01T12:00:00", "Europe/Paris", 1719828000L)]
    [InlineData("2024-07-01T12:00:00", "+05:30", 1719815400L)]
    [InlineData("1969-12-31T23:59:59", null, -1L)]
    public void TextToTimestamp_AcceptsIso8601WithAndWithoutOffsets(string text, string? zone, long seconds)
    {
        using var array = KernelTestData.Build(StringType.Default, [text]);

        using var cast = BatchKernels.Cast(array, new TimestampType(TimeUnit.Second, zone));

        Assert.Equal(new object?[] { seconds }, KernelTestData.Values(cast));
    }

    [Theory]
    [InlineData("2024-02-30")]
    [InlineData("2024-13-01")]
    [InlineData("24-01-01")]
    [InlineData("2024-01-01T25:00")]
    [InlineData("yesterday")]
    public void TextToDate_Invalid_FailsNamingTheText(string text)
    {
        using var array = KernelTestData.Build(StringType.Default, [text]);

        var e = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, Date32Type.Default, columnName: "day"));

        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Equal("day", e.Column);
    }

    [Fact]
    public void TextToTimestamp_MorePreciseThanTheUnit_NeedsTruncation()
    {
        using var array = KernelTestData.Build(StringType.Default, ["2024-01-01T00:00:00.123456789Z"]);

        var e = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, new TimestampType(TimeUnit.Microsecond, "UTC")));
        using var ns = BatchKernels.Cast(array, new TimestampType(TimeUnit.Nanosecond, "UTC"));
        using var us = BatchKernels.Cast(array, new TimestampType(TimeUnit.Microsecond, "UTC"), new CastOptions { AllowTruncation = true });

        Assert.Contains("more precise", e.Message, StringComparison.Ordinal);
        Assert.Equal(new object?[] { 1704067200_123456789L }, KernelTestData.Values(ns));
        Assert.Equal(new object?[] { 1704067200_123456L }, KernelTestData.Values(us));
    }

    [Fact]
    public void TimestampToText_UsesIso8601WithZoneSuffix()
    {
        using var utc = KernelTestData.Build(new TimestampType(TimeUnit.Millisecond, "UTC"), [1709296200_5L * 100]);
        using var paris = KernelTestData.Build(new TimestampType(TimeUnit.Second, "Europe/Paris"), [1719828000L]);
        using var naive = KernelTestData.Build(new TimestampType(TimeUnit.Microsecond, (string?)null), [-1L]);

        Assert.Equal(new object?[] { "2024-03-01T12:30:00.500Z" }, KernelTestData.Values(BatchKernels.Cast(utc, StringType.Default)));
        Assert.Equal(new object?[] { "2024-07-01T12:00:00+02:00" }, KernelTestData.Values(BatchKernels.Cast(paris, StringType.Default)));
        Assert.Equal(new object?[] { "1969-12-31T23:59:59.999999" }, KernelTestData.Values(BatchKernels.Cast(naive, StringType.Default)));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData(" FALSE ", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("Yes", true)]
    [InlineData("no", false)]
    public void TextToBool_AcceptsCommonSpellings(string text, bool expected)
    {
        using var array = KernelTestData.Build(StringType.Default, [text]);

        using var cast = BatchKernels.Cast(array, BooleanType.Default);

        Assert.Equal(new object?[] { expected }, KernelTestData.Values(cast));
    }

    [Fact]
    public void BinaryToString_InvalidUtf8_FailsOrBecomesNull_AndValidBytesAreShared()
    {
        var allocator = new CountingMemoryAllocator();
        using var array = KernelTestData.Build(BinaryType.Default, ["ok"u8.ToArray(), new byte[] { 0xC3, 0x28 }, null], allocator);

        var e = Assert.Throws<DataFormatException>(() => BatchKernels.Cast(array, StringType.Default, allocator: allocator, columnName: "payload"));
        using var lenient = BatchKernels.Cast(array, StringType.Default, new CastOptions { InvalidToNull = true }, allocator);
        using var valid = KernelTestData.Sliced(array, 0, 1);
        var before = allocator.TotalAllocations;
        using var shared = BatchKernels.Cast(valid, StringType.Default, allocator: allocator);

        Assert.Equal(2, e.Row);
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
        Assert.Equal(new object?[] { "ok", null, null }, KernelTestData.Values(lenient));
        Assert.Equal(before, allocator.TotalAllocations);
        Assert.Equal(new object?[] { "ok" }, KernelTestData.Values(shared));
    }

    [Fact]
    public void UnsupportedCast_SaysWhich()
    {
        using var array = KernelTestData.Build(Date32Type.Default, [1]);

        var e = Assert.Throws<NotSupportedException>(() => BatchKernels.Cast(array, Int32Type.Default, columnName: "d"));

        Assert.Contains("no cast from date32 to int32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedTargetType_SaysItIsNotSupportedYet()
    {
        using var array = KernelTestData.Build(Int32Type.Default, [1]);

        var e = Assert.Throws<NotSupportedException>(() => BatchKernels.Cast(array, new Decimal256Type(40, 2)));

        Assert.Contains("not supported yet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Int64ThroughText_RoundTrips()
        => Gen.Long.Nullable().Array[0, 100].Sample(values =>
        {
            using var array = KernelTestData.Build(Int64Type.Default, [.. values.Select(v => (object?)v)]);
            using var text = BatchKernels.Cast(array, StringType.Default);
            using var back = BatchKernels.Cast(text, Int64Type.Default);
            Assert.Equal(values.Select(v => (object?)v), KernelTestData.Values(back));
            Assert.Equal(values.Select(v => v?.ToString(System.Globalization.CultureInfo.InvariantCulture)), KernelTestData.Values(text));
        }, iter: 100);

    [Fact]
    public void DoubleThroughText_RoundTripsBitForBit()
        => Gen.Double.Array[0, 100].Sample(values =>
        {
            using var array = KernelTestData.Build(DoubleType.Default, [.. values.Select(v => (object?)v)]);
            using var text = BatchKernels.Cast(array, StringType.Default);
            using var back = BatchKernels.Cast(text, DoubleType.Default);
            Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), KernelTestData.Values(back).Select(v => BitConverter.DoubleToInt64Bits((double)v!)));
        }, iter: 100);

    [Fact]
    public void DecimalThroughText_RoundTrips()
        => Gen.Long[-999_999_999_999, 999_999_999_999].Array[0, 100].Sample(unscaled =>
        {
            var type = new Decimal128Type(18, 6);
            var values = unscaled.Select(u => (object?)(u / 1_000_000m)).ToList();
            using var array = KernelTestData.Build(type, values);
            using var text = BatchKernels.Cast(array, StringType.Default);
            using var back = BatchKernels.Cast(text, type);
            Assert.Equal(values, KernelTestData.Values(back));
        }, iter: 100);

    [Fact]
    public void TimestampThroughText_RoundTripsInEveryUnitAndZone()
        => Gen.Select(Gen.Long[-6_000_000_000_000_000_000, 6_000_000_000_000_000_000].Array[0, 50], Gen.Int[0, 3], Gen.Int[0, 3]).Sample((nanos, unitIndex, zoneIndex) =>
        {
            var unit = (TimeUnit)unitIndex;
            var zone = new[] { null, "UTC", "Asia/Kolkata", "America/New_York" }[zoneIndex];
            var type = new TimestampType(unit, zone);
            var divisor = unit switch { TimeUnit.Second => 1_000_000_000L, TimeUnit.Millisecond => 1_000_000L, TimeUnit.Microsecond => 1_000L, _ => 1L };
            var values = nanos.Select(n => (object?)(n / divisor)).ToList();
            using var array = KernelTestData.Build(type, values);
            using var text = BatchKernels.Cast(array, StringType.Default);
            using var back = BatchKernels.Cast(text, type);
            Assert.Equal(values, KernelTestData.Values(back));
        }, iter: 100);
}
