using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.Tests.Kernels;

public class HashKernelTests
{
    public static IEnumerable<object[]> TypeNames() => KernelTestData.TypeNames();

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Hash_EveryType_EqualValuesHashEquallyAndSlicesAgree(string typeName)
    {
        var type = KernelTestData.Types[typeName];
        var values = KernelTestData.Sample(type, 80, seed: 31);
        values.AddRange(values.Take(20));
        using var full = KernelTestData.Build(type, values);
        using var batch = new RecordBatch(KernelTestData.SchemaOf(("c", type)), [full.Retain()], values.Count);
        using var sliced = BatchKernels.Slice(batch, 80, 20);

        using var hashes = BatchKernels.Hash(batch, ["c"]);
        using var slicedHashes = BatchKernels.Hash(sliced, ["c"]);

        Assert.Equal(0, hashes.NullCount);
        Assert.Equal(hashes.Values[..20].ToArray(), hashes.Values[80..].ToArray());
        Assert.Equal(hashes.Values[..20].ToArray(), slicedHashes.Values.ToArray());
        var distinct = values.Select(KernelTestData.Canon).Distinct().Count();
        Assert.Equal(distinct, hashes.Values.ToArray().Distinct().Count());
    }

    [Fact]
    public void Hash_IsStableAcrossProcesses()
    {
        using var batch = KernelTestData.Batch(
            ("i", Int64Type.Default, [42L, null]),
            ("s", StringType.Default, ["iceberg", "x"]));

        using var one = BatchKernels.Hash(batch, ["i"]);
        using var two = BatchKernels.Hash(batch, ["i", "s"]);

        // Golden values: changing them breaks every persisted partitioning and dedup key.
        Assert.Equal(StableHash.XxHash64(42UL), one.GetValue(0));
        Assert.Equal(HashKernel.NullHash, one.GetValue(1));
        Assert.Equal(StableHash.Combine(StableHash.XxHash64(42UL), StableHash.XxHash64("iceberg"u8)), two.GetValue(0));
        Assert.Equal(0xA202FDA7EB7B8278UL, two.GetValue(0));
    }

    [Fact]
    public void Hash_SameNumberInDifferentIntegerTypes_HashesEqually()
    {
        using var batch = KernelTestData.Batch(
            ("a", Int8Type.Default, [(sbyte)-5, (sbyte)7]),
            ("b", Int64Type.Default, [-5L, 7L]),
            ("c", UInt16Type.Default, [(ushort)65000, (ushort)7]),
            ("d", BooleanType.Default, [true, false]),
            ("e", Int32Type.Default, [1, 0]));

        Assert.Equal(BatchKernels.Hash(batch, ["a"]).Values.ToArray(), BatchKernels.Hash(batch, ["b"]).Values.ToArray());
        Assert.Equal(BatchKernels.Hash(batch, ["c"]).GetValue(1), BatchKernels.Hash(batch, ["a"]).GetValue(1));
        Assert.Equal(BatchKernels.Hash(batch, ["d"]).Values.ToArray(), BatchKernels.Hash(batch, ["e"]).Values.ToArray());
    }

    [Fact]
    public void Hash_NegativeZeroAndNaNs_AreNormalised()
    {
        using var batch = KernelTestData.Batch(
            ("d", DoubleType.Default, [0.0, -0.0, double.NaN, BitConverter.Int64BitsToDouble(0x7FF8000000000001)]),
            ("f", FloatType.Default, [0f, -0f, float.NaN, float.NaN]));

        using var d = BatchKernels.Hash(batch, ["d"]);
        using var f = BatchKernels.Hash(batch, ["f"]);

        Assert.Equal(d.GetValue(0), d.GetValue(1));
        Assert.Equal(d.GetValue(2), d.GetValue(3));
        Assert.Equal(d.Values.ToArray(), f.Values.ToArray());
    }

    [Fact]
    public void Hash_ColumnOrderMatters()
    {
        using var batch = KernelTestData.Batch(("a", Int32Type.Default, [1, 2]), ("b", Int32Type.Default, [2, 1]));

        using var ab = BatchKernels.Hash(batch, ["a", "b"]);
        using var ba = BatchKernels.Hash(batch, ["b", "a"]);

        Assert.NotEqual(ab.GetValue(0), ab.GetValue(1));
        Assert.Equal(ab.GetValue(0), ba.GetValue(1));
    }

    [Fact]
    public void Hash_UnknownOrUnsupportedColumns_AreReportedTogether()
    {
        var list = new ListArray.Builder(Int32Type.Default).Build();
        using var batch = new RecordBatch(new Schema([new Field("l", list.Data.DataType, true), new Field("id", Int32Type.Default, true)], null), [list, KernelTestData.Build(Int32Type.Default, [])], 0);

        var e = Assert.Throws<SchemaMismatchException>(() => BatchKernels.Hash(batch, ["l", "ID"]));

        Assert.Equal(2, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("hashing does not support yet", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("did you mean 'id'", StringComparison.Ordinal));
    }
}
