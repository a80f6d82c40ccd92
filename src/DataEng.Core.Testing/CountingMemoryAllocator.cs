using System.Buffers;
using Apache.Arrow.Memory;

namespace DataEng.Core.Testing;

/// <summary>
/// An Arrow allocator that counts live allocations, so a test can prove that every batch built with it was
/// disposed on every path: after the run, <see cref="LiveAllocations"/> must be zero.
/// </summary>
public sealed class CountingMemoryAllocator : MemoryAllocator
{
    private readonly MemoryAllocator _inner;
    private long _live;
    private long _total;

    /// <summary>Creates a counting allocator over <see cref="NativeMemoryAllocator"/>.</summary>
    public CountingMemoryAllocator()
        : this(new NativeMemoryAllocator())
    {
    }

    /// <summary>Creates a counting allocator over another allocator.</summary>
    /// <param name="inner">The allocator that provides the memory.</param>
    public CountingMemoryAllocator(MemoryAllocator inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>Gets the number of allocations not yet released.</summary>
    public long LiveAllocations => Interlocked.Read(ref _live);

    /// <summary>Gets the number of allocations made so far.</summary>
    public long TotalAllocations => Interlocked.Read(ref _total);

    /// <inheritdoc />
    protected override IMemoryOwner<byte> AllocateInternal(int length, out int bytesAllocated)
    {
        var owner = _inner.Allocate(length);
        bytesAllocated = owner.Memory.Length;
        Interlocked.Increment(ref _live);
        Interlocked.Increment(ref _total);
        return new Owner(this, owner);
    }

    private sealed class Owner(CountingMemoryAllocator allocator, IMemoryOwner<byte> inner) : IMemoryOwner<byte>
    {
        private int _disposed;

        public Memory<byte> Memory => inner.Memory;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                inner.Dispose();
                Interlocked.Decrement(ref allocator._live);
            }
        }
    }
}
