using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using DataEng.Core.Tests.Kernels;
using static DataEng.Core.Tests.Transforms.TransformTestHelpers;

namespace DataEng.Core.Tests.Transforms;

public class DeriveTransformTests
{
    private static readonly DateTimeOffset Noon = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RowLambda_TimestampToDate_LikeTheUsageExample()
    {
        var micros = (Noon - DateTimeOffset.UnixEpoch).Ticks / 10;
        using var input = KernelTestData.Batch(("ts", new TimestampType(TimeUnit.Microsecond, "UTC"), [micros, null]));

        using var output = Run(BatchTransforms.Derive("dt", "ts", (DateTimeOffset ts) => DateOnly.FromDateTime(ts.UtcDateTime)), input);

        Assert.Equal(Date32Type.Default, output.Schema.GetFieldByName("dt").DataType);
        Assert.Equal(new object?[] { 19783, null }, Column(output, "dt"));
        Assert.Equal(["ts", "dt"], output.Schema.FieldsList.Select(f => f.Name));
    }

    public static IEnumerable<object[]> OutputCases()
    {
        yield return Case((long v) => v % 2 == 0, BooleanType.Default, [true, false]);
        yield return Case((long v) => (sbyte)v, Int8Type.Default, [(sbyte)2, (sbyte)3]);
        yield return Case((long v) => (short)v, Int16Type.Default, [(short)2, (short)3]);
        yield return Case((long v) => (int)v, Int32Type.Default, [2, 3]);
        yield return Case((long v) => v * 10, Int64Type.Default, [20L, 30L]);
        yield return Case((long v) => (byte)v, UInt8Type.Default, [(byte)2, (byte)3]);
        yield return Case((long v) => (ushort)v, UInt16Type.Default, [(ushort)2, (ushort)3]);
        yield return Case((long v) => (uint)v, UInt32Type.Default, [2u, 3u]);
        yield return Case((long v) => (ulong)v, UInt64Type.Default, [2ul, 3ul]);
        yield return Case((long v) => v / 2f, FloatType.Default, [1f, 1.5f]);
        yield return Case((long v) => v / 2.0, DoubleType.Default, [1.0, 1.5]);
        yield return Case((long v) => v / 4m, new Decimal128Type(38, 18), [0.5m, 0.75m]);
        yield return Case((long v) => new string('x', (int)v), StringType.Default, ["xx", "xxx"]);
        yield return Case((long v) => new byte[v], BinaryType.Default, ["0x0000", "0x000000"]);
        yield return Case((long v) => new DateOnly(1970, 1, 1).AddDays((int)v), Date32Type.Default, [2, 3]);
        yield return Case((long v) => new DateTime(1970, 1, 1).AddSeconds(v), new TimestampType(TimeUnit.Microsecond, (string?)null), [2_000_000L, 3_000_000L]);
        yield return Case((long v) => DateTimeOffset.UnixEpoch.AddSeconds(v), new TimestampType(TimeUnit.Microsecond, "UTC"), [2_000_000L, 3_000_000L]);
    }

    [Theory]
    [MemberData(nameof(OutputCases))]
    public void RowLambda_EveryOutputType_InfersTheArrowTypeAndKeepsNulls(Delegate function, IArrowType expectedType, object?[] expected)
    {
        using var full = KernelTestData.Build(Int64Type.Default, [99L, 2L, null, 3L]);
        using var sliced = KernelTestData.Sliced(full, 1, 3);
        using var input = new RecordBatch(KernelTestData.SchemaOf(("v", Int64Type.Default)), [sliced.Retain()], 3);
        var derive = (IBatchTransform)typeof(BatchTransforms).GetMethods()
            .Single(m => m.Name == nameof(BatchTransforms.Derive) && m.GetGenericArguments().Length == 2 && m.GetParameters()[2].ParameterType.Name.StartsWith("Func", StringComparison.Ordinal))
            .MakeGenericMethod(function.GetType().GetGenericArguments())
            .Invoke(null, ["out", "v", function, null])!;

        using var output = Run(derive, input);

        Assert.True(SchemaComparer.TypesEqual(expectedType, output.Schema.GetFieldByName("out").DataType));
        Assert.Equal(new[] { expected[0], null, expected[1] }, Column(output, "out"));
    }

    [Fact]
    public void RowLambda_NullableParameter_SeesNulls_AndNullableResultMakesNulls()
    {
        using var input = KernelTestData.Batch(("x", Int32Type.Default, [1, null, -3]));

        using var withDefault = Run(BatchTransforms.Derive("y", "x", (int? v) => v ?? 0), input);
        using var negativesAsNull = Run(BatchTransforms.Derive("y", "x", (int v) => v < 0 ? (int?)null : v * 2), input);
        using var nullString = Run(BatchTransforms.Derive("y", "x", (int v) => v > 0 ? "pos" : null), input);

        Assert.Equal(new object?[] { 1, 0, -3 }, Column(withDefault, "y"));
        Assert.False(withDefault.Schema.GetFieldByName("y").IsNullable);
        Assert.Equal(new object?[] { 2, null, null }, Column(negativesAsNull, "y"));
        Assert.Equal(new object?[] { "pos", null, null }, Column(nullString, "y"));
    }

    [Fact]
    public void RowLambda_TwoInputs_NullIfEitherIsNull()
    {
        using var input = KernelTestData.Batch(("price", new Decimal128Type(10, 2), [1.50m, 2.00m, null]), ("qty", Int32Type.Default, [2, null, 1]));

        using var output = Run(BatchTransforms.Derive("total", "price", "qty", (decimal p, int q) => p * q, DataTypes.Decimal128(12, 2)), input);

        Assert.Equal(new object?[] { 3.00m, null, null }, Column(output, "total"));
        Assert.Equal(new Decimal128Type(12, 2).Scale, ((Decimal128Type)output.Schema.GetFieldByName("total").DataType).Scale);
    }

    [Fact]
    public void Derive_ExistingName_ReplacesTheColumnInPlace()
    {
        using var input = KernelTestData.Batch(("amount", DoubleType.Default, [1.0, 2.0]), ("id", Int64Type.Default, [1L, 2L]));

        using var output = Run(BatchTransforms.Derive("amount", "amount", (double v) => v * 1.5), input);

        Assert.Equal(["amount", "id"], output.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(new object?[] { 1.5, 3.0 }, Column(output, "amount"));
    }

    [Fact]
    public void SpanLambda_NumbersStraightFromAndIntoArrowBuffers()
    {
        using var full = KernelTestData.Build(DoubleType.Default, [100.0, 1.0, null, 3.0]);
        using var sliced = KernelTestData.Sliced(full, 1, 3);
        using var input = new RecordBatch(KernelTestData.SchemaOf(("x", DoubleType.Default)), [sliced.Retain()], 3);
        var calls = 0;

        using var output = Run(BatchTransforms.Derive("y", "x", (ReadOnlySpan<double> x, Span<double> y) =>
        {
            calls++;
            for (var i = 0; i < x.Length; i++)
            {
                y[i] = x[i] * 2;
            }
        }), input);

        Assert.Equal(1, calls);
        Assert.Equal(new object?[] { 2.0, null, 6.0 }, Column(output, "y"));
    }

    [Fact]
    public void SpanLambda_ConvertedTypesAndTwoInputs()
    {
        var days = new DateOnly(2024, 1, 31).DayNumber - DateOnly.FromDayNumber(719162).DayNumber;
        using var input = KernelTestData.Batch(("d", Date32Type.Default, [days, null, days]), ("n", Int32Type.Default, [1, 1, null]));

        using var output = Run(BatchTransforms.Derive("next", "d", "n", (ReadOnlySpan<DateOnly> d, ReadOnlySpan<int> n, Span<DateOnly> next) =>
        {
            for (var i = 0; i < d.Length; i++)
            {
                next[i] = d[i].AddMonths(n[i]);
            }
        }), input);

        Assert.Equal(new object?[] { days + 29, null, null }, Column(output, "next"));
    }

    [Fact]
    public void OutputType_Override_WritesDirectlyOrThroughAStrictCast()
    {
        using var input = KernelTestData.Batch(("x", Int64Type.Default, [1L, 3_000_000_000L]), ("t", new TimestampType(TimeUnit.Nanosecond, "UTC"), [1_234_567_891L, null]));

        using var ns = Run(BatchTransforms.Derive("t2", "t", (DateTimeOffset t) => t.AddTicks(1), DataTypes.Timestamp(TimeUnit.Nanosecond, "UTC")), input);
        var overflow = Assert.Throws<DataFormatException>(() => Run(BatchTransforms.Derive("y", "x", (long v) => v, DataTypes.Int32), input));

        Assert.Equal(new object?[] { 1_234_567_900L, null }, Column(ns, "t2"));
        Assert.Equal("y", overflow.Column);
        Assert.Equal(2, overflow.Row);
        Assert.Contains("3000000000", overflow.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecimalResult_WithMoreDecimalPlacesThanTheScale_FailsNamingRowAndColumn()
    {
        using var input = KernelTestData.Batch(("p", new Decimal128Type(10, 2), [1.00m, 1.99m]));

        var e = Assert.Throws<DataFormatException>(() => Run(BatchTransforms.Derive("vat", "p", (decimal p) => p * 1.19m, DataTypes.Decimal128(10, 2)), input));
        using var rounded = Run(BatchTransforms.Derive("vat", "p", (decimal p) => Math.Round(p * 1.19m, 2), DataTypes.Decimal128(10, 2)), input);

        Assert.Equal(2, e.Row);
        Assert.Equal("vat", e.Column);
        Assert.Contains("2.3681", e.Message, StringComparison.Ordinal);
        Assert.Equal(new object?[] { 1.19m, 2.37m }, Column(rounded, "vat"));
    }

    [Fact]
    public void LocalDateTimeResult_IsRejected()
    {
        using var input = KernelTestData.Batch(("x", Int32Type.Default, [1]));

        var e = Assert.Throws<DataFormatException>(() => Run(BatchTransforms.Derive("t", "x", (int _) => new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Local)), input));

        Assert.Contains("Kind Local", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LambdaThrows_IsWrappedWithRowAndColumns_AndLeaksNothing()
    {
        var allocator = new CountingMemoryAllocator();
        using (var input = KernelTestData.Batch(allocator, ("x", Int32Type.Default, [1, 0, 2])))
        {
            var e = Assert.Throws<DataEngException>(() => Run(BatchTransforms.Derive("y", "x", (int v) => 10 / v), input, allocator));

            Assert.IsType<DivideByZeroException>(e.InnerException);
            Assert.Contains("row 2", e.Message, StringComparison.Ordinal);
            Assert.Contains("'y' from 'x'", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void GetOutputSchema_ReportsEveryProblem()
    {
        var schema = KernelTestData.SchemaOf(("ts", new TimestampType(TimeUnit.Microsecond, "UTC")), ("name", StringType.Default));

        var e = Assert.Throws<SchemaMismatchException>(() => BatchTransforms.Derive("x", "tss", "name", (DateTimeOffset t, int n) => TimeSpan.Zero).GetOutputSchema(schema));
        var span = Assert.Throws<SchemaMismatchException>(() => BatchTransforms.Derive("y", "name", (ReadOnlySpan<string> s, Span<int> o) => { }).GetOutputSchema(schema));
        var cast = Assert.Throws<SchemaMismatchException>(() => BatchTransforms.Derive("z", "ts", (DateTimeOffset t) => t, DataTypes.Int64).GetOutputSchema(schema));

        Assert.Equal(3, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("did you mean 'ts'", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("column 'name' has type utf8 and cannot be read as int (it can be read as string)", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("returns TimeSpan, which has no Arrow type", StringComparison.Ordinal));
        Assert.Contains(span.Problems, p => p.Contains("span lambdas take non-nullable value types", StringComparison.Ordinal));
        Assert.Contains(cast.Problems, p => p.Contains("cannot be converted to int64", StringComparison.Ordinal));
    }

    [Fact]
    public void EmptyBatch_GoesThroughEveryTransformAndKernel()
    {
        var allocator = new CountingMemoryAllocator();
        using (var input = KernelTestData.Batch(allocator, ("x", Int32Type.Default, []), ("s", StringType.Default, []), ("b", BooleanType.Default, [])))
        {
            using var derived = Run(BatchTransforms.Derive("y", "s", (string s) => s.Length), input, allocator);
            using var cast = Run(BatchTransforms.Cast(new Dictionary<string, IArrowType> { ["x"] = DataTypes.String }), derived, allocator);
            using var filtered = Run(BatchTransforms.Filter(RowPredicate.Column("y").GreaterThan(0)), cast, allocator);
            using var hashed = Run(BatchTransforms.Hash("h", "x", "s"), filtered, allocator);
            using var taken = BatchKernels.Take(hashed, [], allocator);
            using var joined = BatchKernels.Concatenate([taken, hashed], allocator);

            Assert.Equal(0, joined.Length);
            Assert.Equal(["x", "s", "b", "y", "h"], joined.Schema.FieldsList.Select(f => f.Name));
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    private static object[] Case<TOut>(Func<long, TOut> function, IArrowType type, object?[] expected) => [function, type, expected];
}
