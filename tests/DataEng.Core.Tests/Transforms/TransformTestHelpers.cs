using Apache.Arrow;
using Apache.Arrow.Memory;
using DataEng.Core.Tests.Kernels;

namespace DataEng.Core.Tests.Transforms;

internal static class TransformTestHelpers
{
    public static RunContext Context(MemoryAllocator? allocator = null)
        => new("test", 1, "run", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System, default) { Allocator = allocator ?? PooledMemoryAllocator.Shared };

    /// <summary>Validates like Build() does, then applies like the runner does (the caller keeps the input).</summary>
    public static RecordBatch Run(IBatchTransform transform, RecordBatch input, MemoryAllocator? allocator = null)
    {
        var schema = transform.GetOutputSchema(input.Schema);
        var output = transform.Apply(input, Context(allocator));
        Assert.True(SchemaComparer.Equivalent(schema, output.Schema, compareNullability: true), $"declared {SchemaText.Describe(schema)}, produced {SchemaText.Describe(output.Schema)}");
        return output;
    }

    public static List<object?> Column(RecordBatch batch, string name)
        => KernelTestData.Values(batch.Column(batch.Schema.GetFieldIndex(name)));
}
