using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Structural kernels on single arrays: take (gather) and concatenate, for every supported layout.</summary>
internal static class ArrayKernels
{
    /// <summary>Gathers the rows <paramref name="indices"/> (0-based, within the array's logical rows; already checked).</summary>
    public static IArrowArray Take(IArrowArray array, ReadOnlySpan<int> indices, MemoryAllocator allocator)
    {
        var data = array.Data;
        var layout = KernelTypes.GetLayout(data.DataType, out var width);
        var n = indices.Length;
        var validity = TakeValidity(data, indices, allocator, out var nullCount);
        OwnedBuffer? values = null;
        OwnedBuffer? bytes = null;
        try
        {
            switch (layout)
            {
                case Layout.FixedWidth:
                    values = OwnedBuffer.Allocate(allocator, checked(n * width), zeroed: false);
                    TakeFixed(data.Buffers[1].Span, data.Offset, width, indices, values.Span);
                    return Build(data.DataType, n, nullCount, validity, values.Build());
                case Layout.Bitmap:
                    values = OwnedBuffer.Allocate(allocator, Bitmaps.ByteCount(n), zeroed: true);
                    var source = data.Buffers[1].Span;
                    var target = values.Span;
                    for (var i = 0; i < n; i++)
                    {
                        if (Bitmaps.Get(source, data.Offset + indices[i]))
                        {
                            Bitmaps.Set(target, i);
                        }
                    }

                    return Build(data.DataType, n, nullCount, validity, values.Build());
                case Layout.VarBinary:
                    var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
                    long total = 0;
                    foreach (var index in indices)
                    {
                        total += offsets[index + 1] - offsets[index];
                    }

                    if (total > int.MaxValue)
                    {
                        throw new NotSupportedException($"The result of a take would hold {total} bytes of {SchemaText.Describe(data.DataType)} data; at most {int.MaxValue} fit in one array. Use smaller batches.");
                    }

                    values = OwnedBuffer.Allocate(allocator, (n + 1) * sizeof(int), zeroed: false);
                    bytes = OwnedBuffer.Allocate(allocator, (int)total, zeroed: false);
                    var outOffsets = values.As<int>();
                    var outBytes = bytes.Span;
                    var inBytes = data.Buffers[2].Span;
                    var position = 0;
                    for (var i = 0; i < n; i++)
                    {
                        outOffsets[i] = position;
                        var start = offsets[indices[i]];
                        var length = offsets[indices[i] + 1] - start;
                        inBytes.Slice(start, length).CopyTo(outBytes[position..]);
                        position += length;
                    }

                    outOffsets[n] = position;
                    return Build(data.DataType, n, nullCount, validity, values.Build(), bytes.Build());
                default:
                    throw new NotSupportedException($"Take does not support {SchemaText.Describe(data.DataType)} yet.");
            }
        }
        catch
        {
            validity.Dispose();
            values?.Dispose();
            bytes?.Dispose();
            throw;
        }
    }

    /// <summary>Concatenates arrays of the same type into one.</summary>
    public static IArrowArray Concatenate(IReadOnlyList<IArrowArray> arrays, MemoryAllocator allocator)
    {
        var type = arrays[0].Data.DataType;
        var layout = KernelTypes.GetLayout(type, out var width);
        long totalRows = 0;
        var anyNulls = false;
        foreach (var array in arrays)
        {
            totalRows += array.Length;
            anyNulls |= array.Data.GetNullCount() > 0;
        }

        if (totalRows > int.MaxValue)
        {
            throw new NotSupportedException($"Concatenating would produce {totalRows} rows; at most {int.MaxValue} fit in one batch.");
        }

        var n = (int)totalRows;
        ValidityBuilder? validity = null;
        OwnedBuffer? values = null;
        OwnedBuffer? bytes = null;
        try
        {
            var nullCount = 0;
            var validityBuffer = ArrowBuffer.Empty;
            if (anyNulls)
            {
                validity = new ValidityBuilder(allocator, n);
                var bits = validity.Bits;
                var row = 0;
                foreach (var array in arrays)
                {
                    var data = array.Data;
                    if (data.GetNullCount() == 0)
                    {
                        for (var i = 0; i < data.Length; i++)
                        {
                            Bitmaps.Set(bits, row + i);
                        }
                    }
                    else
                    {
                        Bitmaps.Copy(data.Buffers[0].Span, data.Offset, bits, row, data.Length);
                    }

                    row += data.Length;
                }

                validity.Recount();
                validityBuffer = validity.Build(out nullCount);
                validity = null;
            }

            try
            {
                switch (layout)
                {
                    case Layout.FixedWidth:
                    {
                        values = OwnedBuffer.Allocate(allocator, checked(n * width), zeroed: false);
                        var target = values.Span;
                        var position = 0;
                        foreach (var array in arrays)
                        {
                            var data = array.Data;
                            var count = data.Length * width;
                            data.Buffers[1].Span.Slice(data.Offset * width, count).CopyTo(target[position..]);
                            position += count;
                        }

                        return Build(type, n, nullCount, validityBuffer, values.Build());
                    }

                    case Layout.Bitmap:
                    {
                        values = OwnedBuffer.Allocate(allocator, Bitmaps.ByteCount(n), zeroed: true);
                        var target = values.Span;
                        var row = 0;
                        foreach (var array in arrays)
                        {
                            var data = array.Data;
                            Bitmaps.Copy(data.Buffers[1].Span, data.Offset, target, row, data.Length);
                            row += data.Length;
                        }

                        return Build(type, n, nullCount, validityBuffer, values.Build());
                    }

                    case Layout.VarBinary:
                    {
                        long total = 0;
                        foreach (var array in arrays)
                        {
                            var data = array.Data;
                            var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
                            total += data.Length == 0 ? 0 : offsets[data.Offset + data.Length] - offsets[data.Offset];
                        }

                        if (total > int.MaxValue)
                        {
                            throw new NotSupportedException($"Concatenating would produce {total} bytes of {SchemaText.Describe(type)} data; at most {int.MaxValue} fit in one array. Use smaller batches.");
                        }

                        values = OwnedBuffer.Allocate(allocator, (n + 1) * sizeof(int), zeroed: false);
                        bytes = OwnedBuffer.Allocate(allocator, (int)total, zeroed: false);
                        var outOffsets = values.As<int>();
                        var outBytes = bytes.Span;
                        var row = 0;
                        var position = 0;
                        foreach (var array in arrays)
                        {
                            var data = array.Data;
                            if (data.Length == 0)
                            {
                                continue;
                            }

                            var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
                            var first = offsets[0];
                            var count = offsets[data.Length] - first;
                            data.Buffers[2].Span.Slice(first, count).CopyTo(outBytes[position..]);
                            var delta = position - first;
                            for (var i = 0; i < data.Length; i++)
                            {
                                outOffsets[row + i] = offsets[i] + delta;
                            }

                            row += data.Length;
                            position += count;
                        }

                        outOffsets[n] = position;
                        return Build(type, n, nullCount, validityBuffer, values.Build(), bytes.Build());
                    }

                    default:
                        throw new NotSupportedException($"Concatenate does not support {SchemaText.Describe(type)} yet.");
                }
            }
            catch
            {
                validityBuffer.Dispose();
                throw;
            }
        }
        catch
        {
            validity?.Dispose();
            values?.Dispose();
            bytes?.Dispose();
            throw;
        }
    }

    /// <summary>Builds an array over new buffers (offset 0).</summary>
    public static IArrowArray Build(IArrowType type, int length, int nullCount, ArrowBuffer validity, ArrowBuffer values)
        => ArrowArrayFactory.BuildArray(new ArrayData(type, length, nullCount, 0, [validity, values]));

    /// <summary>Builds a variable-length array over new buffers (offset 0).</summary>
    public static IArrowArray Build(IArrowType type, int length, int nullCount, ArrowBuffer validity, ArrowBuffer offsets, ArrowBuffer bytes)
        => ArrowArrayFactory.BuildArray(new ArrayData(type, length, nullCount, 0, [validity, offsets, bytes]));

    private static ArrowBuffer TakeValidity(ArrayData data, ReadOnlySpan<int> indices, MemoryAllocator allocator, out int nullCount)
    {
        nullCount = 0;
        if (data.GetNullCount() == 0)
        {
            return ArrowBuffer.Empty;
        }

        var builder = new ValidityBuilder(allocator, indices.Length);
        var source = data.Buffers[0].Span;
        var target = builder.Bits;
        for (var i = 0; i < indices.Length; i++)
        {
            if (Bitmaps.Get(source, data.Offset + indices[i]))
            {
                Bitmaps.Set(target, i);
            }
        }

        builder.Recount();
        return builder.Build(out nullCount);
    }

    private static void TakeFixed(ReadOnlySpan<byte> source, int offset, int width, ReadOnlySpan<int> indices, Span<byte> target)
    {
        switch (width)
        {
            case 1:
                Gather(source[offset..], indices, target);
                break;
            case 2:
                Gather(MemoryMarshal.Cast<byte, short>(source)[offset..], indices, MemoryMarshal.Cast<byte, short>(target));
                break;
            case 4:
                Gather(MemoryMarshal.Cast<byte, int>(source)[offset..], indices, MemoryMarshal.Cast<byte, int>(target));
                break;
            case 8:
                Gather(MemoryMarshal.Cast<byte, long>(source)[offset..], indices, MemoryMarshal.Cast<byte, long>(target));
                break;
            case 16:
                Gather(MemoryMarshal.Cast<byte, Int128>(source)[offset..], indices, MemoryMarshal.Cast<byte, Int128>(target));
                break;
            default:
                for (var i = 0; i < indices.Length; i++)
                {
                    source.Slice((offset + indices[i]) * width, width).CopyTo(target.Slice(i * width, width));
                }

                break;
        }
    }

    private static void Gather<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> indices, Span<T> target)
        where T : unmanaged
    {
        for (var i = 0; i < indices.Length; i++)
        {
            target[i] = source[indices[i]];
        }
    }
}
