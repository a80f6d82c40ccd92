using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>
/// Reusable managed buffers a column is encoded into before it is copied once into allocator-owned Arrow memory.
/// One instance serves one batch build at a time (a source run, or one transform call); it grows to the largest
/// column seen and is then reused, so steady-state encoding allocates nothing but the Arrow buffers themselves.
/// </summary>
internal sealed class BufferScratch
{
    private readonly ArrowBuffer.Builder<byte> _validity = new(0);
    private readonly ArrowBuffer.Builder<byte> _values = new(0);
    private readonly ArrowBuffer.Builder<byte> _offsets = new(0);

    /// <summary>Returns a zeroed validity bitmap for <paramref name="rows"/> rows.</summary>
    public Span<byte> Validity(int rows)
    {
        var bytes = (rows + 7) / 8;
        _validity.Resize(bytes);
        var span = _validity.Span[..bytes];
        span.Clear();
        return span;
    }

    /// <summary>Returns a value buffer of <paramref name="bytes"/> bytes (contents undefined).</summary>
    public Span<byte> Values(int bytes)
    {
        _values.Resize(bytes);
        return _values.Span[..bytes];
    }

    /// <summary>Shortens the value buffer to the bytes actually written.</summary>
    public void TrimValues(int bytes) => _values.Resize(bytes);

    /// <summary>Returns an offsets buffer of <paramref name="count"/> 32-bit integers (contents undefined).</summary>
    public Span<int> Offsets(int count)
    {
        var bytes = checked(count * sizeof(int));
        _offsets.Resize(bytes);
        return MemoryMarshal.Cast<byte, int>(_offsets.Span[..bytes]);
    }

    public ArrowBuffer BuildValidity(MemoryAllocator allocator) => Build(_validity, allocator);

    public ArrowBuffer BuildValues(MemoryAllocator allocator) => Build(_values, allocator);

    public ArrowBuffer BuildOffsets(MemoryAllocator allocator) => Build(_offsets, allocator);

    private static ArrowBuffer Build(ArrowBuffer.Builder<byte> builder, MemoryAllocator allocator)
        => builder.Length == 0 ? ArrowBuffer.Empty : builder.Build(allocator);
}

/// <summary>A small pool of <see cref="BufferScratch"/> for stages that build batches on several threads.</summary>
internal sealed class BufferScratchPool
{
    private readonly ConcurrentBag<BufferScratch> _items = [];

    public BufferScratch Rent() => _items.TryTake(out var scratch) ? scratch : new BufferScratch();

    public void Return(BufferScratch scratch)
    {
        if (_items.Count < Environment.ProcessorCount)
        {
            _items.Add(scratch);
        }
    }
}
