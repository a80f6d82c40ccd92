using Apache.Arrow.Types;
using DataEng.Core.Testing;
using DataEng.Core.Tests.Kernels;
using static DataEng.Core.Tests.Transforms.TransformTestHelpers;

namespace DataEng.Core.Tests.Transforms;

public class RenameTransformTests
{
    [Fact]
    public void Apply_RenamesWithoutCopying_KeepingTypesAndNullability()
    {
        var allocator = new CountingMemoryAllocator();
        using var input = KernelTestData.Batch(allocator, ("amount", DoubleType.Default, [1.5, null]), ("id", Int64Type.Default, [1L, 2L]));
        var before = allocator.TotalAllocations;

        using var output = Run(BatchTransforms.Rename(new Dictionary<string, string> { ["amount"] = "amount_eur" }), input, allocator);

        Assert.Equal(before, allocator.TotalAllocations);
        Assert.Equal(["amount_eur", "id"], output.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(new object?[] { 1.5, null }, Column(output, "amount_eur"));
    }

    [Fact]
    public void GetOutputSchema_UnknownNameAndCollision_AreBothReported()
    {
        var schema = KernelTestData.SchemaOf(("a", Int32Type.Default), ("b", Int32Type.Default));

        var e = Assert.Throws<SchemaMismatchException>(() => BatchTransforms.Rename(new Dictionary<string, string> { ["A"] = "x", ["a"] = "b" }).GetOutputSchema(schema));

        Assert.Equal(2, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("unknown column 'A' (did you mean 'a'?)", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p == "duplicate column name 'b' in the output");
    }

    [Fact]
    public void Rename_SwappingTwoNames_IsAllowed()
    {
        using var input = KernelTestData.Batch(("a", Int32Type.Default, [1]), ("b", Int32Type.Default, [2]));

        using var output = Run(BatchTransforms.Rename(new Dictionary<string, string> { ["a"] = "b", ["b"] = "a" }), input);

        Assert.Equal(new object?[] { 2 }, Column(output, "a"));
    }
}
