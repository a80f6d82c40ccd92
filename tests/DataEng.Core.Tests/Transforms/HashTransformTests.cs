using Apache.Arrow.Types;
using DataEng.Core.Tests.Kernels;
using static DataEng.Core.Tests.Transforms.TransformTestHelpers;

namespace DataEng.Core.Tests.Transforms;

public class HashTransformTests
{
    [Fact]
    public void Apply_AddsANonNullUInt64ColumnEqualToTheKernel()
    {
        using var input = KernelTestData.Batch(("a", StringType.Default, ["x", null]), ("b", Int32Type.Default, [1, 2]));

        using var output = Run(BatchTransforms.Hash("key", "a", "b"), input);
        using var expected = BatchKernels.Hash(input, ["a", "b"]);

        var field = output.Schema.GetFieldByName("key");
        Assert.Equal(UInt64Type.Default, field.DataType);
        Assert.False(field.IsNullable);
        Assert.Equal(KernelTestData.Values(expected), Column(output, "key"));
    }

    [Fact]
    public void GetOutputSchema_UnknownColumns_AreListed()
    {
        var schema = KernelTestData.SchemaOf(("a", Int32Type.Default));

        var e = Assert.Throws<SchemaMismatchException>(() => BatchTransforms.Hash("key", "b", "c").GetOutputSchema(schema));

        Assert.Equal(2, e.Problems.Count);
    }
}
