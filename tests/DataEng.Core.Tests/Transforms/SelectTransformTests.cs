using Apache.Arrow.Types;
using DataEng.Core.Testing;
using DataEng.Core.Tests.Kernels;
using static DataEng.Core.Tests.Transforms.TransformTestHelpers;

namespace DataEng.Core.Tests.Transforms;

public class SelectTransformTests
{
    [Fact]
    public void Apply_ReordersColumns_OutputOutlivesTheInput()
    {
        var allocator = new CountingMemoryAllocator();
        var input = KernelTestData.Batch(allocator, ("id", Int64Type.Default, [1L, 2L]), ("name", StringType.Default, ["a", null]), ("x", DoubleType.Default, [1.0, 2.0]));
        var before = allocator.TotalAllocations;

        var output = Run(BatchTransforms.Select("x", "id"), input, allocator);
        input.Dispose();

        Assert.Equal(before, allocator.TotalAllocations);
        Assert.Equal(["x", "id"], output.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(new object?[] { 1L, 2L }, Column(output, "id"));
        output.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void GetOutputSchema_UnknownAndDuplicateColumns_ListsEveryProblemWithHints()
    {
        var schema = KernelTestData.SchemaOf(("customer_id", Int64Type.Default), ("amount", DoubleType.Default));

        var e = Assert.Throws<SchemaMismatchException>(() => BatchTransforms.Select("customerid", "amount", "amount", "zzz").GetOutputSchema(schema));

        Assert.Equal(3, e.Problems.Count);
        Assert.Contains("unknown column 'customerid' (did you mean 'customer_id'?)", e.Problems[0], StringComparison.Ordinal);
        Assert.Contains(e.Problems, p => p.StartsWith("unknown column 'zzz'; the input has: customer_id, amount", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p == "duplicate column name 'amount' in the selection");
    }

    [Fact]
    public void Select_NoColumns_IsAnArgumentError() => Assert.Throws<ArgumentException>(() => BatchTransforms.Select());
}
