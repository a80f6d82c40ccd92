using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using CsCheck;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Kernels;

public class RowPredicateTests
{
    public static IEnumerable<object[]> TypeNames() => KernelTestData.TypeNames();

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Comparisons_EveryTypeAndOperator_MatchARowByRowOracle(string typeName)
    {
        var type = KernelTestData.Types[typeName];
        var values = KernelTestData.Sample(type, 200, seed: 11);
        using var full = KernelTestData.Build(type, values);
        using var sliced = KernelTestData.Sliced(full, 7, 150);
        var rows = values.Skip(7).Take(150).ToList();
        using var batch = new RecordBatch(KernelTestData.SchemaOf(("c", type)), [sliced.Retain()], 150);
        var scalar = Scalar(type, rows.First(v => v is not null)!);
        var column = RowPredicate.Column("c");
        var cases = new (RowPredicate RowPredicate, Func<int, bool> Keep)[]
        {
            (column.EqualTo(scalar), c => c == 0),
            (column.NotEqualTo(scalar), c => c != 0),
            (column.LessThan(scalar), c => c < 0),
            (column.LessThanOrEqualTo(scalar), c => c <= 0),
            (column.GreaterThan(scalar), c => c > 0),
            (column.GreaterThanOrEqualTo(scalar), c => c >= 0),
        };

        foreach (var (predicate, keep) in cases)
        {
            using var filtered = BatchKernels.Filter(batch, predicate);

            var expected = rows.Where(v => v is not null && keep(Compare(type, v, scalar))).Select(KernelTestData.Canon).ToList();
            Assert.Equal(expected, KernelTestData.Values(filtered.Column(0)));
        }
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void NullChecks_EveryType_SplitTheRows(string typeName)
    {
        var type = KernelTestData.Types[typeName];
        var values = KernelTestData.Sample(type, 100, seed: 12);
        using var batch = KernelTestData.Batch(("c", type, values));

        using var nulls = BatchKernels.Filter(batch, RowPredicate.Column("c").IsNull());
        using var notNulls = BatchKernels.Filter(batch, RowPredicate.Column("c").IsNotNull());

        Assert.Equal(values.Count(v => v is null), nulls.Length);
        Assert.All(KernelTestData.Values(nulls.Column(0)), Assert.Null);
        Assert.Equal(KernelTestData.Canon(values.Where(v => v is not null)), KernelTestData.Values(notNulls.Column(0)));
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void In_EveryType_KeepsMembers(string typeName)
    {
        var type = KernelTestData.Types[typeName];
        var values = KernelTestData.Sample(type, 100, seed: 13);
        using var batch = KernelTestData.Batch(("c", type, values));
        var members = values.Where(v => v is not null).Take(3).ToList();

        using var filtered = BatchKernels.Filter(batch, RowPredicate.Column("c").In(members.Select(m => Scalar(type, m!)).ToArray()));

        var scalars = members.Select(m => Scalar(type, m!)).ToList();
        Assert.Equal(KernelTestData.Canon(values.Where(v => v is not null && scalars.Any(s => Compare(type, v, s) == 0))), KernelTestData.Values(filtered.Column(0)));
    }

    [Fact]
    public void Not_OfAComparison_DropsNullsLikeSql()
    {
        using var batch = KernelTestData.Batch(("x", Int64Type.Default, [1L, null, -1L, 5L]));

        using var filtered = BatchKernels.Filter(batch, !RowPredicate.Column("x").GreaterThan(0));

        Assert.Equal(new object?[] { -1L }, KernelTestData.Values(filtered.Column(0)));
    }

    [Fact]
    public void OrWithUnknown_IsTrueWhenTheOtherSideIsTrue_AndAndWithUnknownIsNeverTrue()
    {
        using var batch = KernelTestData.Batch(("x", Int64Type.Default, [null, null, 3L]), ("y", Int64Type.Default, [1L, -1L, null]));
        var x = RowPredicate.Column("x").GreaterThan(0);
        var y = RowPredicate.Column("y").GreaterThan(0);

        using var or = BatchKernels.Filter(batch, x | y);
        using var and = BatchKernels.Filter(batch, x & y);
        using var notAnd = BatchKernels.Filter(batch, !(x & y));

        Assert.Equal(new object?[] { 1L, null }, KernelTestData.Values(or.Column(1)));
        Assert.Equal(0, and.Length);
        Assert.Equal(new object?[] { -1L }, KernelTestData.Values(notAnd.Column(1)));
    }

    [Theory]
    [InlineData(2.5, new long[] { 3, 4 })]
    [InlineData(-2.5, new long[] { -2, 0, 3, 4 })]
    [InlineData(1e30, new long[0])]
    [InlineData(double.NaN, new long[0])]
    public void GreaterThan_ScalarTheColumnCannotHold_ComparesAsTheRealNumber(double scalar, long[] expected)
    {
        using var batch = KernelTestData.Batch(("x", Int64Type.Default, [-3L, -2L, 0L, 3L, 4L]));

        using var filtered = BatchKernels.Filter(batch, RowPredicate.Column("x").GreaterThan(scalar));

        Assert.Equal(expected.Cast<object?>(), KernelTestData.Values(filtered.Column(0)));
    }

    [Fact]
    public void EqualTo_OutOfRangeScalarOnNarrowColumn_MatchesNothingAndNotEqualMatchesAll()
    {
        using var batch = KernelTestData.Batch(("x", Int8Type.Default, [(sbyte)1, (sbyte)-128, (sbyte)127]));

        using var equal = BatchKernels.Filter(batch, RowPredicate.Column("x").EqualTo(1000));
        using var less = BatchKernels.Filter(batch, RowPredicate.Column("x").LessThan(1000));
        using var notEqual = BatchKernels.Filter(batch, RowPredicate.Column("x").NotEqualTo(-1000L));

        Assert.Equal(0, equal.Length);
        Assert.Equal(3, less.Length);
        Assert.Equal(3, notEqual.Length);
    }

    [Fact]
    public void Decimal_ComparisonWithMoreDigitsThanTheScale_IsExact()
    {
        var type = new Decimal128Type(10, 2);
        using var batch = KernelTestData.Batch(("d", type, [1.00m, 1.01m, -1.00m, -1.01m]));

        using var above = BatchKernels.Filter(batch, RowPredicate.Column("d").GreaterThan(1.005m));
        using var belowNegative = BatchKernels.Filter(batch, RowPredicate.Column("d").LessThan(-1.005m));
        using var equal = BatchKernels.Filter(batch, RowPredicate.Column("d").EqualTo(1.010m));

        Assert.Equal(new object?[] { 1.01m }, KernelTestData.Values(above.Column(0)));
        Assert.Equal(new object?[] { -1.01m }, KernelTestData.Values(belowNegative.Column(0)));
        Assert.Equal(new object?[] { 1.01m }, KernelTestData.Values(equal.Column(0)));
    }

    [Fact]
    public void Timestamps_CompareWithTextDateTimeOffsetAndDateOnly()
    {
        var type = new TimestampType(TimeUnit.Millisecond, "UTC");
        var t0 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        using var batch = KernelTestData.Batch(("ts", type, [t0 - 1, t0, t0 + 1]));

        using var text = BatchKernels.Filter(batch, RowPredicate.Column("ts").GreaterThanOrEqualTo("2024-01-01T01:00:00+01:00"));
        using var offset = BatchKernels.Filter(batch, RowPredicate.Column("ts").LessThan(new DateTimeOffset(2024, 1, 1, 1, 0, 0, TimeSpan.FromHours(1))));
        using var date = BatchKernels.Filter(batch, RowPredicate.Column("ts").EqualTo(new DateOnly(2024, 1, 1)));

        Assert.Equal(new object?[] { t0, t0 + 1 }, KernelTestData.Values(text.Column(0)));
        Assert.Equal(new object?[] { t0 - 1 }, KernelTestData.Values(offset.Column(0)));
        Assert.Equal(new object?[] { t0 }, KernelTestData.Values(date.Column(0)));
    }

    [Fact]
    public void Strings_CompareByUtf8BytesWithoutCreatingStrings()
    {
        using var batch = KernelTestData.Batch(("s", StringType.Default, ["apple", "Äpfel", "banana", "", null, "😀"]));

        using var less = BatchKernels.Filter(batch, RowPredicate.Column("s").LessThan("b"));
        using var @in = BatchKernels.Filter(batch, RowPredicate.Column("s").In("banana", "", "nope"));

        Assert.Equal(new object?[] { "apple", "" }, KernelTestData.Values(less.Column(0)));
        Assert.Equal(new object?[] { "banana", "" }, KernelTestData.Values(@in.Column(0)));
    }

    [Fact]
    public void RowLambda_WideningRead_GetsOnlyNonNullValues()
    {
        using var batch = KernelTestData.Batch(("x", Int32Type.Default, [1, null, 3, -4]));
        var seen = new List<long>();

        using var filtered = BatchKernels.Filter(batch, RowPredicate.Column("x").Where((long v) =>
        {
            seen.Add(v);
            return v > 0;
        }));

        Assert.Equal([1L, 3L, -4L], seen);
        Assert.Equal(new object?[] { 1, 3 }, KernelTestData.Values(filtered.Column(0)));
    }

    [Fact]
    public void SpanLambda_OverMatchingType_SeesTheArrowBufferInOneChunk()
    {
        using var full = KernelTestData.Build(DoubleType.Default, [1.0, -2.0, 3.0, null, 5.0, -6.0]);
        using var sliced = KernelTestData.Sliced(full, 1, 5);
        using var batch = new RecordBatch(KernelTestData.SchemaOf(("x", DoubleType.Default)), [sliced.Retain()], 5);
        var calls = 0;

        using var filtered = BatchKernels.Filter(batch, RowPredicate.Column("x").Where((ReadOnlySpan<double> values, Span<bool> keep) =>
        {
            calls++;
            for (var i = 0; i < values.Length; i++)
            {
                keep[i] = values[i] > 0 || double.IsNaN(values[i]);
            }
        }));

        Assert.Equal(1, calls);
        Assert.Equal(new object?[] { 3.0, 5.0 }, KernelTestData.Values(filtered.Column(0)));
    }

    [Fact]
    public void SpanLambda_OverConvertedType_GetsDates()
    {
        var days = new DateOnly(2024, 2, 29).DayNumber - new DateOnly(1970, 1, 1).DayNumber;
        using var batch = KernelTestData.Batch(("d", Date32Type.Default, [days, null, days + 1]));

        using var filtered = BatchKernels.Filter(batch, RowPredicate.Column("d").Where((ReadOnlySpan<DateOnly> values, Span<bool> keep) =>
        {
            for (var i = 0; i < values.Length; i++)
            {
                keep[i] = values[i].Month == 2;
            }
        }));

        Assert.Equal(new object?[] { days }, KernelTestData.Values(filtered.Column(0)));
    }

    [Fact]
    public void Utf8Lambda_FiltersStringsByBytes()
    {
        using var batch = KernelTestData.Batch(("s", StringType.Default, ["EUR-1", "USD-2", null, "EUR-3"]));

        using var filtered = BatchKernels.Filter(batch, RowPredicate.Column("s").WhereUtf8(static utf8 => utf8.StartsWith("EUR"u8)));

        Assert.Equal(new object?[] { "EUR-1", "EUR-3" }, KernelTestData.Values(filtered.Column(0)));
    }

    [Fact]
    public void Filter_EveryRowPasses_SharesTheInputInsteadOfCopying()
    {
        var allocator = new CountingMemoryAllocator();
        var batch = KernelTestData.Batch(allocator, ("x", Int64Type.Default, [1L, 2L, 3L]));
        var before = allocator.TotalAllocations;

        var filtered = BatchKernels.Filter(batch, RowPredicate.Column("x").GreaterThan(0), allocator);
        batch.Dispose();

        Assert.Equal(before, allocator.TotalAllocations);
        Assert.Equal(3, filtered.Length);
        filtered.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void Filter_ProblemsInEveryCondition_AreReportedTogether()
    {
        using var batch = KernelTestData.Batch(("amount", DoubleType.Default, [1.0]), ("currency", StringType.Default, ["EUR"]), ("day", Date32Type.Default, [1]));
        var predicate = RowPredicate.Column("amont").GreaterThan(0)
            & RowPredicate.Column("currency").EqualTo(5)
            & RowPredicate.Column("day").Where((string s) => s.Length > 0)
            & RowPredicate.Column("day").EqualTo("not a date");

        var e = Assert.Throws<SchemaMismatchException>(() => BatchKernels.Filter(batch, predicate));

        Assert.Equal(4, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("did you mean 'amount'", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("cannot compare a utf8 column with a int value", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("cannot be read as string", StringComparison.Ordinal) && p.Contains("DateOnly", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("'not a date'", StringComparison.Ordinal));
    }

    [Fact]
    public void ToString_ReadsLikeSql()
    {
        var predicate = RowPredicate.Column("amount").GreaterThan(0) & !RowPredicate.Column("currency").In("EUR", "USD") | RowPredicate.Column("x").IsNull();

        Assert.Equal("((amount > 0 AND NOT currency IN ('EUR', 'USD')) OR x IS NULL)", predicate.ToString());
    }

    [Fact]
    public void Filter_EqualsLinqWhere_OnRandomDataAndPredicates()
    {
        var rows = Gen.Select(Gen.Int[-5, 5].Nullable(), Gen.Int[-3, 3].Nullable()).Array[0, 200];
        var thresholds = Gen.Select(Gen.Int[-6, 6], Gen.Int[-4, 4], Gen.Int[0, 7]);
        Gen.Select(rows, thresholds).Sample((data, t) =>
        {
            var (a, b, shape) = t;
            using var batch = KernelTestData.Batch(
                ("x", Int32Type.Default, [.. data.Select(r => (object?)r.Item1)]),
                ("y", Int64Type.Default, [.. data.Select(r => r.Item2 is null ? null : (object?)(long)r.Item2)]));
            var x = RowPredicate.Column("x").GreaterThan(a);
            var y = RowPredicate.Column("y").LessThanOrEqualTo(b);
            var ny = RowPredicate.Column("y").IsNull();
            (RowPredicate RowPredicate, Func<int?, int?, bool?> Oracle) test = shape switch
            {
                0 => (x, (p, q) => Gt(p, a)),
                1 => (x & y, (p, q) => And(Gt(p, a), Le(q, b))),
                2 => (x | y, (p, q) => Or(Gt(p, a), Le(q, b))),
                3 => (!(x & y), (p, q) => Not(And(Gt(p, a), Le(q, b)))),
                4 => (x | ny, (p, q) => Or(Gt(p, a), q is null)),
                5 => (!x & !ny, (p, q) => And(Not(Gt(p, a)), q is not null)),
                6 => (RowPredicate.Column("x").In(a, b), (p, q) => p is null ? null : p == a || p == b),
                _ => (RowPredicate.Column("x").Where((int v) => v % 2 == 0) | y, (p, q) => Or(p is null ? null : p % 2 == 0, Le(q, b))),
            };

            using var filtered = BatchKernels.Filter(batch, test.RowPredicate);

            var expected = data.Where(r => test.Oracle(r.Item1, r.Item2) == true).Select(r => (object?)r.Item1).ToList();
            Assert.Equal(expected, KernelTestData.Values(filtered.Column(0)));
        }, iter: 300);
    }

    // C#'s lifted comparisons return false for null; SQL's return unknown.
    private static bool? Gt(int? value, int scalar) => value is null ? null : value > scalar;

    private static bool? Le(int? value, int scalar) => value is null ? null : value <= scalar;

    private static bool? And(bool? a, bool? b) => a == false || b == false ? false : a == true && b == true ? true : null;

    private static bool? Or(bool? a, bool? b) => a == true || b == true ? true : a == false && b == false ? false : null;

    private static bool? Not(bool? a) => a is null ? null : !a;

    /// <summary>The scalar a user would pass for a sampled value.</summary>
    private static object Scalar(IArrowType type, object value) => type switch
    {
        Date32Type => DateOnly.FromDayNumber((int)value + 719162),
        TimestampType t => new DateTimeOffset(Ticks(t.Unit, (long)value), TimeSpan.Zero),
        _ => value,
    };

    private static long Ticks(TimeUnit unit, long value) => 621355968000000000L + unit switch
    {
        TimeUnit.Second => value * 10_000_000,
        TimeUnit.Millisecond => value * 10_000,
        TimeUnit.Microsecond => value * 10,
        _ => (long)Math.Floor(value / 100.0),
    };

    /// <summary>Independent oracle: compares a sampled value with a scalar as real numbers, bytes or instants.</summary>
    private static int Compare(IArrowType type, object value, object scalar) => type switch
    {
        BooleanType => ((bool)value).CompareTo((bool)scalar),
        FloatType => ((float)value).CompareTo((float)scalar),
        DoubleType => ((double)value).CompareTo((double)scalar),
        Decimal128Type => ((decimal)value).CompareTo((decimal)scalar),
        StringType => Encoding.UTF8.GetBytes((string)value).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes((string)scalar)),
        BinaryType => ((byte[])value).AsSpan().SequenceCompareTo((byte[])scalar),
        Date32Type => ((int)value).CompareTo(((DateOnly)scalar).DayNumber - 719162),
        TimestampType t => (Nanos(t.Unit, (long)value)).CompareTo((Int128)(((DateTimeOffset)scalar).UtcTicks - 621355968000000000L) * 100),
        _ => Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture).CompareTo(Convert.ToDecimal(scalar, System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static Int128 Nanos(TimeUnit unit, long value) => (Int128)value * unit switch
    {
        TimeUnit.Second => 1_000_000_000,
        TimeUnit.Millisecond => 1_000_000,
        TimeUnit.Microsecond => 1_000,
        _ => 1,
    };
}
