using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using DataEng.Core.Tests.Kernels;
using static DataEng.Core.Tests.Transforms.TransformTestHelpers;

namespace DataEng.Core.Tests.Transforms;

public class FilterTransformTests
{
    [Fact]
    public void Apply_KeepsMatchingRowsOfEveryColumn()
    {
        var allocator = new CountingMemoryAllocator();
        using (var input = KernelTestData.Batch(allocator,
            ("amount", DoubleType.Default, [10.0, -1.0, null, 3.5]),
            ("currency", StringType.Default, ["EUR", "USD", "EUR", "GBP"]),
            ("day", Date32Type.Default, [1, 2, 3, 4])))
        {
            var filter = BatchTransforms.Filter(RowPredicate.Column("amount").GreaterThan(0) & RowPredicate.Column("currency").In("EUR", "USD"));

            using var output = Run(filter, input, allocator);

            Assert.Equal(new object?[] { 10.0 }, Column(output, "amount"));
            Assert.Equal(new object?[] { "EUR" }, Column(output, "currency"));
            Assert.Equal(new object?[] { 1 }, Column(output, "day"));
            Assert.StartsWith("filter (amount > 0 AND currency IN", filter.Name, StringComparison.Ordinal);
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void Apply_SlicedBatch_FiltersTheVisibleRowsOnly()
    {
        using var full = KernelTestData.Batch(("x", Int32Type.Default, [1, 2, 3, 4, 5, 6]), ("s", StringType.Default, ["a", "b", "c", "d", "e", "f"]));
        using var sliced = BatchKernels.Slice(full, 2, 3);

        using var output = Run(BatchTransforms.Filter(RowPredicate.Column("x").NotEqualTo(4)), sliced);

        Assert.Equal(new object?[] { "c", "e" }, Column(output, "s"));
    }

    [Fact]
    public void GetOutputSchema_UncopyableColumnAndBadPredicate_AreReportedTogether()
    {
        var schema = new Schema([new Field("tags", new ListType(StringType.Default), true), new Field("x", Int32Type.Default, true)], null);

        var e = Assert.Throws<SchemaMismatchException>(() => BatchTransforms.Filter(RowPredicate.Column("x").EqualTo("one")).GetOutputSchema(schema));

        Assert.Equal(2, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("'tags'", StringComparison.Ordinal) && p.Contains("cannot copy yet", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("cannot compare a int32 column with a string value", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_RowLambdaThrows_SurfacesTheException()
    {
        using var input = KernelTestData.Batch(("x", Int32Type.Default, [1, 0]));
        var filter = BatchTransforms.Filter(RowPredicate.Column("x").Where((int v) => 10 / v > 1));

        Assert.Throws<DivideByZeroException>(() => Run(filter, input));
    }
}
