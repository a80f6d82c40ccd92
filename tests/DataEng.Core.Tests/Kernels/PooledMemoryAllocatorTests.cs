using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Kernels;

// The allocator lives in src/DataEng.Core/Batches; its tests sit with the kernels that rely on it.
public class PooledMemoryAllocatorTests
{
    [Fact]
    public void Allocate_AfterRelease_ReusesTheSameBlock()
    {
        using var pool = new PooledMemoryAllocator();
        var first = pool.Allocate(1000);
        var address = Address(first);
        first.Dispose();

        using var second = pool.Allocate(1000);

        Assert.Equal(address, Address(second));
        Assert.Equal(1, pool.FreshAllocations);
        Assert.Equal(1, pool.ReusedAllocations);
    }

    [Fact]
    public void Allocate_SameSizeClass_ReusesAcrossSlightlyDifferentLengths()
    {
        using var pool = new PooledMemoryAllocator();
        pool.Allocate(1000).Dispose();

        using var other = pool.Allocate(1020);

        Assert.Equal(1, pool.ReusedAllocations);
        Assert.Equal(1020, other.Memory.Length);
    }

    [Fact]
    public void Allocate_ReusedMemory_IsZeroedLikeNativeMemoryAllocator()
    {
        using var pool = new PooledMemoryAllocator();
        var first = pool.Allocate(256);
        first.Memory.Span.Fill(0xAB);
        first.Dispose();

        using var second = pool.Allocate(256);

        Assert.Equal(1, pool.ReusedAllocations);
        Assert.True(second.Memory.Span.IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Allocate_SkippingZeroing_LeavesReusedBytesForKernelsThatOverwriteThem()
    {
        using var pool = new PooledMemoryAllocator();
        var first = pool.Allocate(256);
        first.Memory.Span.Fill(0xAB);
        first.Dispose();

        IDisposable second;
        using (PooledMemoryAllocator.SkipZeroing())
        {
            second = pool.Allocate(256);
        }

        Assert.Equal(0xAB, ((System.Buffers.IMemoryOwner<byte>)second).Memory.Span[100]);
        second.Dispose();
        using var third = pool.Allocate(256);
        Assert.True(third.Memory.Span.IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Allocate_Memory_Is64ByteAligned()
    {
        using var pool = new PooledMemoryAllocator();
        foreach (var length in new[] { 1, 63, 64, 65, 100, 1000, 4097, 100_000 })
        {
            using var owner = pool.Allocate(length);
            Assert.Equal(0L, Address(owner) % 64);
        }
    }

    [Fact]
    public void Return_BeyondMaxRetainedBytes_FreesInsteadOfPooling()
    {
        using var pool = new PooledMemoryAllocator(new PooledMemoryAllocatorOptions { MaxRetainedBytes = 4096 });
        var owners = Enumerable.Range(0, 4).Select(_ => pool.Allocate(2048)).ToList();

        owners.ForEach(o => o.Dispose());

        Assert.True(pool.RetainedBytes <= 4096);
        Assert.Equal(4096, pool.RetainedBytes);
        Assert.Equal(0, pool.OutstandingBytes);
    }

    [Fact]
    public void Allocate_LargerThanMaxPooledBufferSize_IsNeverPooled()
    {
        using var pool = new PooledMemoryAllocator(new PooledMemoryAllocatorOptions { MaxPooledBufferSize = 1024 });

        pool.Allocate(5000).Dispose();
        pool.Allocate(5000).Dispose();

        Assert.Equal(2, pool.FreshAllocations);
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void Trim_FreesRetainedBuffers()
    {
        using var pool = new PooledMemoryAllocator();
        pool.Allocate(10_000).Dispose();
        Assert.True(pool.RetainedBytes >= 10_000);

        pool.Trim();

        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void Dispose_StopsRetainingButKeepsAllocating()
    {
        var pool = new PooledMemoryAllocator();
        var outstanding = pool.Allocate(100);
        pool.Dispose();

        outstanding.Dispose();
        pool.Allocate(100).Dispose();

        Assert.Equal(0, pool.RetainedBytes);
        Assert.Equal(0, pool.OutstandingBytes);
    }

    [Fact]
    public void Options_Invalid_ListEveryProblem()
    {
        var e = Assert.Throws<DataEngValidationException>(() => new PooledMemoryAllocator(new PooledMemoryAllocatorOptions { MaxRetainedBytes = -1, MaxPooledBufferSize = 10 }));

        Assert.Contains(nameof(PooledMemoryAllocatorOptions.MaxRetainedBytes), e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(PooledMemoryAllocatorOptions.MaxPooledBufferSize), e.Message, StringComparison.Ordinal);

        // The half-built instance must not crash the finalizer thread.
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    [Fact]
    public void Finalizer_OfAnAbandonedPool_FreesWhatItRetains()
    {
        static WeakReference Abandon()
        {
            var pool = new PooledMemoryAllocator();
            pool.Allocate(1000).Dispose();
            return new WeakReference(pool);
        }

        var weak = Abandon();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(weak.IsAlive);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(80)]
    [InlineData(81)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(1_000_000)]
    [InlineData(64 * 1024 * 1024)]
    public void SizeClasses_FitTheRequestWithAtMostAQuarterToSpare(int length)
    {
        var size = PooledMemoryAllocator.ClassSize(PooledMemoryAllocator.ClassIndex(length));

        Assert.True(size >= length);
        Assert.True(size <= Math.Max(64, length + (length / 4) + 1));
        Assert.Equal(0, size % 16);
    }

    [Fact]
    public void ArrowBuilders_OnPooledMemory_BuildCorrectArraysWithNulls()
    {
        using var pool = new PooledMemoryAllocator();
        for (var round = 0; round < 3; round++)
        {
            // Dirty the pool, then let Arrow's builders (which rely on zeroed memory) use it.
            using (PooledMemoryAllocator.SkipZeroing())
            {
                var dirty = Enumerable.Range(0, 8).Select(_ => pool.Allocate(64)).ToList();
                dirty.ForEach(d => d.Memory.Span.Fill(0xFF));
                dirty.ForEach(d => d.Dispose());
            }

            var builder = new Int32Array.Builder();
            builder.Append(1).AppendNull().Append(3);
            using var array = builder.Build(pool);

            Assert.Equal(1, array.NullCount);
            Assert.Equal([1, null, 3], array.ToArray());
            Assert.Equal(new byte[] { 0b101 }, array.NullBitmapBuffer.Span[..1].ToArray());
            Assert.True(array.NullBitmapBuffer.Span[1..].IndexOfAnyExcept((byte)0) < 0);
        }
    }

    [Fact]
    public void Allocate_ManyThreads_EveryBufferIsReturned()
    {
        using var pool = new PooledMemoryAllocator();

        Parallel.For(0, 2000, i =>
        {
            using var owner = pool.Allocate(64 + (i % 700));
            owner.Memory.Span[0] = 1;
        });

        Assert.Equal(0, pool.OutstandingBytes);
        Assert.True(pool.ReusedAllocations > 0);
    }

    [Fact]
    public void CountingAllocatorOverPool_SeesEveryAllocationAndRelease()
    {
        using var pool = new PooledMemoryAllocator();
        var counting = new CountingMemoryAllocator(pool);

        using (var batch = KernelTestData.Batch(counting, ("x", Apache.Arrow.Types.Int64Type.Default, [1L, null, 3L])))
        {
            Assert.True(counting.LiveAllocations > 0);
        }

        Assert.Equal(0, counting.LiveAllocations);
        Assert.Equal(0, pool.OutstandingBytes);
    }

    [Fact]
    public void RunContext_DefaultAllocator_IsTheSharedPool()
        => Assert.Same(PooledMemoryAllocator.Shared, RunContext.CreateStandalone().Allocator);

    [Fact]
    public void ArrowBufferFromOwner_ReleasesTheMemoryWhenTheLastReferenceGoes()
    {
        using var pool = new PooledMemoryAllocator();
        var buffer = ArrowBuffers.FromOwner(pool.Allocate(128));
        var retained = buffer.Retain();

        buffer.Dispose();
        Assert.Equal(128, retained.Length);
        Assert.True(pool.OutstandingBytes > 0);

        retained.Dispose();
        Assert.Equal(0, pool.OutstandingBytes);
    }

    private static long Address(System.Buffers.IMemoryOwner<byte> owner)
        => Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref MemoryMarshal.GetReference(owner.Memory.Span));
}
