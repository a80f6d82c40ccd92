using Apache.Arrow;
using Apache.Arrow.Types;
using CsCheck;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Kernels;

public class BatchKernelsTests
{
    public static IEnumerable<object[]> TypeNames() => KernelTestData.TypeNames();

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Take_EveryType_GathersValuesAndNulls(string typeName)
    {
        var type = KernelTestData.Types[typeName];
        var values = KernelTestData.Sample(type, 150, seed: 1);
        var allocator = new CountingMemoryAllocator();
        using (var batch = KernelTestData.Batch(allocator, ("c", type, values)))
        {
            int[] indices = [5, 0, 149, 5, 77, 3, 3, 100];
            using var taken = BatchKernels.Take(batch, indices, allocator);

            Assert.Equal(KernelTestData.Canon(indices.Select(i => values[i])), KernelTestData.Values(taken.Column(0)));
            Assert.Equal(indices.Count(i => values[i] is null), taken.Column(0).NullCount);
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Take_SlicedInput_HonoursTheOffset(string typeName)
    {
        var type = KernelTestData.Types[typeName];
        var values = KernelTestData.Sample(type, 100, seed: 2);
        using var full = KernelTestData.Build(type, values);
        using var sliced = KernelTestData.Sliced(full, 13, 70);
        using var batch = new RecordBatch(KernelTestData.SchemaOf(("c", type)), [sliced.Retain()], 70);
        int[] indices = [0, 69, 1, 33, 2];

        using var taken = BatchKernels.Take(batch, indices);

        Assert.Equal(KernelTestData.Canon(indices.Select(i => values[13 + i])), KernelTestData.Values(taken.Column(0)));
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Concatenate_SlicedAndPlainBatches_KeepsEveryRowInOrder(string typeName)
    {
        var type = KernelTestData.Types[typeName];
        var a = KernelTestData.Sample(type, 37, seed: 3);
        var b = KernelTestData.Sample(type, 64, seed: 4, nullRate: 0);
        var c = KernelTestData.Sample(type, 90, seed: 5);
        var schema = KernelTestData.SchemaOf(("c", type));
        var allocator = new CountingMemoryAllocator();
        using (var first = new RecordBatch(schema, [KernelTestData.Build(type, a, allocator)], a.Count))
        using (var second = new RecordBatch(schema, [KernelTestData.Build(type, b, allocator)], b.Count))
        using (var thirdFull = new RecordBatch(schema, [KernelTestData.Build(type, c, allocator)], c.Count))
        using (var third = BatchKernels.Slice(thirdFull, 11, 50))
        using (var all = BatchKernels.Concatenate([first, second, third], allocator))
        {
            Assert.Equal(KernelTestData.Canon([.. a, .. b, .. c.Skip(11).Take(50)]), KernelTestData.Values(all.Column(0)));
            Assert.Equal(37 + 64 + 50, all.Length);
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void Concatenate_DifferentSchemas_ThrowsSchemaMismatch()
    {
        using var a = KernelTestData.Batch(("x", Int32Type.Default, [1]));
        using var b = KernelTestData.Batch(("x", Int64Type.Default, [1L]));

        var e = Assert.Throws<SchemaMismatchException>(() => BatchKernels.Concatenate([a, b]));

        Assert.Contains("int64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slice_SharesBuffersAndOutlivesTheInput()
    {
        var allocator = new CountingMemoryAllocator();
        var batch = KernelTestData.Batch(allocator, ("x", Int64Type.Default, [1L, 2L, null, 4L, 5L]));
        var before = allocator.TotalAllocations;

        var slice = BatchKernels.Slice(batch, 1, 3);
        batch.Dispose();

        Assert.Equal(before, allocator.TotalAllocations);
        Assert.Equal(new object?[] { 2L, null, 4L }, KernelTestData.Values(slice.Column(0)));
        slice.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void Select_ReordersWithoutCopying_AndRejectsUnknownNamesWithAHint()
    {
        var allocator = new CountingMemoryAllocator();
        var batch = KernelTestData.Batch(allocator, ("id", Int64Type.Default, [1L, 2L]), ("name", StringType.Default, ["a", null]));
        var before = allocator.TotalAllocations;

        var selected = BatchKernels.Select(batch, "name", "id");
        batch.Dispose();

        Assert.Equal(before, allocator.TotalAllocations);
        Assert.Equal(["name", "id"], selected.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(new object?[] { "a", null }, KernelTestData.Values(selected.Column(0)));
        var e = Assert.Throws<SchemaMismatchException>(() => BatchKernels.Select(selected, "Name", "idd"));
        Assert.Contains("did you mean 'name'", e.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'id'", e.Message, StringComparison.Ordinal);
        selected.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void Rename_DuplicateResult_IsRejected()
    {
        using var batch = KernelTestData.Batch(("a", Int32Type.Default, [1]), ("b", Int32Type.Default, [2]));

        var e = Assert.Throws<SchemaMismatchException>(() => BatchKernels.Rename(batch, new Dictionary<string, string> { ["a"] = "b" }));

        Assert.Contains("duplicate column name 'b'", e.Message, StringComparison.Ordinal);
        using var renamed = BatchKernels.Rename(batch, new Dictionary<string, string> { ["a"] = "c" });
        Assert.Equal(["c", "b"], renamed.Schema.FieldsList.Select(f => f.Name));
    }

    [Fact]
    public void Take_IndexOutsideTheBatch_Throws()
    {
        using var batch = KernelTestData.Batch(("a", Int32Type.Default, [1, 2]));

        Assert.Throws<ArgumentOutOfRangeException>(() => BatchKernels.Take(batch, [0, 2]));
    }

    [Fact]
    public void Take_ListColumn_IsNotSupportedAndSaysSo()
    {
        var list = new ListArray.Builder(Int32Type.Default).Build();
        using var batch = new RecordBatch(new Schema([new Field("l", list.Data.DataType, true)], null), [list], 0);

        var e = Assert.Throws<NotSupportedException>(() => BatchKernels.Take(batch, []));

        Assert.Contains("'l'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TakeThenConcatenate_RoundTripsAnyPartition()
    {
        var type = new Decimal128Type(20, 4);
        Gen.Int[0, 120].SelectMany(n => Gen.Int[0, Math.Max(0, n)].Select(cut => (n, cut)))
            .Sample((n, cut) =>
            {
                var values = KernelTestData.Sample(type, n, seed: n * 31 + cut);
                using var batch = KernelTestData.Batch(("d", type, values), ("s", StringType.Default, KernelTestData.Sample(StringType.Default, n, seed: cut)));
                using var head = BatchKernels.Take(batch, [.. Enumerable.Range(0, cut)]);
                using var tail = BatchKernels.Take(batch, [.. Enumerable.Range(cut, n - cut)]);
                using var joined = BatchKernels.Concatenate([head, tail]);
                Assert.Equal(KernelTestData.Values(batch.Column(0)), KernelTestData.Values(joined.Column(0)));
                Assert.Equal(KernelTestData.Values(batch.Column(1)), KernelTestData.Values(joined.Column(1)));
            }, iter: 100);
    }

    [Fact]
    public void SliceThenConcatenate_EqualsTheOriginal()
    {
        Gen.Int[1, 200].SelectMany(n => Gen.Int[0, n].Select(cut => (n, cut)))
            .Sample((n, cut) =>
            {
                var values = KernelTestData.Sample(BooleanType.Default, n, seed: n + cut);
                using var batch = KernelTestData.Batch(("b", BooleanType.Default, values));
                using var head = BatchKernels.Slice(batch, 0, cut);
                using var tail = BatchKernels.Slice(batch, cut, n - cut);
                using var joined = BatchKernels.Concatenate([head, tail]);
                Assert.Equal(values, KernelTestData.Values(joined.Column(0)));
            }, iter: 100);
    }

    [Fact]
    public void Take_RandomIndices_MatchesIndexingTheValues()
    {
        var type = StringType.Default;
        Gen.Int[1, 150].SelectMany(n => Gen.Int[0, n - 1].Array[0, 300].Select(indices => (n, indices)))
            .Sample((n, indices) =>
            {
                var values = KernelTestData.Sample(type, n, seed: n);
                using var batch = KernelTestData.Batch(("s", type, values));
                using var taken = BatchKernels.Take(batch, indices);
                Assert.Equal(indices.Select(i => values[i]), KernelTestData.Values(taken.Column(0)));
            }, iter: 100);
    }
}
