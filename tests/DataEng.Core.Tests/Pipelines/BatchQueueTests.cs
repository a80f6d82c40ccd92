using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Pipelines;

/// <summary>The queue between two tasks of a run owns what it is handed: a batch it cannot queue is disposed, never
/// leaked nor left to the caller.</summary>
public class BatchQueueTests
{
    [Fact]
    public async Task WriteOrDisposeAsync_WithRoom_CompletesSynchronouslyAndQueuesTheBatch()
    {
        var allocator = new CountingMemoryAllocator();
        var queue = new BatchQueue(1);

        var write = queue.WriteOrDisposeAsync(TestData.Batch(0, 4, allocator));

        Assert.True(write.IsCompletedSuccessfully);
        await write;
        Assert.True(queue.TryRead(out var batch));
        batch!.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task WriteOrDisposeAsync_QueueAlreadyCompleted_DisposesTheBatchAndFails()
    {
        var allocator = new CountingMemoryAllocator();
        var queue = new BatchQueue(1);
        queue.Complete(new OperationCanceledException("stop"));

        await Assert.ThrowsAsync<OperationCanceledException>(async () => await queue.WriteOrDisposeAsync(TestData.Batch(0, 4, allocator)));

        Assert.Equal(0, allocator.LiveAllocations);
    }

    /// <summary>A queue of capacity 1 holding the batch of id 0, and a write of the batch of id 4 waiting for room.</summary>
    private static async Task<(CountingMemoryAllocator Allocator, BatchQueue Queue, ValueTask Waiting)> FullQueueAsync()
    {
        var allocator = new CountingMemoryAllocator();
        var queue = new BatchQueue(1);
        await queue.WriteOrDisposeAsync(TestData.Batch(0, 4, allocator));
        var waiting = queue.WriteOrDisposeAsync(TestData.Batch(4, 4, allocator));
        Assert.False(waiting.IsCompleted);
        return (allocator, queue, waiting);
    }

    [Fact]
    public async Task WriteOrDisposeAsync_QueueCompletedWhileWaitingOnAFullQueue_DisposesTheWaitingBatch()
    {
        var (allocator, queue, waiting) = await FullQueueAsync();

        queue.Complete(new OperationCanceledException("stop"));

        await Assert.ThrowsAsync<OperationCanceledException>(async () => await waiting);
        Assert.True(queue.TryRead(out var queued));
        queued!.Dispose();
        Assert.False(queue.TryRead(out _));
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task WriteOrDisposeAsync_FullQueue_QueuesTheBatchOnceTheReaderTakesOne()
    {
        var (allocator, queue, waiting) = await FullQueueAsync();

        Assert.True(queue.TryRead(out var first));
        await waiting;
        Assert.True(queue.TryRead(out var second));

        Assert.Equal(0L, ((Apache.Arrow.Int64Array)first!.Column(0)).GetValue(0));
        Assert.Equal(4L, ((Apache.Arrow.Int64Array)second!.Column(0)).GetValue(0));
        first.Dispose();
        second.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }
}
