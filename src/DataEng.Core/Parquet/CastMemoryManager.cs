using System.Buffers;
using System.Runtime.InteropServices;

namespace DataEng.Core.ParquetFormat;

/// <summary>
/// Views Arrow value bytes as memory of the element type without copying, so the reader's Parquet.Net fallback can
/// decode straight into an Arrow buffer.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed unsafe class CastMemoryManager<T> : MemoryManager<T>
    where T : unmanaged
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private MemoryHandle _pin;

    private CastMemoryManager(ReadOnlyMemory<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>Views the first <paramref name="length"/> elements of writable bytes.</summary>
    /// <param name="bytes">The buffer.</param>
    /// <param name="length">The number of elements.</param>
    /// <returns>The elements.</returns>
    public static Memory<T> CreateWritable(Memory<byte> bytes, int length)
        => new CastMemoryManager<T>(bytes[..checked(length * sizeof(T))]).Memory;

    public override Span<T> GetSpan() => MemoryMarshal.Cast<byte, T>(MemoryMarshal.AsMemory(_bytes).Span);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)(_bytes.Length / sizeof(T)))
        {
            throw new ArgumentOutOfRangeException(nameof(elementIndex));
        }

        _pin = _bytes.Pin();
        return new MemoryHandle((byte*)_pin.Pointer + ((long)elementIndex * sizeof(T)), default, this);
    }

    public override void Unpin() => _pin.Dispose();

    protected override void Dispose(bool disposing)
    {
    }
}
