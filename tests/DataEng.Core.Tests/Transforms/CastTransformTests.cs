using Apache.Arrow.Types;
using DataEng.Core.Testing;
using DataEng.Core.Tests.Kernels;
using static DataEng.Core.Tests.Transforms.TransformTestHelpers;

namespace DataEng.Core.Tests.Transforms;

public class CastTransformTests
{
    [Fact]
    public void Apply_CastsListedColumns_AndPassesTheOthersWithoutCopying()
    {
        var allocator = new CountingMemoryAllocator();
        using (var input = KernelTestData.Batch(allocator, ("id", StringType.Default, ["1", "22", null]), ("x", DoubleType.Default, [1.0, 2.0, 3.0])))
        {
            var cast = BatchTransforms.Cast(new Dictionary<string, IArrowType> { ["id"] = DataTypes.Int64 });

            using var output = Run(cast, input, allocator);

            Assert.Equal(new object?[] { 1L, 22L, null }, Column(output, "id"));
            Assert.True(input.Column(1).Data.Buffers[1].Span == output.Column(1).Data.Buffers[1].Span);
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void Apply_BadValue_NamesStageColumnRowAndValue_AndLeaksNothing()
    {
        var allocator = new CountingMemoryAllocator();
        using (var input = KernelTestData.Batch(allocator, ("a", StringType.Default, ["1", "2"]), ("customer_id", Int64Type.Default, [1L, 5_000_000_000L])))
        {
            var cast = BatchTransforms.Cast(new Dictionary<string, IArrowType> { ["a"] = DataTypes.Int32, ["customer_id"] = DataTypes.Int32 });

            var e = Assert.Throws<DataFormatException>(() => Run(cast, input, allocator));

            Assert.Equal("cast a, customer_id", e.Source);
            Assert.Equal("customer_id", e.Column);
            Assert.Equal(2, e.Row);
            Assert.Contains("5000000000", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void GetOutputSchema_ReportsEveryProblem()
    {
        var schema = KernelTestData.SchemaOf(("day", Date32Type.Default), ("amount", DoubleType.Default), ("tags", BinaryType.Default));

        var e = Assert.Throws<SchemaMismatchException>(() => BatchTransforms.Cast(new Dictionary<string, IArrowType>
        {
            ["day"] = DataTypes.Int32,
            ["amout"] = DataTypes.Decimal128(10, 2),
            ["tags"] = new Decimal256Type(40, 0),
        }).GetOutputSchema(schema));

        Assert.Equal(3, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("no cast from date32 to int32", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("did you mean 'amount'", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("decimal256(40, 0)", StringComparison.Ordinal) && p.Contains("not supported yet", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_AreCopied_SoLaterChangesHaveNoEffect()
    {
        var options = new CastOptions { InvalidToNull = true };
        var cast = BatchTransforms.Cast(new Dictionary<string, IArrowType> { ["x"] = DataTypes.Int32 }, options);
        options.InvalidToNull = false;
        using var input = KernelTestData.Batch(("x", StringType.Default, ["1", "x"]));

        using var output = Run(cast, input);

        Assert.Equal(new object?[] { 1, null }, Column(output, "x"));
        Assert.True(output.Schema.GetFieldByName("x").IsNullable);
    }
}
