using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core.Tests.Kernels;

/// <summary>Builds and reads arrays of every supported type with Arrow's own builders and accessors (not ours).</summary>
internal static class KernelTestData
{
    public static readonly Dictionary<string, IArrowType> Types = new()
    {
        ["bool"] = BooleanType.Default,
        ["int8"] = Int8Type.Default,
        ["int16"] = Int16Type.Default,
        ["int32"] = Int32Type.Default,
        ["int64"] = Int64Type.Default,
        ["uint8"] = UInt8Type.Default,
        ["uint16"] = UInt16Type.Default,
        ["uint32"] = UInt32Type.Default,
        ["uint64"] = UInt64Type.Default,
        ["float"] = FloatType.Default,
        ["double"] = DoubleType.Default,
        ["decimal128(20, 4)"] = new Decimal128Type(20, 4),
        ["string"] = StringType.Default,
        ["binary"] = BinaryType.Default,
        ["date32"] = Date32Type.Default,
        ["timestamp[us, UTC]"] = new TimestampType(TimeUnit.Microsecond, "UTC"),
        ["timestamp[ns]"] = new TimestampType(TimeUnit.Nanosecond, (string?)null),
        ["timestamp[s, Europe/Paris]"] = new TimestampType(TimeUnit.Second, "Europe/Paris"),
    };

    public static IEnumerable<object[]> TypeNames() => Types.Keys.Select(static k => new object[] { k });

    /// <summary>Deterministic sample values; every fifth (shifted by the seed) is null.</summary>
    public static List<object?> Sample(IArrowType type, int count, int seed, double nullRate = 0.2)
    {
        var random = new Random(seed);
        var values = new List<object?>(count);
        for (var i = 0; i < count; i++)
        {
            values.Add(random.NextDouble() < nullRate ? null : Value(type, random));
        }

        return values;
    }

    public static object Value(IArrowType type, Random random) => type switch
    {
        BooleanType => random.Next(2) == 1,
        Int8Type => (sbyte)random.Next(sbyte.MinValue, sbyte.MaxValue + 1),
        Int16Type => (short)random.Next(short.MinValue, short.MaxValue + 1),
        Int32Type => random.Next(int.MinValue, int.MaxValue),
        Int64Type => random.NextInt64(long.MinValue, long.MaxValue),
        UInt8Type => (byte)random.Next(0, 256),
        UInt16Type => (ushort)random.Next(0, 65536),
        UInt32Type => (uint)random.NextInt64(0, uint.MaxValue),
        UInt64Type => (ulong)random.NextInt64(long.MinValue, long.MaxValue),
        FloatType => (float)Math.Round((random.NextDouble() * 2000) - 1000, 3),
        DoubleType => (random.NextDouble() * 2e6) - 1e6,
        Decimal128Type d => Math.Round((decimal)((random.NextDouble() * 2e6) - 1e6), d.Scale),
        StringType => RandomString(random),
        BinaryType => RandomBytes(random),
        Date32Type => random.Next(-40_000, 40_000),
        TimestampType t => Timestamp(t.Unit, random),
        _ => throw new NotSupportedException(type.Name),
    };

    private static long Timestamp(TimeUnit unit, Random random)
    {
        var perSecond = unit switch { TimeUnit.Second => 1L, TimeUnit.Millisecond => 1_000L, TimeUnit.Microsecond => 1_000_000L, _ => 1_000_000_000L };
        return (random.NextInt64(-2_000_000_000L, 4_000_000_000L) * perSecond) + random.NextInt64(0, perSecond);
    }

    private static string RandomString(Random random)
    {
        string[] pieces = ["a", "b", "EUR", "USD", "é", "€", "😀", " ", "x'y", "0"];
        var length = random.Next(0, 6);
        return string.Concat(Enumerable.Range(0, length).Select(_ => pieces[random.Next(pieces.Length)]));
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 9)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Builds an array with Arrow's builders (values as produced by <see cref="Sample"/>).</summary>
    public static IArrowArray Build(IArrowType type, IReadOnlyList<object?> values, MemoryAllocator? allocator = null)
    {
        switch (type)
        {
            case BooleanType:
            {
                var b = new BooleanArray.Builder();
                foreach (var v in values)
                {
                    if (v is null)
                    {
                        b.AppendNull();
                    }
                    else
                    {
                        b.Append((bool)v);
                    }
                }

                return b.Build(allocator);
            }

            case StringType:
            {
                var b = new StringArray.Builder();
                foreach (var v in values)
                {
                    if (v is null)
                    {
                        b.AppendNull();
                    }
                    else
                    {
                        b.Append((string)v);
                    }
                }

                return b.Build(allocator);
            }

            case BinaryType:
            {
                var b = new BinaryArray.Builder();
                foreach (var v in values)
                {
                    if (v is null)
                    {
                        b.AppendNull();
                    }
                    else
                    {
                        b.Append(((byte[])v).AsSpan());
                    }
                }

                return b.Build(allocator);
            }

            case Decimal128Type d:
            {
                var b = new Decimal128Array.Builder(d);
                foreach (var v in values)
                {
                    if (v is null)
                    {
                        b.AppendNull();
                    }
                    else
                    {
                        b.Append((decimal)v);
                    }
                }

                return b.Build(allocator);
            }

            default:
                return type.TypeId switch
                {
                    ArrowTypeId.Int8 => Fixed<sbyte>(type, values, allocator),
                    ArrowTypeId.Int16 => Fixed<short>(type, values, allocator),
                    ArrowTypeId.Int32 or ArrowTypeId.Date32 => Fixed<int>(type, values, allocator),
                    ArrowTypeId.Int64 or ArrowTypeId.Timestamp => Fixed<long>(type, values, allocator),
                    ArrowTypeId.UInt8 => Fixed<byte>(type, values, allocator),
                    ArrowTypeId.UInt16 => Fixed<ushort>(type, values, allocator),
                    ArrowTypeId.UInt32 => Fixed<uint>(type, values, allocator),
                    ArrowTypeId.UInt64 => Fixed<ulong>(type, values, allocator),
                    ArrowTypeId.Float => Fixed<float>(type, values, allocator),
                    ArrowTypeId.Double => Fixed<double>(type, values, allocator),
                    _ => throw new NotSupportedException(type.Name),
                };
        }
    }

    private static IArrowArray Fixed<T>(IArrowType type, IReadOnlyList<object?> values, MemoryAllocator? allocator)
        where T : struct
    {
        var data = new ArrowBuffer.Builder<T>(Math.Max(1, values.Count));
        var validity = new ArrowBuffer.BitmapBuilder(Math.Max(1, values.Count));
        var nulls = 0;
        foreach (var v in values)
        {
            data.Append(v is null ? default : (T)v);
            validity.Append(v is not null);
            nulls += v is null ? 1 : 0;
        }

        var bitmap = nulls == 0 ? ArrowBuffer.Empty : validity.Build(allocator);
        return ArrowArrayFactory.BuildArray(new ArrayData(type, values.Count, nulls, 0, [bitmap, data.Build(allocator)]));
    }

    /// <summary>Reads every value with Arrow's accessors; byte arrays as hex strings so that lists compare by value.</summary>
    public static List<object?> Values(IArrowArray array)
    {
        var result = new List<object?>(array.Length);
        for (var i = 0; i < array.Length; i++)
        {
            result.Add(Get(array, i));
        }

        return result;
    }

    public static object? Get(IArrowArray array, int i)
    {
        if (array.IsNull(i))
        {
            return null;
        }

        return array switch
        {
            BooleanArray a => a.GetValue(i),
            Int8Array a => a.GetValue(i),
            Int16Array a => a.GetValue(i),
            Int32Array a => a.GetValue(i),
            Int64Array a => a.GetValue(i),
            UInt8Array a => a.GetValue(i),
            UInt16Array a => a.GetValue(i),
            UInt32Array a => a.GetValue(i),
            UInt64Array a => a.GetValue(i),
            FloatArray a => a.GetValue(i),
            DoubleArray a => a.GetValue(i),
            Decimal128Array a => a.GetValue(i),
            StringArray a => a.GetString(i),
            BinaryArray a => Canon(a.GetBytes(i).ToArray()),
            Date32Array a => a.GetValue(i),
            TimestampArray a => a.GetValue(i),
            _ => throw new NotSupportedException(array.GetType().Name),
        };
    }

    /// <summary>Makes values comparable with <see cref="Assert.Equal{T}(IEnumerable{T}, IEnumerable{T})"/> (bytes as hex).</summary>
    public static object? Canon(object? value) => value is byte[] b ? "0x" + Convert.ToHexString(b) : value;

    public static List<object?> Canon(IEnumerable<object?> values) => [.. values.Select(Canon)];

    public static Schema SchemaOf(params (string Name, IArrowType Type)[] columns)
        => new(columns.Select(c => new Field(c.Name, c.Type, true)), null);

    public static RecordBatch Batch(params (string Name, IArrowType Type, IReadOnlyList<object?> Values)[] columns)
        => Batch(null, columns);

    public static RecordBatch Batch(MemoryAllocator? allocator, params (string Name, IArrowType Type, IReadOnlyList<object?> Values)[] columns)
    {
        var schema = new Schema(columns.Select(c => new Field(c.Name, c.Type, true)), null);
        return new RecordBatch(schema, columns.Select(c => Build(c.Type, c.Values, allocator)), columns.Length == 0 ? 0 : columns[0].Values.Count);
    }

    /// <summary>A slice of the column sharing its buffers (offset != 0), for kernels that must honour offsets.</summary>
    public static IArrowArray Sliced(IArrowArray array, int offset, int length) => ArrowArrayFactory.SliceShared(array, offset, length);
}
