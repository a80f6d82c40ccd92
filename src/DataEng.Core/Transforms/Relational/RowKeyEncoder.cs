using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// Encodes the key columns of each row into one byte string such that two rows have equal keys exactly when their
/// byte strings are equal, and byte-wise (memcmp) order is the SQL order of the keys with each column's direction and
/// null placement. Grouping, joins and dedup hash the bytes (through <see cref="ByteKeyTable"/>); sort, top-N and
/// windows compare them with one <c>SequenceCompareTo</c>.
/// </summary>
/// <remarks>
/// <para>Per column: one marker byte (1 for a value; for a null 0 when nulls go first, else 2), then the value.
/// Fixed-width values are written big-endian in an order-preserving form (sign bit flipped for signed integers,
/// IEEE-754 floats mapped so that −∞ &lt; … &lt; −0 = 0 &lt; … &lt; +∞ &lt; NaN, every NaN made one NaN and −0.0 made
/// 0.0, as DuckDB compares and groups them); a null writes zeros of the same width. Strings and binary write their
/// bytes with each 0x00 escaped as 0x00 0xFF and end with 0x00 0x00, so a prefix sorts first; a null writes only the
/// marker. Descending columns invert the value bytes (not the marker, so null placement is independent of direction).</para>
/// <para>Encoding works column by column over the whole batch (one typed loop per column), into a reusable
/// <see cref="KeyRows"/>: nothing is allocated per row. Not thread-safe (it keeps a scratch array).</para>
/// </remarks>
internal sealed class RowKeyEncoder : IDisposable
{
    private const string SupportedText = "bool, int8–int64, uint8–uint64, float, double, decimal (up to 128 bits), string, binary, date32, date64, time32, time64, timestamp, duration";

    private readonly Part[] _parts;
    private readonly int _fixedLength;
    private readonly bool _allFixed;
    private int[] _positions = [];

    private RowKeyEncoder(Part[] parts)
    {
        _parts = parts;
        foreach (var part in parts)
        {
            _fixedLength += part.Variable ? 1 : 1 + part.Width;
        }

        _allFixed = parts.All(static p => !p.Variable);
        ColumnIndices = [.. parts.Select(static p => p.Column)];
    }

    /// <summary>Gets the schema indices of the key columns, in key order.</summary>
    public IReadOnlyList<int> ColumnIndices { get; }

    /// <summary>Gets the length of every key when all key columns are fixed-width, else -1.</summary>
    public int FixedKeyLength => _allFixed ? _fixedLength : -1;

    /// <summary>Returns whether a type can be a key column.</summary>
    /// <param name="type">The type.</param>
    /// <returns>Whether the encoder supports it.</returns>
    public static bool IsSupported(IArrowType type) => WidthOf(type) >= 0;

    /// <summary>Binds an ordering to a schema, adding a problem for each unknown column or unsupported type.</summary>
    /// <param name="schema">The input schema.</param>
    /// <param name="keys">The key columns in order.</param>
    /// <param name="role">What the columns are for, in messages (for example "sort key").</param>
    /// <param name="problems">Receives the problems.</param>
    /// <returns>The encoder, or <see langword="null"/> when a problem was added.</returns>
    public static RowKeyEncoder? TryCreate(Schema schema, IReadOnlyList<SortKey> keys, string role, List<string> problems)
    {
        var parts = new Part[keys.Count];
        var before = problems.Count;
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            var index = ColumnLookup.Find(schema, key.Column, problems);
            if (index < 0)
            {
                continue;
            }

            var type = schema.FieldsList[index].DataType;
            var width = WidthOf(type);
            if (width < 0)
            {
                problems.Add($"{role} column '{key.Column}' has type {SchemaText.Describe(type)}, which cannot be a key (supported: {SupportedText})");
                continue;
            }

            parts[i] = new Part(index, type.TypeId, width, key.Descending, key.NullsFirst);
        }

        return problems.Count > before ? null : new RowKeyEncoder(parts);
    }

    /// <summary>Binds equality key columns (ascending, nulls last) to a schema, or adds problems.</summary>
    /// <param name="schema">The input schema.</param>
    /// <param name="columns">The key columns in order.</param>
    /// <param name="role">What the columns are for, in messages (for example "group key").</param>
    /// <param name="problems">Receives the problems.</param>
    /// <returns>The encoder, or <see langword="null"/> when a problem was added.</returns>
    public static RowKeyEncoder? TryCreate(Schema schema, IReadOnlyList<string> columns, string role, List<string> problems)
        => TryCreate(schema, [.. columns.Select(static c => new SortKey(c))], role, problems);

    /// <summary>Binds an ordering to a schema or throws <see cref="SchemaMismatchException"/> listing every problem.</summary>
    /// <param name="schema">The input schema.</param>
    /// <param name="keys">The key columns in order.</param>
    /// <param name="role">What the columns are for, in messages.</param>
    /// <returns>The encoder.</returns>
    public static RowKeyEncoder Create(Schema schema, IReadOnlyList<SortKey> keys, string role)
    {
        var problems = new List<string>();
        var encoder = TryCreate(schema, keys, role, problems);
        SchemaMismatchException.ThrowIfAny($"The {role} columns do not fit the input.", problems);
        return encoder!;
    }

    /// <summary>Encodes the keys of rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>)
    /// of a batch into <paramref name="output"/> (replacing what it held).</summary>
    /// <param name="batch">A batch of the schema the encoder was created for.</param>
    /// <param name="start">The first row.</param>
    /// <param name="count">The number of rows.</param>
    /// <param name="output">Receives one key per row.</param>
    public void Encode(RecordBatch batch, int start, int count, KeyRows output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, batch.Length, nameof(count));
        var offsets = output.BeginOffsets(count);
        var nulls = output.RawNulls;
        if (_allFixed)
        {
            for (var r = 0; r <= count; r++)
            {
                offsets[r] = r * _fixedLength;
            }
        }
        else
        {
            ComputeVariableOffsets(batch, start, count, offsets);
        }

        var data = output.BeginData(offsets[count]);
        if (_positions.Length < count)
        {
            if (_positions.Length > 0)
            {
                ArrayPool<int>.Shared.Return(_positions);
            }

            _positions = ArrayPool<int>.Shared.Rent(count);
        }

        var positions = _positions.AsSpan(0, count);
        offsets[..count].CopyTo(positions);
        foreach (var part in _parts)
        {
            var array = batch.Column(part.Column);
            EncodeColumn(part, array, start, count, data, positions, nulls);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_positions.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_positions);
            _positions = [];
        }
    }

    /// <summary>Returns the fixed value width of a key type, 0 for variable-length types, -1 when unsupported.</summary>
    private static int WidthOf(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Boolean or ArrowTypeId.Int8 or ArrowTypeId.UInt8 => 1,
        ArrowTypeId.Int16 or ArrowTypeId.UInt16 => 2,
        ArrowTypeId.Int32 or ArrowTypeId.UInt32 or ArrowTypeId.Float or ArrowTypeId.Date32 or ArrowTypeId.Time32 or ArrowTypeId.Decimal32 => 4,
        ArrowTypeId.Int64 or ArrowTypeId.UInt64 or ArrowTypeId.Double or ArrowTypeId.Date64 or ArrowTypeId.Time64
            or ArrowTypeId.Timestamp or ArrowTypeId.Duration or ArrowTypeId.Decimal64 => 8,
        ArrowTypeId.Decimal128 => 16,
        ArrowTypeId.String or ArrowTypeId.Binary => 0,
        _ => -1,
    };

    private static bool IsNull(IArrowArray array, int row)
        => array.NullCount != 0 && array.IsNull(row);

    private void ComputeVariableOffsets(RecordBatch batch, int start, int count, Span<int> offsets)
    {
        offsets[0] = 0;
        for (var r = 0; r < count; r++)
        {
            offsets[r + 1] = _fixedLength;
        }

        foreach (var part in _parts)
        {
            if (!part.Variable)
            {
                continue;
            }

            var array = (BinaryArray)batch.Column(part.Column);
            var valueOffsets = array.ValueOffsets;
            var values = array.Values;
            for (var r = 0; r < count; r++)
            {
                var row = start + r;
                if (IsNull(array, row))
                {
                    continue;
                }

                var bytes = values.Slice(valueOffsets[row], valueOffsets[row + 1] - valueOffsets[row]);
                offsets[r + 1] += bytes.Length + bytes.Count((byte)0) + 2;
            }
        }

        long total = 0;
        for (var r = 1; r <= count; r++)
        {
            total += offsets[r];
            if (total > System.Array.MaxLength)
            {
                throw new InvalidOperationException($"The keys of {count} rows take more than {System.Array.MaxLength} bytes; pass smaller batches.");
            }

            offsets[r] = (int)total;
        }
    }

    private static void EncodeColumn(Part part, IArrowArray array, int start, int count, Span<byte> data, Span<int> positions, bool[] nulls)
    {
        switch (part.Type)
        {
            case ArrowTypeId.Boolean:
                EncodeBoolean(part, (BooleanArray)array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.Int8:
                EncodeFixed<sbyte, SignedKey>(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.UInt8:
                EncodeFixed<byte, UnsignedKey>(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.Int16:
                EncodeFixed<short, SignedKey>(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.UInt16:
                EncodeFixed<ushort, UnsignedKey>(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.Int32 or ArrowTypeId.Date32 or ArrowTypeId.Time32 or ArrowTypeId.Decimal32:
                EncodeFixed<int, SignedKey>(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.UInt32:
                EncodeFixed<uint, UnsignedKey>(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.Int64 or ArrowTypeId.Date64 or ArrowTypeId.Time64 or ArrowTypeId.Timestamp or ArrowTypeId.Duration or ArrowTypeId.Decimal64:
                EncodeFixed<long, SignedKey>(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.UInt64:
                EncodeFixed<ulong, UnsignedKey>(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.Float:
                EncodeFixed<float, FloatKey>(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.Double:
                EncodeFixed<double, FloatKey>(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.Decimal128:
                EncodeDecimal128(part, array, start, count, data, positions, nulls);
                break;
            case ArrowTypeId.String or ArrowTypeId.Binary:
                EncodeBytes(part, (BinaryArray)array, start, count, data, positions, nulls);
                break;
            default:
                throw new NotSupportedException($"Key type {part.Type} is not supported.");
        }
    }

    private static byte NullMarker(Part part) => part.NullsFirst ? (byte)0 : (byte)2;

    private static void EncodeBoolean(Part part, BooleanArray array, int start, int count, Span<byte> data, Span<int> positions, bool[] nulls)
    {
        var marker = NullMarker(part);
        var flip = part.Descending ? (byte)0xFF : (byte)0;
        for (var r = 0; r < count; r++)
        {
            var at = positions[r];
            if (IsNull(array, start + r))
            {
                data[at] = marker;
                data[at + 1] = 0;
                nulls[r] = true;
            }
            else
            {
                data[at] = 1;
                data[at + 1] = (byte)((array.GetValue(start + r) == true ? 1 : 0) ^ flip);
            }

            positions[r] = at + 2;
        }
    }

    private static void EncodeFixed<T, TKey>(Part part, IArrowArray array, int start, int count, Span<byte> data, Span<int> positions, bool[] nulls)
        where T : unmanaged
        where TKey : struct, IOrderKey<T>
    {
        var values = MemoryMarshal.Cast<byte, T>(array.Data.Buffers[1].Span).Slice(array.Offset + start, count);
        var width = part.Width;
        var flip = part.Descending ? ulong.MaxValue : 0UL;
        var marker = NullMarker(part);
        var hasNulls = array.NullCount != 0;
        for (var r = 0; r < count; r++)
        {
            var at = positions[r];
            var slot = data.Slice(at + 1, width);
            if (hasNulls && array.IsNull(start + r))
            {
                data[at] = marker;
                slot.Clear();
                nulls[r] = true;
            }
            else
            {
                data[at] = 1;
                var key = TKey.Key(values[r]) ^ flip;
                WriteBigEndian(slot, key, width);
            }

            positions[r] = at + 1 + width;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteBigEndian(Span<byte> slot, ulong key, int width)
    {
        switch (width)
        {
            case 1:
                slot[0] = (byte)key;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16BigEndian(slot, (ushort)key);
                break;
            case 4:
                BinaryPrimitives.WriteUInt32BigEndian(slot, (uint)key);
                break;
            default:
                BinaryPrimitives.WriteUInt64BigEndian(slot, key);
                break;
        }
    }

    private static void EncodeDecimal128(Part part, IArrowArray array, int start, int count, Span<byte> data, Span<int> positions, bool[] nulls)
    {
        var bytes = array.Data.Buffers[1].Span.Slice((array.Offset + start) * 16, count * 16);
        var flip = part.Descending ? ulong.MaxValue : 0UL;
        var marker = NullMarker(part);
        for (var r = 0; r < count; r++)
        {
            var at = positions[r];
            var slot = data.Slice(at + 1, 16);
            if (IsNull(array, start + r))
            {
                data[at] = marker;
                slot.Clear();
                nulls[r] = true;
            }
            else
            {
                data[at] = 1;
                var low = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(r * 16, 8));
                var high = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice((r * 16) + 8, 8));
                BinaryPrimitives.WriteUInt64BigEndian(slot, (high ^ 0x8000_0000_0000_0000UL) ^ flip);
                BinaryPrimitives.WriteUInt64BigEndian(slot[8..], low ^ flip);
            }

            positions[r] = at + 17;
        }
    }

    private static void EncodeBytes(Part part, BinaryArray array, int start, int count, Span<byte> data, Span<int> positions, bool[] nulls)
    {
        var valueOffsets = array.ValueOffsets;
        var values = array.Values;
        var marker = NullMarker(part);
        var flip = part.Descending ? (byte)0xFF : (byte)0;
        for (var r = 0; r < count; r++)
        {
            var row = start + r;
            var at = positions[r];
            if (IsNull(array, row))
            {
                data[at] = marker;
                nulls[r] = true;
                positions[r] = at + 1;
                continue;
            }

            data[at++] = 1;
            var bytes = values.Slice(valueOffsets[row], valueOffsets[row + 1] - valueOffsets[row]);
            var begin = at;
            while (true)
            {
                var zero = bytes.IndexOf((byte)0);
                if (zero < 0)
                {
                    bytes.CopyTo(data[at..]);
                    at += bytes.Length;
                    break;
                }

                bytes[..zero].CopyTo(data[at..]);
                at += zero;
                data[at++] = 0;
                data[at++] = 0xFF;
                bytes = bytes[(zero + 1)..];
            }

            data[at++] = 0;
            data[at++] = 0;
            if (flip != 0)
            {
                Invert(data[begin..at]);
            }

            positions[r] = at;
        }
    }

    private static void Invert(Span<byte> bytes)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = ~words[i];
        }

        for (var i = words.Length * 8; i < bytes.Length; i++)
        {
            bytes[i] = (byte)~bytes[i];
        }
    }

    private readonly record struct Part(int Column, ArrowTypeId Type, int Width, bool Descending, bool NullsFirst)
    {
        public bool Variable => Width == 0;
    }

    /// <summary>Maps a value to an unsigned integer of the value's width whose unsigned order is the value's SQL order.</summary>
    private interface IOrderKey<T>
    {
        static abstract ulong Key(T value);
    }

    private readonly struct SignedKey : IOrderKey<sbyte>, IOrderKey<short>, IOrderKey<int>, IOrderKey<long>
    {
        public static ulong Key(sbyte value) => (byte)value ^ 0x80UL;

        public static ulong Key(short value) => (ushort)value ^ 0x8000UL;

        public static ulong Key(int value) => (uint)value ^ 0x8000_0000UL;

        public static ulong Key(long value) => (ulong)value ^ 0x8000_0000_0000_0000UL;
    }

    private readonly struct UnsignedKey : IOrderKey<byte>, IOrderKey<ushort>, IOrderKey<uint>, IOrderKey<ulong>
    {
        public static ulong Key(byte value) => value;

        public static ulong Key(ushort value) => value;

        public static ulong Key(uint value) => value;

        public static ulong Key(ulong value) => value;
    }

    private readonly struct FloatKey : IOrderKey<float>, IOrderKey<double>
    {
        public static ulong Key(float value)
        {
            // One NaN (above +∞) and one zero, as DuckDB compares and groups floating-point keys.
            var bits = float.IsNaN(value) ? 0x7FC0_0000 : value == 0f ? 0 : BitConverter.SingleToInt32Bits(value);
            return bits < 0 ? ~(uint)bits : (uint)bits ^ 0x8000_0000U;
        }

        public static ulong Key(double value)
        {
            var bits = double.IsNaN(value) ? 0x7FF8_0000_0000_0000L : value == 0d ? 0L : BitConverter.DoubleToInt64Bits(value);
            return bits < 0 ? ~(ulong)bits : (ulong)bits ^ 0x8000_0000_0000_0000UL;
        }
    }
}
