using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Columnar;

public class ArrowValueWriterTests
{
    [Theory]
    [InlineData(TimeUnit.Second, 1_704_164_645L)]
    [InlineData(TimeUnit.Millisecond, 1_704_164_645_123L)]
    [InlineData(TimeUnit.Microsecond, 1_704_164_645_123_456L)]
    [InlineData(TimeUnit.Nanosecond, 1_704_164_645_123_456_789L)]
    public void TryAppendText_Timestamp_KeepsEveryDigitTheUnitHolds(TimeUnit unit, long expected)
    {
        var writer = Writer(new TimestampType(unit, "UTC"));

        Assert.True(writer.TryAppendText("2024-01-02T03:04:05.123456789Z"));

        Assert.Equal(expected, Build<TimestampArray>(writer).GetValue(0));
    }

    [Fact]
    public void TryAppendText_TimestampOutsideTheNanosecondRange_Fails()
    {
        var writer = Writer(new TimestampType(TimeUnit.Nanosecond, (string?)null));

        Assert.False(writer.TryAppendText("2300-01-01"));
        Assert.Contains("1677–2262", writer.Problem, StringComparison.Ordinal);
        Assert.Equal(0, writer.Buffer.Count);
    }

    [Theory]
    [InlineData("128", "out of the range of int8")]
    [InlineData("-1", "is not a valid uint8")]
    [InlineData("1.5", "is not a valid int8")]
    public void TryAppendText_IntegerOutOfRange_FailsWithAClearProblem(string text, string problem)
    {
        var type = problem.Contains("uint8", StringComparison.Ordinal) ? (IArrowType)UInt8Type.Default : Int8Type.Default;
        var writer = Writer(type);

        Assert.False(writer.TryAppendText(text));

        Assert.Contains(problem, writer.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("FALSE", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("Yes", true)]
    [InlineData("no", false)]
    public void TryAppendText_Boolean_AcceptsCommonSpellings(string text, bool expected)
    {
        var writer = Writer(BooleanType.Default);

        Assert.True(writer.TryAppendText(text));

        Assert.Equal(expected, Build<BooleanArray>(writer).GetValue(0));
    }

    [Fact]
    public void TryAppendDouble_IntoDecimal_RoundsHalfToEvenAtTheScale()
    {
        var writer = Writer(new Decimal128Type(10, 2));

        Assert.True(writer.TryAppendDouble(0.125));
        Assert.True(writer.TryAppendDouble(1.0 / 3));
        Assert.False(writer.TryAppendDouble(double.NaN));

        var column = Build<Decimal128Array>(writer);
        Assert.Equal(0.12m, column.GetValue(0));
        Assert.Equal(0.33m, column.GetValue(1));
    }

    [Fact]
    public void TryAppendInt64_IntoDecimal_ChecksTheIntegerDigits()
    {
        var writer = Writer(new Decimal128Type(5, 2));

        Assert.True(writer.TryAppendInt64(-999));
        Assert.False(writer.TryAppendInt64(1000));
        Assert.Contains("does not fit decimal128(5, 2)", writer.Problem, StringComparison.Ordinal);

        Assert.Equal(-999m, Build<Decimal128Array>(writer).GetValue(0));
    }

    [Fact]
    public void TryAppendDateTime_IntoDate32_RejectsATimeOfDay()
    {
        var writer = Writer(Date32Type.Default);

        Assert.True(writer.TryAppendDateTime(new DateTime(1969, 12, 31)));
        Assert.False(writer.TryAppendDateTime(new DateTime(1969, 12, 31, 0, 0, 1)));

        Assert.Equal(-1, Build<Date32Array>(writer).GetValue(0));
    }

    [Fact]
    public void TryAppendTimeSpan_IntoTimeAndDuration_ConvertsTheUnit()
    {
        var time32 = Writer(new Time32Type(TimeUnit.Millisecond));
        var time64 = Writer(new Time64Type(TimeUnit.Nanosecond));
        var duration = Writer(DurationType.Second);

        Assert.True(time32.TryAppendTimeSpan(TimeSpan.FromMilliseconds(1234.5)));
        Assert.False(time32.TryAppendTimeSpan(TimeSpan.FromHours(25)));
        Assert.True(time64.TryAppendTime(new TimeOnly(0, 0, 1)));
        Assert.True(duration.TryAppendTimeSpan(TimeSpan.FromSeconds(-1.5)));

        Assert.Equal(1234, Build<Time32Array>(time32).GetValue(0));
        Assert.Equal(1_000_000_000L, Build<Time64Array>(time64).GetValue(0));
        Assert.Equal(-2L, Build<DurationArray>(duration).GetValue(0));
    }

    [Fact]
    public void TryAppendText_BinaryFromCsv_IsBase64()
    {
        var writer = new ArrowValueWriter(new Field("b", BinaryType.Default, true), new TextValueOptions(CultureInfo.InvariantCulture, BinaryAsBase64: true));

        Assert.True(writer.TryAppendText("AAEC/w=="));
        Assert.False(writer.TryAppendText("not base64!"));

        Assert.Equal([0, 1, 2, 255], Build<BinaryArray>(writer).GetBytes(0).ToArray());
    }

    [Fact]
    public void TryAppendText_GuidColumn_NormalisesAndValidates()
    {
        var writer = new ArrowValueWriter(new Field("g", StringType.Default, true), TextValueOptions.Invariant, guidText: true);

        Assert.True(writer.TryAppendText("{6F9619FF-8B86-D011-B42D-00C04FC964FF}"));
        Assert.False(writer.TryAppendText("abc"));
        Assert.False(writer.TryAppendBytes([1, 2, 3]));

        Assert.Equal("6f9619ff-8b86-d011-b42d-00c04fc964ff", Build<StringArray>(writer).GetString(0));
    }

    [Fact]
    public void TryAppend_AnyValueIntoUtf8_IsInvariantText()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var writer = Writer(StringType.Default);
            Assert.True(writer.TryAppendDouble(1.5));
            Assert.True(writer.TryAppendDecimal(-2.25m));
            Assert.True(writer.TryAppendBoolean(true));
            Assert.True(writer.TryAppendDate(new DateOnly(2024, 5, 6)));
            Assert.True(writer.TryAppendDateTime(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc)));

            var column = Build<StringArray>(writer);
            Assert.Equal(["1.5", "-2.25", "true", "2024-05-06", "2024-05-06T07:08:09.0000000Z"], Enumerable.Range(0, column.Length).Select(i => column.GetString(i)));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void TryAppendNull_NotNullableField_Fails()
    {
        var writer = new ArrowValueWriter(new Field("x", Int64Type.Default, nullable: false), TextValueOptions.Invariant);

        Assert.False(writer.TryAppendNull());
        Assert.Equal("is null, but the column is not nullable", writer.Problem);
    }

    [Fact]
    public void Constructor_UnsupportedType_Throws()
    {
        Assert.Throws<NotSupportedException>(() => Writer(new ListType(Int64Type.Default)));
        Assert.Throws<NotSupportedException>(() => Writer(new Decimal128Type(40, 2)));
    }

    private static ArrowValueWriter Writer(IArrowType type) => new(new Field("c", type, true), TextValueOptions.Invariant);

    private static T Build<T>(ArrowValueWriter writer)
        where T : IArrowArray => (T)writer.Build(new CountingMemoryAllocator());
}
