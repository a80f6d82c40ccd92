using Apache.Arrow;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Pipelines;

public class RecordBatchOwnershipTests
{
    [Fact]
    public void Share_BuffersLiveUntilTheLastReferenceIsDisposed()
    {
        var allocator = new CountingMemoryAllocator();
        var original = TestData.Batch(0, 10, allocator);
        var shared = original.Share();

        original.Dispose();
        Assert.True(allocator.LiveAllocations > 0);
        Assert.Equal(9L, ((Int64Array)shared.Column(0)).GetValue(9));

        shared.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void Retain_ColumnReusedInAnotherBatch_OutlivesTheOriginal()
    {
        var allocator = new CountingMemoryAllocator();
        var original = TestData.Batch(0, 10, allocator);
        var reused = new RecordBatch(new Schema([original.Schema.FieldsList[0]], null), [original.Column(0).Retain()], 10);

        original.Dispose();
        Assert.Equal(3L, ((Int64Array)reused.Column(0)).GetValue(3));

        reused.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void GetBufferSize_CountsEveryBuffer()
    {
        using var batch = TestData.Batch(0, 8);

        Assert.True(batch.GetBufferSize() >= (8 * 8) + (8 * 8));
    }
}
