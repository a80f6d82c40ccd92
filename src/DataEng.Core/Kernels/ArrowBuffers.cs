using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>Creates Arrow buffers from allocator memory without copying.</summary>
internal static class ArrowBuffers
{
    /// <summary>Wraps allocator memory in an Arrow buffer that disposes it when its last reference goes.</summary>
    /// <remarks>Apache.Arrow only exposes this constructor internally (its builders copy from managed arrays
    /// instead); <c>ArrowBuffersTests</c> fails if a new Arrow version removes it.</remarks>
    public static ArrowBuffer FromOwner(IMemoryOwner<byte> owner) => Create(owner);

    public static int PaddedLength(int length) => checked((length + 63) & ~63);

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern ArrowBuffer Create(IMemoryOwner<byte> owner);
}

/// <summary>
/// One output buffer under construction: memory from a <see cref="MemoryAllocator"/>, padded to 64 bytes, owned
/// until <see cref="Build"/> hands it to an <see cref="ArrowBuffer"/>. Dispose it on failure paths.
/// </summary>
internal sealed class OwnedBuffer : IDisposable
{
    private IMemoryOwner<byte>? _owner;

    private OwnedBuffer(IMemoryOwner<byte> owner, int length)
    {
        _owner = owner;
        Length = length;
    }

    /// <summary>Gets the logical length in bytes (the padding after it is zero).</summary>
    public int Length { get; private set; }

    /// <summary>Gets the whole buffer, padding included.</summary>
    public Span<byte> Span => _owner is null ? default : _owner.Memory.Span;

    /// <summary>Allocates a buffer of at least <paramref name="length"/> bytes.</summary>
    /// <param name="allocator">The allocator.</param>
    /// <param name="length">The bytes needed.</param>
    /// <param name="zeroed">Whether the whole buffer must be zero; otherwise only the padding is, and the caller
    /// promises to write every byte of <paramref name="length"/>.</param>
    public static OwnedBuffer Allocate(MemoryAllocator allocator, int length, bool zeroed)
    {
        var padded = ArrowBuffers.PaddedLength(Math.Max(length, 0));
        IMemoryOwner<byte> owner;
        if (zeroed)
        {
            owner = allocator.Allocate(padded);
        }
        else
        {
            using (PooledMemoryAllocator.SkipZeroing())
            {
                owner = allocator.Allocate(padded);
            }

            owner.Memory.Span[length..].Clear();
        }

        return new OwnedBuffer(owner, length);
    }

    public Span<T> As<T>()
        where T : struct => MemoryMarshal.Cast<byte, T>(Span);

    /// <summary>Grows the buffer to hold at least <paramref name="length"/> bytes, keeping the first
    /// <paramref name="keep"/> bytes.</summary>
    public void Grow(MemoryAllocator allocator, int length, int keep)
    {
        if (length <= Span.Length)
        {
            Length = Math.Max(Length, length);
            return;
        }

        var capacity = Math.Max(length, (int)Math.Min(int.MaxValue - 64, Span.Length * 2L));
        var bigger = Allocate(allocator, capacity, zeroed: false);
        Span[..keep].CopyTo(bigger.Span);
        Dispose();
        _owner = bigger._owner;
        bigger._owner = null;
        Length = length;
    }

    /// <summary>Sets the logical length (at most the capacity) and zeroes everything after it.</summary>
    public void Truncate(int length)
    {
        Length = length;
        Span[length..].Clear();
    }

    /// <summary>Hands the memory to a new Arrow buffer; this instance no longer owns it.</summary>
    public ArrowBuffer Build()
    {
        var owner = _owner;
        _owner = null;
        return owner is null ? ArrowBuffer.Empty : ArrowBuffers.FromOwner(owner);
    }

    public void Dispose()
    {
        _owner?.Dispose();
        _owner = null;
    }
}
