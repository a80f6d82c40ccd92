using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>A partition value parsed for one partition column: typed for predicates, raw for building arrays.</summary>
internal readonly record struct PartitionValue(object? Value, long Raw, double Real, byte[]? Utf8)
{
    public bool IsNull => Value is null;

    /// <summary>Parses the decoded text of a partition folder for a column of <paramref name="type"/>.</summary>
    /// <exception cref="FormatException">The text is not a value of the type.</exception>
    public static PartitionValue Parse(string? text, byte[]? utf8, IArrowType type)
    {
        if (text is null)
        {
            return default;
        }

        var inv = CultureInfo.InvariantCulture;
        switch (type.TypeId)
        {
            case ArrowTypeId.String:
                return new PartitionValue(text, 0, 0, utf8 ?? Encoding.UTF8.GetBytes(text));
            case ArrowTypeId.Boolean:
                var b = bool.Parse(text);
                return new PartitionValue(b, b ? 1 : 0, 0, null);
            case ArrowTypeId.Int8:
                var i8 = sbyte.Parse(text, NumberStyles.Integer, inv);
                return new PartitionValue(i8, i8, 0, null);
            case ArrowTypeId.Int16:
                var i16 = short.Parse(text, NumberStyles.Integer, inv);
                return new PartitionValue(i16, i16, 0, null);
            case ArrowTypeId.Int32:
                var i32 = int.Parse(text, NumberStyles.Integer, inv);
                return new PartitionValue(i32, i32, 0, null);
            case ArrowTypeId.Int64:
                var i64 = long.Parse(text, NumberStyles.Integer, inv);
                return new PartitionValue(i64, i64, 0, null);
            case ArrowTypeId.UInt8:
                var u8 = byte.Parse(text, NumberStyles.Integer, inv);
                return new PartitionValue(u8, u8, 0, null);
            case ArrowTypeId.UInt16:
                var u16 = ushort.Parse(text, NumberStyles.Integer, inv);
                return new PartitionValue(u16, u16, 0, null);
            case ArrowTypeId.UInt32:
                var u32 = uint.Parse(text, NumberStyles.Integer, inv);
                return new PartitionValue(u32, u32, 0, null);
            case ArrowTypeId.UInt64:
                var u64 = ulong.Parse(text, NumberStyles.Integer, inv);
                return new PartitionValue(u64, (long)u64, 0, null);
            case ArrowTypeId.Float:
                var f = float.Parse(text, NumberStyles.Float, inv);
                return new PartitionValue(f, 0, f, null);
            case ArrowTypeId.Double:
                var d = double.Parse(text, NumberStyles.Float, inv);
                return new PartitionValue(d, 0, d, null);
            case ArrowTypeId.Date32:
                var date = DateOnly.ParseExact(text, "yyyy-MM-dd", inv);
                return new PartitionValue(date, date.DayNumber - PartitionTransforms.UnixEpochDayNumber, 0, null);
            case ArrowTypeId.Date64:
                var date64 = DateOnly.ParseExact(text, "yyyy-MM-dd", inv);
                return new PartitionValue(date64, (date64.DayNumber - PartitionTransforms.UnixEpochDayNumber) * 86_400_000L, 0, null);
            case ArrowTypeId.Timestamp:
                var unit = ((TimestampType)type).Unit;
                if (!PartitionTransforms.TryParseTimestamp(text, unit, out var raw))
                {
                    throw new FormatException($"'{text}' is not a timestamp (yyyy-MM-dd HH:mm:ss[.fraction]).");
                }

                var perSecond = PartitionTransforms.UnitsPerSecond(unit);
                var ticks = (PartitionTransforms.FloorDiv(raw, perSecond) * TimeSpan.TicksPerSecond) + (PartitionTransforms.FloorMod(raw, perSecond) * TimeSpan.TicksPerSecond / perSecond);
                return new PartitionValue(new DateTime(DateTime.UnixEpoch.Ticks + ticks, DateTimeKind.Utc), raw, 0, null);
            default:
                throw new FormatException($"partition columns of type {SchemaText.Describe(type)} are not supported.");
        }
    }
}

/// <summary>Builds the arrays a reader adds or converts: constant partition columns, all-null columns, widening casts.</summary>
internal static class LakeArrays
{
    /// <summary>Builds an array of <paramref name="length"/> copies of one value (or nulls).</summary>
    public static IArrowArray Constant(IArrowType type, PartitionValue value, int length, MemoryAllocator allocator)
    {
        if (value.IsNull)
        {
            return AllNull(type, length, allocator);
        }

        ArrowBuffer values;
        switch (type.TypeId)
        {
            case ArrowTypeId.String:
                var bytes = value.Utf8!;
                var offsets = new ArrowBuffer.Builder<int>(length + 1);
                offsets.Resize(length + 1);
                var offsetSpan = offsets.Span;
                for (var i = 0; i <= length; i++)
                {
                    offsetSpan[i] = i * bytes.Length;
                }

                var data = new ArrowBuffer.Builder<byte>(Math.Max(1, bytes.Length * length));
                data.Resize(bytes.Length * length);
                var dataSpan = data.Span;
                for (var i = 0; i < length; i++)
                {
                    bytes.CopyTo(dataSpan[(i * bytes.Length)..]);
                }

                return ArrowArrayFactory.BuildArray(new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, offsets.Build(allocator), data.Build(allocator)]));
            case ArrowTypeId.Boolean:
                var bits = new ArrowBuffer.BitmapBuilder(length);
                bits.AppendRange(value.Raw != 0, length);
                values = bits.Build(allocator);
                break;
            case ArrowTypeId.Int8:
                values = Fill(length, (sbyte)value.Raw, allocator);
                break;
            case ArrowTypeId.UInt8:
                values = Fill(length, (byte)value.Raw, allocator);
                break;
            case ArrowTypeId.Int16:
                values = Fill(length, (short)value.Raw, allocator);
                break;
            case ArrowTypeId.UInt16:
                values = Fill(length, (ushort)value.Raw, allocator);
                break;
            case ArrowTypeId.Int32:
            case ArrowTypeId.Date32:
                values = Fill(length, (int)value.Raw, allocator);
                break;
            case ArrowTypeId.UInt32:
                values = Fill(length, (uint)value.Raw, allocator);
                break;
            case ArrowTypeId.Float:
                values = Fill(length, (float)value.Real, allocator);
                break;
            case ArrowTypeId.Double:
                values = Fill(length, value.Real, allocator);
                break;
            default:
                values = Fill(length, value.Raw, allocator);
                break;
        }

        return ArrowArrayFactory.BuildArray(new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, values]));
    }

    /// <summary>Builds an array of nulls of a fixed-width, boolean or string/binary type.</summary>
    public static IArrowArray AllNull(IArrowType type, int length, MemoryAllocator allocator)
    {
        var validity = Zeros((length + 7) / 8, allocator);
        ArrowBuffer[] buffers = KernelTypes.GetLayout(type, out var width) switch
        {
            Layout.FixedWidth => [validity, Zeros(length * width, allocator)],
            Layout.Bitmap => [validity, Zeros((length + 7) / 8, allocator)],
            Layout.VarBinary => [validity, Zeros((length + 1) * sizeof(int), allocator), ArrowBuffer.Empty],
            _ => throw new NotSupportedException($"Cannot build nulls of type {SchemaText.Describe(type)}."),
        };
        return ArrowArrayFactory.BuildArray(new ArrayData(type, length, length, 0, buffers));
    }

    /// <summary>Widens int32 to int64 or float to double (schema evolution); other pairs are not supported.</summary>
    public static IArrowArray Widen(IArrowArray source, IArrowType target, MemoryAllocator allocator)
    {
        var data = source.Data;
        var length = data.Length;
        ArrowBuffer values;
        if (data.DataType.TypeId == ArrowTypeId.Int32 && target.TypeId == ArrowTypeId.Int64)
        {
            var input = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, length);
            var builder = new ArrowBuffer.Builder<long>(length);
            builder.Resize(length);
            var output = builder.Span;
            for (var i = 0; i < length; i++)
            {
                output[i] = input[i];
            }

            values = builder.Build(allocator);
        }
        else if (data.DataType.TypeId == ArrowTypeId.Float && target.TypeId == ArrowTypeId.Double)
        {
            var input = MemoryMarshal.Cast<byte, float>(data.Buffers[1].Span).Slice(data.Offset, length);
            var builder = new ArrowBuffer.Builder<double>(length);
            builder.Resize(length);
            var output = builder.Span;
            for (var i = 0; i < length; i++)
            {
                output[i] = input[i];
            }

            values = builder.Build(allocator);
        }
        else
        {
            throw new NotSupportedException($"Cannot convert {SchemaText.Describe(data.DataType)} to {SchemaText.Describe(target)}.");
        }

        var nulls = data.NullCount;
        var validity = nulls == 0 ? ArrowBuffer.Empty : CopyBits(data.Buffers[0].Span, data.Offset, length, allocator);
        return ArrowArrayFactory.BuildArray(new ArrayData(target, length, nulls, 0, [validity, values]));
    }

    private static ArrowBuffer CopyBits(ReadOnlySpan<byte> source, int offset, int length, MemoryAllocator allocator)
    {
        var builder = new ArrowBuffer.BitmapBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(BitUtility.GetBit(source, offset + i));
        }

        return builder.Build(allocator);
    }

    private static ArrowBuffer Fill<T>(int length, T value, MemoryAllocator allocator)
        where T : struct
    {
        var builder = new ArrowBuffer.Builder<T>(Math.Max(1, length));
        builder.Resize(length);
        builder.Span.Fill(value);
        return builder.Build(allocator);
    }

    private static ArrowBuffer Zeros(int bytes, MemoryAllocator allocator)
    {
        var builder = new ArrowBuffer.Builder<byte>(Math.Max(1, bytes));
        builder.Resize(bytes);
        builder.Span.Clear();
        return builder.Build(allocator);
    }
}
