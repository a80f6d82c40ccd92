using System.Buffers.Binary;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;
using DataEng.Core.ParquetFormat;

namespace DataEng.Core.Tests.Parquet;

/// <summary>Batches covering every supported type (with nulls), and helpers to write and read files (DuckDB: <see cref="Duck"/>).</summary>
internal static class ParquetTestData
{
    public const int Rows = 6;

    public static readonly Schema AllTypes = new Schema.Builder()
        .Field(f => f.Name("b").DataType(BooleanType.Default).Nullable(true))
        .Field(f => f.Name("i8").DataType(Int8Type.Default).Nullable(true))
        .Field(f => f.Name("i16").DataType(Int16Type.Default).Nullable(true))
        .Field(f => f.Name("i32").DataType(Int32Type.Default).Nullable(true))
        .Field(f => f.Name("i64").DataType(Int64Type.Default).Nullable(false))
        .Field(f => f.Name("u8").DataType(UInt8Type.Default).Nullable(true))
        .Field(f => f.Name("u16").DataType(UInt16Type.Default).Nullable(true))
        .Field(f => f.Name("u32").DataType(UInt32Type.Default).Nullable(true))
        .Field(f => f.Name("u64").DataType(UInt64Type.Default).Nullable(true))
        .Field(f => f.Name("f32").DataType(FloatType.Default).Nullable(true))
        .Field(f => f.Name("f64").DataType(DoubleType.Default).Nullable(true))
        .Field(f => f.Name("d9").DataType(new Decimal128Type(9, 2)).Nullable(true))
        .Field(f => f.Name("d18").DataType(new Decimal128Type(18, 4)).Nullable(true))
        .Field(f => f.Name("d38").DataType(new Decimal128Type(38, 10)).Nullable(true))
        .Field(f => f.Name("s").DataType(StringType.Default).Nullable(true))
        .Field(f => f.Name("bin").DataType(BinaryType.Default).Nullable(true))
        .Field(f => f.Name("date").DataType(Date32Type.Default).Nullable(true))
        .Field(f => f.Name("ts_s").DataType(new TimestampType(TimeUnit.Second, (string?)null)).Nullable(true))
        .Field(f => f.Name("ts_ms").DataType(new TimestampType(TimeUnit.Millisecond, (string?)null)).Nullable(true))
        .Field(f => f.Name("ts_us").DataType(new TimestampType(TimeUnit.Microsecond, (string?)null)).Nullable(true))
        .Field(f => f.Name("ts_ns").DataType(new TimestampType(TimeUnit.Nanosecond, (string?)null)).Nullable(true))
        .Field(f => f.Name("tz_ms").DataType(new TimestampType(TimeUnit.Millisecond, "UTC")).Nullable(true))
        .Field(f => f.Name("tz_us").DataType(new TimestampType(TimeUnit.Microsecond, "Europe/Paris")).Nullable(true))
        .Field(f => f.Name("tz_ns").DataType(new TimestampType(TimeUnit.Nanosecond, "+01:00")).Nullable(true))
        .Build();

    public static readonly Int128[] D38 = [Int128.Parse("12345678901234567890123456789"), -1, 0, Int128.Parse("-99999999999999999999999999999999999999"), 42, Int128.Parse("99999999999999999999999999999999999999")];

    public static readonly long[] Nanos = [1_700_000_000_123_456_789, -1, 0, 86_400_000_000_000, 1, -9_000_000_000_000_000_000];

    /// <summary>Row r of column c is null when (r + c) % 4 == 3 (non-nullable columns never).</summary>
    public static bool IsNull(int column, int row) => AllTypes.FieldsList[column].IsNullable && (row + column) % 4 == 3;

    public static RecordBatch AllTypesBatch(MemoryAllocator? allocator = null, int rows = Rows)
    {
        var arrays = new IArrowArray[AllTypes.FieldsList.Count];
        for (var c = 0; c < arrays.Length; c++)
        {
            arrays[c] = Column(c, AllTypes.FieldsList[c].DataType, rows, allocator);
        }

        return new RecordBatch(AllTypes, arrays, rows);
    }

    private static IArrowArray Column(int c, IArrowType type, int rows, MemoryAllocator? allocator)
    {
        var width = type switch
        {
            BooleanType => 0,
            StringType or BinaryType => -1,
            FixedWidthType f => f.BitWidth / 8,
            _ => throw new NotSupportedException(type.Name),
        };
        var validity = new ArrowBuffer.BitmapBuilder(rows);
        var nulls = 0;
        for (var r = 0; r < rows; r++)
        {
            validity.Append(!IsNull(c, r));
            nulls += IsNull(c, r) ? 1 : 0;
        }

        if (width == -1)
        {
            var offsets = new ArrowBuffer.Builder<int>();
            var data = new ArrowBuffer.Builder<byte>();
            offsets.Append(0);
            for (var r = 0; r < rows; r++)
            {
                if (!IsNull(c, r))
                {
                    data.Append(type is StringType ? System.Text.Encoding.UTF8.GetBytes(StringValue(r)) : BinaryValue(r));
                }

                offsets.Append(data.Length);
            }

            var stringData = new ArrayData(type, rows, nulls, 0, [validity.Build(allocator), offsets.Build(allocator), data.Build(allocator)]);
            return ArrowArrayFactory.BuildArray(stringData);
        }

        ArrowBuffer values;
        if (width == 0)
        {
            var bits = new ArrowBuffer.BitmapBuilder(rows);
            for (var r = 0; r < rows; r++)
            {
                bits.Append(!IsNull(c, r) && r % 3 != 1);
            }

            values = bits.Build(allocator);
        }
        else
        {
            var bytes = new byte[rows * width];
            for (var r = 0; r < rows; r++)
            {
                if (!IsNull(c, r))
                {
                    WriteValue(type, r, bytes.AsSpan(r * width, width));
                }
            }

            var builder = new ArrowBuffer.Builder<byte>(bytes.Length);
            builder.Append(bytes);
            values = builder.Build(allocator);
        }

        return ArrowArrayFactory.BuildArray(new ArrayData(type, rows, nulls, 0, [nulls == 0 ? ArrowBuffer.Empty : validity.Build(allocator), values]));
    }

    public static string StringValue(int row) => row switch
    {
        0 => "hello",
        1 => "",
        2 => "wörld ✓",
        3 => "emoji 🎉",
        _ => "value " + row,
    };

    public static byte[] BinaryValue(int row) => row == 1 ? [] : [(byte)row, 0, 255, (byte)(row * 7)];

    private static void WriteValue(IArrowType type, int r, Span<byte> target)
    {
        switch (type)
        {
            case Int8Type: target[0] = (byte)(sbyte)(r == 0 ? sbyte.MinValue : r == 5 ? sbyte.MaxValue : r - 2); break;
            case UInt8Type: target[0] = (byte)(r == 5 ? byte.MaxValue : r); break;
            case Int16Type: BinaryPrimitives.WriteInt16LittleEndian(target, r == 0 ? short.MinValue : r == 5 ? short.MaxValue : (short)(r * 100 - 200)); break;
            case UInt16Type: BinaryPrimitives.WriteUInt16LittleEndian(target, r == 5 ? ushort.MaxValue : (ushort)(r * 1000)); break;
            case Int32Type: BinaryPrimitives.WriteInt32LittleEndian(target, r == 0 ? int.MinValue : r == 5 ? int.MaxValue : r * 100_000 - 7); break;
            case UInt32Type: BinaryPrimitives.WriteUInt32LittleEndian(target, r == 5 ? uint.MaxValue : (uint)r * 3_000_000_000u / 5); break;
            case Int64Type: BinaryPrimitives.WriteInt64LittleEndian(target, r == 0 ? long.MinValue : r == 5 ? long.MaxValue : r * 10_000_000_000L - 3); break;
            case UInt64Type: BinaryPrimitives.WriteUInt64LittleEndian(target, r == 5 ? ulong.MaxValue : (ulong)r * 4_000_000_000_000_000_000UL); break;
            case FloatType: BinaryPrimitives.WriteSingleLittleEndian(target, r == 5 ? float.MaxValue : r * 1.5f - 2); break;
            case DoubleType: BinaryPrimitives.WriteDoubleLittleEndian(target, r == 5 ? double.MinValue : r * 0.1 - 1e300 * (r == 0 ? 1 : 0)); break;
            case Decimal128Type { Precision: 9 }: BinaryPrimitives.WriteInt128LittleEndian(target, r == 5 ? 999_999_999 : r * 12345 - 50000); break;
            case Decimal128Type { Precision: 18 }: BinaryPrimitives.WriteInt128LittleEndian(target, r == 5 ? -999_999_999_999_999_999 : r * 123_456_789_012L); break;
            case Decimal128Type: BinaryPrimitives.WriteInt128LittleEndian(target, D38[r % D38.Length]); break;
            case Date32Type: BinaryPrimitives.WriteInt32LittleEndian(target, r == 0 ? -719_162 : r * 10_000 - 3); break;
            case TimestampType t: BinaryPrimitives.WriteInt64LittleEndian(target, t.Unit switch
            {
                TimeUnit.Second => Nanos[r % Nanos.Length] / 1_000_000_000,
                TimeUnit.Millisecond => Nanos[r % Nanos.Length] / 1_000_000,
                TimeUnit.Microsecond => Nanos[r % Nanos.Length] / 1_000,
                _ => Nanos[r % Nanos.Length],
            }); break;
            default: throw new NotSupportedException(type.Name);
        }
    }

    public static async Task<string> WriteFileAsync(string path, IEnumerable<RecordBatch> batches, Schema schema, ParquetWriteOptions? options = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        await using (var stream = File.Create(path))
        {
            await using var writer = await ArrowParquetWriter.CreateAsync(stream, schema, options ?? new ParquetWriteOptions(), metadata, default);
            foreach (var batch in batches)
            {
                await writer.WriteAsync(batch);
            }

            await writer.CompleteAsync();
        }

        return path;
    }

    /// <summary>Reads every batch of a file with our reader into one list per column of Arrow-level values.</summary>
    public static async Task<List<RecordBatch>> ReadAllAsync(string path, ParquetReadOptions? options = null, IReadOnlyList<string>? columns = null)
    {
        await using var reader = await ArrowParquetReader.OpenAsync(path, options, default);
        var batches = new List<RecordBatch>();
        await foreach (var batch in reader.ReadAsync(columns))
        {
            batches.Add(batch);
        }

        return batches;
    }
}
