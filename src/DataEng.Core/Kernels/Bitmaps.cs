using System.Numerics;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>Bit operations on Arrow bitmaps (least significant bit first).</summary>
internal static class Bitmaps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Get(ReadOnlySpan<byte> bits, int index) => (bits[index >> 3] & (1 << (index & 7))) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Span<byte> bits, int index) => bits[index >> 3] |= (byte)(1 << (index & 7));

    public static int ByteCount(int bits) => (bits + 7) >> 3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bit(ReadOnlySpan<byte> bits, int index) => (bits[index >> 3] >> (index & 7)) & 1;

    /// <summary>Copies <paramref name="count"/> bits from any bit offset to any bit offset.</summary>
    public static void Copy(ReadOnlySpan<byte> source, int sourceOffset, Span<byte> destination, int destinationOffset, int count)
    {
        if (count == 0)
        {
            return;
        }

        if ((sourceOffset & 7) == 0 && (destinationOffset & 7) == 0)
        {
            var whole = count >> 3;
            source.Slice(sourceOffset >> 3, whole).CopyTo(destination.Slice(destinationOffset >> 3, whole));
            for (var i = whole << 3; i < count; i++)
            {
                SetTo(destination, destinationOffset + i, Get(source, sourceOffset + i));
            }

            return;
        }

        for (var i = 0; i < count; i++)
        {
            SetTo(destination, destinationOffset + i, Get(source, sourceOffset + i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetTo(Span<byte> bits, int index, bool value)
    {
        var mask = (byte)(1 << (index & 7));
        ref var b = ref bits[index >> 3];
        b = value ? (byte)(b | mask) : (byte)(b & ~mask);
    }

    /// <summary>Sets the bits <c>[start, start + count)</c>.</summary>
    public static void SetRange(Span<byte> bits, int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            bits[i >> 3] |= (byte)(1 << (i & 7));
        }
    }

    /// <summary>Clears the bits <c>[start, start + count)</c>.</summary>
    public static void ClearRange(Span<byte> bits, int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            bits[i >> 3] &= (byte)~(1 << (i & 7));
        }
    }

    /// <summary>
    /// Gathers bits: bit <c>sourceOffset + indices[k]</c> of <paramref name="source"/> becomes bit
    /// <c>destinationStart + k</c> of <paramref name="destination"/> (set or cleared, so the destination need not be
    /// zeroed). Whole destination bytes are assembled in a register and stored once.
    /// </summary>
    /// <returns>The number of set bits gathered.</returns>
    public static int Gather(ReadOnlySpan<byte> source, int sourceOffset, ReadOnlySpan<int> indices, Span<byte> destination, int destinationStart)
    {
        var set = 0;
        var k = 0;
        var n = indices.Length;
        var position = destinationStart;

        // Head: up to the next byte boundary, bit by bit.
        for (; k < n && (position & 7) != 0; k++, position++)
        {
            var bit = Get(source, sourceOffset + indices[k]);
            set += bit ? 1 : 0;
            SetTo(destination, position, bit);
        }

        // Whole bytes.
        for (; k + 8 <= n; k += 8, position += 8)
        {
            var b = 0;
            for (var j = 0; j < 8; j++)
            {
                b |= Bit(source, sourceOffset + indices[k + j]) << j;
            }

            destination[position >> 3] = (byte)b;
            set += BitOperations.PopCount((uint)b);
        }

        // Tail.
        for (; k < n; k++, position++)
        {
            var bit = Get(source, sourceOffset + indices[k]);
            set += bit ? 1 : 0;
            SetTo(destination, position, bit);
        }

        return set;
    }

    /// <summary>Counts the set bits in <c>[offset, offset + count)</c>.</summary>
    public static int CountSet(ReadOnlySpan<byte> bits, int offset, int count) => count == 0 ? 0 : BitUtility.CountBits(bits, offset, count);

    /// <summary>
    /// Returns a validity bitmap for an output with as many rows as <paramref name="input"/>, whose row i has the validity of
    /// row i of <paramref name="input"/>: shared with the input when possible, copied otherwise, or empty when
    /// there are no nulls.
    /// </summary>
    public static ArrowBuffer CopyValidity(ArrayData input, MemoryAllocator allocator, out int nullCount)
    {
        nullCount = input.GetNullCount();
        if (nullCount == 0)
        {
            return ArrowBuffer.Empty;
        }

        if (input.Offset == 0)
        {
            return input.Buffers[0].Retain();
        }

        var buffer = OwnedBuffer.Allocate(allocator, ByteCount(input.Length), zeroed: true);
        Copy(input.Buffers[0].Span, input.Offset, buffer.Span, 0, input.Length);
        return buffer.Build();
    }

    /// <summary>The validity of rows valid in both <paramref name="first"/> and <paramref name="second"/> (same length).</summary>
    public static ArrowBuffer AndValidity(ArrayData first, ArrayData second, MemoryAllocator allocator, out int nullCount)
    {
        if (second.GetNullCount() == 0)
        {
            return CopyValidity(first, allocator, out nullCount);
        }

        if (first.GetNullCount() == 0)
        {
            return CopyValidity(second, allocator, out nullCount);
        }

        var builder = new ValidityBuilder(allocator, first.Length);
        var bits = builder.Bits;
        var a = first.Buffers[0].Span;
        var b = second.Buffers[0].Span;
        for (var i = 0; i < first.Length; i++)
        {
            if (Get(a, first.Offset + i) && Get(b, second.Offset + i))
            {
                Set(bits, i);
            }
        }

        builder.Recount();
        return builder.Build(out nullCount);
    }

    /// <summary>Word-level helpers for selection masks (one bit per row, 64 rows per word).</summary>
    public static int WordCount(int rows) => (rows + 63) >> 6;

    public static int PopCount(ReadOnlySpan<ulong> words)
    {
        var total = 0;
        foreach (var w in words)
        {
            total += BitOperations.PopCount(w);
        }

        return total;
    }
}

/// <summary>Reads the validity of the rows of one array (accounting for its offset).</summary>
internal readonly ref struct Validity
{
    private readonly ReadOnlySpan<byte> _bits;
    private readonly int _offset;

    public Validity(ArrayData data)
    {
        HasNulls = data.GetNullCount() > 0;
        _bits = HasNulls ? data.Buffers[0].Span : default;
        _offset = data.Offset;
    }

    public bool HasNulls { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsValid(int index) => !HasNulls || Bitmaps.Get(_bits, _offset + index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsNull(int index) => HasNulls && !Bitmaps.Get(_bits, _offset + index);
}

/// <summary>Builds a validity bitmap: starts all-null (zeroed), rows are marked valid one by one.</summary>
internal sealed class ValidityBuilder : IDisposable
{
    private readonly OwnedBuffer _buffer;
    private readonly int _length;
    private int _valid;

    public ValidityBuilder(MemoryAllocator allocator, int length)
    {
        _length = length;
        _buffer = OwnedBuffer.Allocate(allocator, Bitmaps.ByteCount(length), zeroed: true);
    }

    public Span<byte> Bits => _buffer.Span;

    /// <summary>Counts the valid bits after bulk writes to <see cref="Bits"/>.</summary>
    public void Recount() => _valid = Bitmaps.CountSet(_buffer.Span, 0, _length);

    /// <summary>Returns the bitmap, or an empty buffer when every row is valid.</summary>
    public ArrowBuffer Build(out int nullCount)
    {
        nullCount = _length - _valid;
        if (nullCount == 0)
        {
            _buffer.Dispose();
            return ArrowBuffer.Empty;
        }

        return _buffer.Build();
    }

    public void Dispose() => _buffer.Dispose();
}
