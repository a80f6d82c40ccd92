using System.Numerics;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// Hashes rows of one or more columns to 64-bit values that are stable across processes, machines and versions.
/// </summary>
/// <remarks>
/// Per value: xxHash64 (seed 0) of the value's canonical little-endian bytes. Integers of every width and signedness
/// (and booleans as 0/1) hash as their 64-bit two's complement value, so equal numbers hash equally whatever their
/// integer type; float and double hash as the double's bits (-0.0 as 0.0, every NaN alike); decimal128 as its 16-byte
/// unscaled value (so 1.0 at scale 1 and 1.00 at scale 2 differ); date32 as its day number; timestamps as their value
/// in their own unit; strings and binary as their bytes. Null hashes to <see cref="NullHash"/>. Several columns combine
/// left to right with <see cref="StableHash.Combine"/>.
/// </remarks>
internal static class HashKernel
{
    /// <summary>The hash of a null value.</summary>
    public const ulong NullHash = 0x9E3779B97F4A7C15UL;

    public static bool Supports(IArrowType type) => KernelTypes.IsValueSupported(type);

    /// <summary>Hashes the rows of <paramref name="columns"/> (same length) into a non-null uint64 array.</summary>
    public static UInt64Array Hash(IReadOnlyList<IArrowArray> columns, int length, MemoryAllocator allocator)
    {
        var buffer = OwnedBuffer.Allocate(allocator, length * sizeof(ulong), zeroed: false);
        try
        {
            var output = buffer.As<ulong>()[..length];
            for (var c = 0; c < columns.Count; c++)
            {
                HashColumn(columns[c].Data, output, combine: c > 0);
            }

            return (UInt64Array)ArrayKernels.Build(UInt64Type.Default, length, 0, ArrowBuffer.Empty, buffer.Build());
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static void HashColumn(ArrayData data, Span<ulong> output, bool combine)
    {
        switch (data.DataType.TypeId)
        {
            case ArrowTypeId.Int8:
                Integers<sbyte>(data, output, combine);
                break;
            case ArrowTypeId.Int16:
                Integers<short>(data, output, combine);
                break;
            case ArrowTypeId.Int32:
            case ArrowTypeId.Date32:
                Integers<int>(data, output, combine);
                break;
            case ArrowTypeId.Int64:
            case ArrowTypeId.Timestamp:
                Integers<long>(data, output, combine);
                break;
            case ArrowTypeId.UInt8:
                Integers<byte>(data, output, combine);
                break;
            case ArrowTypeId.UInt16:
                Integers<ushort>(data, output, combine);
                break;
            case ArrowTypeId.UInt32:
                Integers<uint>(data, output, combine);
                break;
            case ArrowTypeId.UInt64:
                Integers<ulong>(data, output, combine);
                break;
            case ArrowTypeId.Float:
                Floats<float>(data, output, combine);
                break;
            case ArrowTypeId.Double:
                Floats<double>(data, output, combine);
                break;
            case ArrowTypeId.Boolean:
            {
                var validity = new Validity(data);
                var bits = data.Buffers[1].Span;
                for (var i = 0; i < output.Length; i++)
                {
                    var h = validity.IsValid(i) ? StableHash.XxHash64(Bitmaps.Get(bits, data.Offset + i) ? 1UL : 0UL) : NullHash;
                    output[i] = combine ? StableHash.Combine(output[i], h) : h;
                }

                break;
            }

            case ArrowTypeId.Decimal128:
            {
                var validity = new Validity(data);
                var bytes = data.Buffers[1].Span.Slice(data.Offset * 16, data.Length * 16);
                for (var i = 0; i < output.Length; i++)
                {
                    var h = validity.IsValid(i) ? StableHash.XxHash64(bytes.Slice(i * 16, 16)) : NullHash;
                    output[i] = combine ? StableHash.Combine(output[i], h) : h;
                }

                break;
            }

            case ArrowTypeId.String:
            case ArrowTypeId.Binary:
            {
                var validity = new Validity(data);
                var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
                var bytes = data.Buffers[2].Span;
                for (var i = 0; i < output.Length; i++)
                {
                    var h = validity.IsValid(i) ? StableHash.XxHash64(bytes[offsets[i]..offsets[i + 1]]) : NullHash;
                    output[i] = combine ? StableHash.Combine(output[i], h) : h;
                }

                break;
            }

            default:
                throw new NotSupportedException($"Hashing {SchemaText.Describe(data.DataType)} is not supported yet (supported: {KernelTypes.ValueTypesText}).");
        }
    }

    private static void Integers<T>(ArrayData data, Span<ulong> output, bool combine)
        where T : unmanaged, IBinaryInteger<T>
    {
        var validity = new Validity(data);
        var values = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
        for (var i = 0; i < output.Length; i++)
        {
            var h = validity.IsValid(i) ? StableHash.XxHash64(ulong.CreateTruncating(values[i])) : NullHash;
            output[i] = combine ? StableHash.Combine(output[i], h) : h;
        }
    }

    private static void Floats<T>(ArrayData data, Span<ulong> output, bool combine)
        where T : unmanaged, IFloatingPoint<T>
    {
        var validity = new Validity(data);
        var values = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
        for (var i = 0; i < output.Length; i++)
        {
            ulong h = NullHash;
            if (validity.IsValid(i))
            {
                var value = double.CreateTruncating(values[i]);
                value = double.IsNaN(value) ? double.NaN : value + 0.0;
                h = StableHash.XxHash64(BitConverter.DoubleToUInt64Bits(value));
            }

            output[i] = combine ? StableHash.Combine(output[i], h) : h;
        }
    }
}
