using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.Tests.Lake;

public class RowBufferTests
{
    [Fact]
    public void AppendAndRelease_BlocksComeFromTheAllocator_AndAllGoBack()
    {
        var schema = new Schema.Builder()
            .Field(new Field("id", Int64Type.Default, nullable: false))
            .Field(new Field("name", StringType.Default, nullable: true))
            .Field(new Field("dt", StringType.Default, nullable: false))
            .Build();
        using var batch = new RecordBatch(schema, [
            new Int64Array.Builder().AppendRange([10, 11, 12]).Build(),
            new StringArray.Builder().Append("a").AppendNull().Append("ccc").Build(),
            new StringArray.Builder().AppendRange(["d", "d", "d"]).Build(),
        ], 3);
        var table = new LakeTableSchema(schema, [PartitionSpec.Identity("dt")], keepPartitionColumns: true);
        var plans = LakeSchemaResolver.Plan(table, schema);
        using var allocator = new PooledMemoryAllocator(new PooledMemoryAllocatorOptions { MaxRetainedBytes = 0 });
        var buffer = new RowBuffer(plans.Length, allocator);

        buffer.Append(batch, plans, [2, 0], targetRows: 1000);
        buffer.Append(batch, plans, [1], targetRows: 1000);

        // Every block is native memory of this allocator, counted at the size it really holds.
        Assert.True(buffer.CapacityBytes > 0);
        Assert.Equal(allocator.OutstandingBytes, buffer.CapacityBytes);
        using (var written = buffer.ToBatch(table.FileSchema, plans))
        {
            Assert.Equal([12L, 10L, 11L], ((Int64Array)written.Column("id")).Values.ToArray());
            var names = (StringArray)written.Column("name");
            Assert.Equal("ccc", names.GetString(0));
            Assert.Equal("a", names.GetString(1));
            Assert.True(names.IsNull(2));
        }

        buffer.Release();

        Assert.Equal(0, buffer.CapacityBytes);
        Assert.Equal(0, allocator.OutstandingBytes);
    }
}
