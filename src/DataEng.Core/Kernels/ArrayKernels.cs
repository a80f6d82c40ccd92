using System.Runtime.CompilerServices;
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
                    GatherFixed(data.Buffers[1].Span, data.Offset, width, indices, values.Span);
                    return Build(data.DataType, n, nullCount, validity, values.Build());
                case Layout.Bitmap:
                    values = OwnedBuffer.Allocate(allocator, Bitmaps.ByteCount(n), zeroed: true);
                    Bitmaps.Gather(data.Buffers[1].Span, data.Offset, indices, values.Span, 0);
                    return Build(data.DataType, n, nullCount, validity, values.Build());
                case Layout.VarBinary:
                    var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
                    var total = GatherLength(offsets, indices);
                    if (total > int.MaxValue)
                    {
                        throw new NotSupportedException($"The result of a take would hold {total} bytes of {SchemaText.Describe(data.DataType)} data; at most {int.MaxValue} fit in one array. Use smaller batches.");
                    }

                    values = OwnedBuffer.Allocate(allocator, (n + 1) * sizeof(int), zeroed: false);
                    bytes = OwnedBuffer.Allocate(allocator, (int)total, zeroed: false);
                    var outOffsets = values.As<int>();
                    outOffsets[0] = 0;
                    GatherVariable(offsets, data.Buffers[2].Span, indices, outOffsets.Slice(1, n), bytes.Span, 0);
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
        Bitmaps.Gather(data.Buffers[0].Span, data.Offset, indices, builder.Bits, 0);
        builder.Recount();
        return builder.Build(out nullCount);
    }

    /// <summary>
    /// Gathers fixed-width values: value <c>offset + indices[k]</c> of <paramref name="source"/> (values of
    /// <paramref name="width"/> bytes) becomes value <c>k</c> of <paramref name="target"/>. The common widths move one
    /// machine word per value, four values per iteration; indices must be in range (the callers produced them).
    /// </summary>
    public static void GatherFixed(ReadOnlySpan<byte> source, int offset, int width, ReadOnlySpan<int> indices, Span<byte> target)
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
                var start = offset * width;
                for (var k = 0; k < indices.Length; k++)
                {
                    source.Slice(start + (indices[k] * width), width).CopyTo(target.Slice(k * width, width));
                }

                break;
        }
    }

    /// <summary>The total byte length of the variable-length values <paramref name="indices"/>.</summary>
    /// <param name="offsets">The value offsets, starting at the array's first logical row.</param>
    /// <param name="indices">The rows.</param>
    public static long GatherLength(ReadOnlySpan<int> offsets, ReadOnlySpan<int> indices)
    {
        long total = 0;
        ref var so = ref MemoryMarshal.GetReference(offsets);
        foreach (var i in indices)
        {
            total += Unsafe.Add(ref so, i + 1) - Unsafe.Add(ref so, i);
        }

        return total;
    }

    /// <summary>
    /// Gathers variable-length values: the bytes of value <c>indices[k]</c> are appended to <paramref name="target"/>
    /// from <paramref name="position"/> on, and <c>targetEnds[k]</c> receives where it ends (the next offset), so a
    /// caller appending to an offsets buffer passes the slice after its last offset. <paramref name="target"/> must
    /// hold <see cref="GatherLength"/> more bytes.
    /// </summary>
    /// <returns>The position after the last value.</returns>
    public static int GatherVariable(ReadOnlySpan<int> offsets, ReadOnlySpan<byte> bytes, ReadOnlySpan<int> indices, Span<int> targetEnds, Span<byte> target, int position)
    {
        ref var so = ref MemoryMarshal.GetReference(offsets);
        ref var ix = ref MemoryMarshal.GetReference(indices);
        ref var sourceStart = ref MemoryMarshal.GetReference(bytes);
        ref var destination = ref MemoryMarshal.GetReference(target);
        ref var ends = ref MemoryMarshal.GetReference(targetEnds);
        for (var k = 0; k < indices.Length; k++)
        {
            var i = Unsafe.Add(ref ix, k);
            var start = Unsafe.Add(ref so, i);
            var length = Unsafe.Add(ref so, i + 1) - start;
            Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref destination, position), ref Unsafe.Add(ref sourceStart, start), (uint)length);
            position += length;
            Unsafe.Add(ref ends, k) = position;
        }

        return position;
    }

    private static void Gather<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> indices, Span<T> target)
        where T : unmanaged
    {
        ref var s = ref MemoryMarshal.GetReference(source);
        ref var d = ref MemoryMarshal.GetReference(target);
        ref var ix = ref MemoryMarshal.GetReference(indices);
        var n = indices.Length;
        var k = 0;
        for (; k + 4 <= n; k += 4)
        {
            Unsafe.Add(ref d, k) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k));
            Unsafe.Add(ref d, k + 1) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k + 1));
            Unsafe.Add(ref d, k + 2) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k + 2));
            Unsafe.Add(ref d, k + 3) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k + 3));
        }

        for (; k < n; k++)
        {
            Unsafe.Add(ref d, k) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k));
        }
    }
}
