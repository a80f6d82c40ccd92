using System.Buffers;
using System.Numerics;
using Apache.Arrow.Memory;

namespace DataEng.Core.Memory;

/// <summary>
/// An Arrow <see cref="MemoryAllocator"/> that keeps released buffers in size-class pools and hands them out again,
/// so a pipeline in steady state reuses the same (already touched) memory for every batch instead of asking the
/// operating system for fresh pages.
/// </summary>
/// <remarks>
/// <para>Buffers are native memory aligned to 64 bytes (Arrow's recommended alignment). On Linux, blocks of
/// 128 KiB or more are mapped from the operating system directly (anonymous
/// <c>mmap</c>) and unmapped when freed, so memory released beyond the pools' bound goes back to the system at once
/// instead of staying in the C runtime's heap (glibc keeps freed blocks below its adaptive threshold of up to
/// 32 MiB for reuse, and a long streaming run would see that retention grow with its input). A buffer goes back to its
/// pool when the Arrow buffer that owns it is disposed, that is when the last batch or array referring to it is
/// disposed. Pools are bounded by <see cref="PooledMemoryAllocatorOptions.MaxRetainedBytes"/>; a released buffer
/// that does not fit is freed at once. Requests larger than <see cref="PooledMemoryAllocatorOptions.MaxPooledBufferSize"/>
/// are allocated and freed without pooling.</para>
/// <para>Like <see cref="NativeMemoryAllocator"/>, <see cref="MemoryAllocator.Allocate"/> returns memory that is
/// zeroed, whether it is fresh or reused, so Arrow builders (which rely on zeroed padding and validity bitmaps)
/// work unchanged. The library's own kernels skip the zeroing for buffers they overwrite completely.</para>
/// <para>The allocator is thread-safe. <see cref="Shared"/> is the process-wide instance used by default
/// (<see cref="RunContext.Allocator"/>).</para>
/// </remarks>
public sealed class PooledMemoryAllocator : MemoryAllocator, IDisposable
{
    private const int MinimumBlockSize = 64;
    private const int MinimumBlockShift = 6;

    [ThreadStatic]
    private static int t_skipZeroing;

    private readonly long _maxRetainedBytes;
    private readonly int _maxPooledBufferSize;
    private readonly SizeClass[] _classes;
    private long _retainedBytes;
    private long _outstandingBytes;
    private long _reused;
    private long _fresh;
    private int _disposed;

    /// <summary>Creates a pooled allocator with default options.</summary>
    public PooledMemoryAllocator()
        : this(new PooledMemoryAllocatorOptions())
    {
    }

    /// <summary>Creates a pooled allocator.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public PooledMemoryAllocator(PooledMemoryAllocatorOptions options)
        : base(DefaultAlignment)
    {
        // A constructor that throws still leaves an object to finalize: nothing to release yet.
        GC.SuppressFinalize(this);
        ArgumentNullException.ThrowIfNull(options);
        ValidationProblems.ThrowIfAny(nameof(PooledMemoryAllocatorOptions), options.Validate());
        _maxRetainedBytes = options.MaxRetainedBytes;
        _maxPooledBufferSize = options.MaxPooledBufferSize;
        _classes = new SizeClass[ClassIndex(_maxPooledBufferSize) + 1];
        for (var i = 0; i < _classes.Length; i++)
        {
            _classes[i] = new SizeClass(ClassSize(i));
        }

        GC.ReRegisterForFinalize(this);
    }

    /// <summary>Finalizes the allocator: frees the buffers it retains.</summary>
    ~PooledMemoryAllocator()
    {
        ReleaseRetained();
    }

    /// <summary>Gets the process-wide allocator, used by default for every run.</summary>
    public static PooledMemoryAllocator Shared { get; } = new();

    /// <summary>Gets the bytes held in the pools, ready for reuse (not handed out).</summary>
    public long RetainedBytes => Interlocked.Read(ref _retainedBytes);

    /// <summary>Gets the bytes currently handed out and not yet released (rounded up to size classes).</summary>
    public long OutstandingBytes => Interlocked.Read(ref _outstandingBytes);

    /// <summary>Gets how many allocations were served from a pool.</summary>
    public long ReusedAllocations => Interlocked.Read(ref _reused);

    /// <summary>Gets how many allocations needed fresh memory from the operating system.</summary>
    public long FreshAllocations => Interlocked.Read(ref _fresh);

    /// <summary>Frees every retained buffer (for example after a large one-off job). Buffers handed out are not affected.</summary>
    public void Trim()
    {
        foreach (var sizeClass in _classes)
        {
            while (sizeClass.TryPop(out var block))
            {
                Interlocked.Add(ref _retainedBytes, -sizeClass.Size);
                Free(block, sizeClass.Size);
            }
        }
    }

    /// <summary>
    /// Frees every retained buffer and stops pooling: buffers released later are freed at once. The allocator can
    /// still allocate (without reuse). Buffers handed out stay valid until their owners dispose them.
    /// </summary>
    public void Dispose()
    {
        ReleaseRetained();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Makes allocations on the current thread skip zeroing until the returned scope is disposed. For kernels that
    /// overwrite every byte they use (they still zero the padding themselves).
    /// </summary>
    internal static ZeroingScope SkipZeroing()
    {
        t_skipZeroing++;
        return default;
    }

    /// <inheritdoc />
    protected override IMemoryOwner<byte> AllocateInternal(int length, out int bytesAllocated)
    {
        var zero = t_skipZeroing == 0;
        if (length > _maxPooledBufferSize)
        {
            var size = RoundUp(length, MinimumBlockSize);
            var large = AllocateBlock(size, out var largeZeroed);
            Interlocked.Increment(ref _fresh);
            Interlocked.Add(ref _outstandingBytes, size);
            bytesAllocated = size;
            var owner = new Owner(this, large, length, -1, size);
            if (zero && !largeZeroed)
            {
                owner.GetSpan().Clear();
            }

            return owner;
        }

        var index = ClassIndex(length);
        var sizeClass = _classes[index];
        var zeroed = false;
        if (sizeClass.TryPop(out var block))
        {
            Interlocked.Add(ref _retainedBytes, -sizeClass.Size);
            Interlocked.Increment(ref _reused);
        }
        else
        {
            block = AllocateBlock(sizeClass.Size, out zeroed);
            Interlocked.Increment(ref _fresh);
        }

        Interlocked.Add(ref _outstandingBytes, sizeClass.Size);
        bytesAllocated = sizeClass.Size;
        var pooled = new Owner(this, block, length, index, sizeClass.Size);
        if (zero && !zeroed)
        {
            pooled.GetSpan().Clear();
        }

        return pooled;
    }

    internal static int ClassIndex(int length)
    {
        if (length <= MinimumBlockSize)
        {
            return 0;
        }

        // Four classes per power of two: 2^k < length <= 2^(k+1) is split into quarters of 2^(k-2).
        var k = 31 - BitOperations.LeadingZeroCount((uint)(length - 1));
        var step = 1 << (k - 2);
        var j = ((length - (1 << k)) + step - 1) >> (k - 2);
        return 1 + ((k - MinimumBlockShift) * 4) + (j - 1);
    }

    internal static int ClassSize(int index)
    {
        if (index == 0)
        {
            return MinimumBlockSize;
        }

        var k = ((index - 1) / 4) + MinimumBlockShift;
        var j = ((index - 1) % 4) + 1;
        return (1 << k) + (j << (k - 2));
    }

    private static int RoundUp(int value, int multiple) => checked((value + multiple - 1) / multiple * multiple);

    private static nint AllocateBlock(int size, out bool zeroed)
    {
        var pointer = NativeBlocks.Allocate(size, DefaultAlignment, out zeroed);
        GC.AddMemoryPressure(size);
        return pointer;
    }

    private static void Free(nint block, int size)
    {
        NativeBlocks.Free(block, size);
        GC.RemoveMemoryPressure(size);
    }

    private void ReleaseRetained()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Trim();
        }
    }

    private void Return(nint block, int classIndex, int size)
    {
        Interlocked.Add(ref _outstandingBytes, -size);
        if (classIndex >= 0 && Volatile.Read(ref _disposed) == 0)
        {
            // Reserve room under the bound first so concurrent returns cannot overshoot it.
            if (Interlocked.Add(ref _retainedBytes, size) <= _maxRetainedBytes)
            {
                _classes[classIndex].Push(block);
                return;
            }

            Interlocked.Add(ref _retainedBytes, -size);
        }

        Free(block, size);
    }

    /// <summary>Ends a <see cref="SkipZeroing"/> scope.</summary>
    internal readonly struct ZeroingScope : IDisposable
    {
        public void Dispose() => t_skipZeroing--;
    }

    private sealed class SizeClass(int size)
    {
        private readonly object _gate = new();
        private nint[] _blocks = new nint[4];
        private int _count;

        public int Size { get; } = size;

        public bool TryPop(out nint block)
        {
            lock (_gate)
            {
                if (_count == 0)
                {
                    block = 0;
                    return false;
                }

                block = _blocks[--_count];
                return true;
            }
        }

        public void Push(nint block)
        {
            lock (_gate)
            {
                if (_count == _blocks.Length)
                {
                    Array.Resize(ref _blocks, _blocks.Length * 2);
                }

                _blocks[_count++] = block;
            }
        }
    }

    private sealed unsafe class Owner(PooledMemoryAllocator allocator, nint block, int length, int classIndex, int size) : MemoryManager<byte>
    {
        private int _released;

        public override Span<byte> GetSpan()
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
            return new Span<byte>((void*)block, length);
        }

        public override MemoryHandle Pin(int elementIndex = 0)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
            ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, length);
            return new MemoryHandle((byte*)block + elementIndex);
        }

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                allocator.Return(block, classIndex, size);
            }
        }
    }
}
