using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Levels whose key is a 64-bit number: every numeric, date and time transform, and buckets of any type.</summary>
internal sealed class NumericLevelEvaluator : LevelEvaluator
{
    private const int DirectTableLimit = 1 << 16;
    private readonly IArrowType _type;
    private readonly FixedKeyTable<long> _ids = new();
    private readonly List<int> _idToValue = [];
    private readonly List<string> _values = [];
    private readonly ZoneClock? _clock;
    private int _nullId = -1;
    private long[] _keys = [];
    private int[] _table = [];

    public NumericLevelEvaluator(PartitionSpec spec, IArrowType type)
        : base(spec)
    {
        _type = type;
        if (spec.TimeZone is not null && type is TimestampType ts)
        {
            _clock = new ZoneClock(spec.TimeZone, ts.Unit);
        }
    }

    public override string EscapedValue(int id) => _values[id];

    public override void Dispose() => _ids.Dispose();

    public override void Evaluate(IArrowArray column, Span<int> ids)
    {
        var rows = column.Length;
        if (_keys.Length < rows)
        {
            _keys = new long[Math.Max(rows, _keys.Length * 2)];
        }

        var keys = _keys.AsSpan(0, rows);
        try
        {
            ComputeKeys(column, keys);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            throw new DataFormatException($"partition column '{Spec.SourceColumn}'", null, Spec.SourceColumn, $"a value is outside the range partition {Spec} can represent (years 1 to 9999).", e);
        }

        var hasNulls = column.NullCount > 0;
        var validity = column.Data.Buffers[0].Span;
        var offset = column.Data.Offset;

        // Key range over non-null rows decides between a direct table and the dictionary.
        long min = long.MaxValue, max = long.MinValue;
        for (var i = 0; i < rows; i++)
        {
            if (hasNulls && !BitUtility.GetBit(validity, offset + i))
            {
                continue;
            }

            var k = keys[i];
            min = Math.Min(min, k);
            max = Math.Max(max, k);
        }

        if (max >= min && (ulong)(max - min) < DirectTableLimit)
        {
            var range = (int)(max - min) + 1;
            if (_table.Length < range)
            {
                _table = new int[Math.Max(range, Math.Min(DirectTableLimit, _table.Length * 2))];
            }

            var table = _table.AsSpan(0, range);
            table.Fill(-1);
            for (var i = 0; i < rows; i++)
            {
                if (hasNulls && !BitUtility.GetBit(validity, offset + i))
                {
                    ids[i] = NullId();
                    continue;
                }

                var cell = (int)(keys[i] - min);
                var id = table[cell];
                if (id < 0)
                {
                    id = table[cell] = IdOf(keys[i]);
                }

                ids[i] = id;
            }

            return;
        }

        long lastKey = 0;
        var lastId = -1;
        for (var i = 0; i < rows; i++)
        {
            if (hasNulls && !BitUtility.GetBit(validity, offset + i))
            {
                ids[i] = NullId();
                continue;
            }

            var k = keys[i];
            if (lastId < 0 || k != lastKey)
            {
                lastKey = k;
                lastId = IdOf(k);
            }

            ids[i] = lastId;
        }
    }

    private int NullId()
    {
        if (_nullId < 0)
        {
            _nullId = _values.Count;
            _values.Add(HivePath.NullValue);
        }

        return _nullId;
    }

    private int IdOf(long key)
    {
        var id = _ids.GetOrAdd(key, out var added);
        if (added)
        {
            _idToValue.Add(_values.Count);
            _values.Add(HivePath.EscapeValue(Format(key)));
        }

        return _idToValue[id];
    }

    private string Format(long key)
    {
        var inv = CultureInfo.InvariantCulture;
        return Spec.Transform switch
        {
            PartitionTransform.Year => key.ToString(inv),
            PartitionTransform.Month => PartitionTransforms.FormatMonth(key),
            PartitionTransform.Day => PartitionTransforms.FormatDay(key),
            PartitionTransform.Hour => PartitionTransforms.FormatHour(key),
            PartitionTransform.Bucket => key.ToString(inv),
            _ => _type.TypeId switch
            {
                ArrowTypeId.Boolean => key != 0 ? "true" : "false",
                ArrowTypeId.UInt64 => ((ulong)key).ToString(inv),
                ArrowTypeId.Float => BitConverter.Int32BitsToSingle((int)key).ToString("R", inv),
                ArrowTypeId.Double => BitConverter.Int64BitsToDouble(key).ToString("R", inv),
                ArrowTypeId.Date32 => PartitionTransforms.FormatDay(key),
                ArrowTypeId.Date64 => PartitionTransforms.FormatDay(PartitionTransforms.FloorDiv(key, 86_400_000)),
                ArrowTypeId.Timestamp => PartitionTransforms.FormatTimestamp(key, ((TimestampType)_type).Unit),
                _ => key.ToString(inv),
            },
        };
    }

    private void ComputeKeys(IArrowArray column, Span<long> keys)
    {
        ReadRaw(column, keys);
        switch (Spec.Transform)
        {
            case PartitionTransform.Identity:
                if (_type.TypeId is ArrowTypeId.Double)
                {
                    CanonicalNaN(keys, BitConverter.DoubleToInt64Bits(double.NaN));
                }
                else if (_type.TypeId is ArrowTypeId.Float)
                {
                    CanonicalNaN(keys, BitConverter.SingleToInt32Bits(float.NaN));
                }

                if (_type.TypeId == ArrowTypeId.Date64)
                {
                    // Keep one folder per day: date64 carries milliseconds that should be whole days.
                    for (var i = 0; i < keys.Length; i++)
                    {
                        keys[i] = PartitionTransforms.FloorDiv(keys[i], 86_400_000) * 86_400_000;
                    }
                }

                break;
            case PartitionTransform.Truncate:
                var width = (long)Spec.Parameter;
                for (var i = 0; i < keys.Length; i++)
                {
                    keys[i] -= PartitionTransforms.FloorMod(keys[i], width);
                }

                break;
            case PartitionTransform.Bucket:
                // Strings and binary were hashed while reading; numbers hash here (timestamps as microseconds).
                if (_type.TypeId is not (ArrowTypeId.String or ArrowTypeId.Binary))
                {
                    var toMicros = _type is TimestampType ts ? ts.Unit : TimeUnit.Microsecond;
                    for (var i = 0; i < keys.Length; i++)
                    {
                        var v = toMicros switch
                        {
                            TimeUnit.Second => keys[i] * 1_000_000,
                            TimeUnit.Millisecond => keys[i] * 1_000,
                            TimeUnit.Nanosecond => PartitionTransforms.FloorDiv(keys[i], 1_000),
                            _ => keys[i],
                        };
                        keys[i] = PartitionTransforms.BucketOf(v, Spec.Parameter);
                    }
                }

                break;
            default:
                TimeKeys(keys);
                break;
        }
    }

    private static void CanonicalNaN(Span<long> keys, long nan)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            var k = keys[i];
            var isNaN = nan > int.MaxValue || nan < int.MinValue
                ? double.IsNaN(BitConverter.Int64BitsToDouble(k))
                : float.IsNaN(BitConverter.Int32BitsToSingle((int)k));
            if (isNaN)
            {
                keys[i] = nan;
            }
        }
    }

    private void TimeKeys(Span<long> keys)
    {
        // Days (dates) or local time (timestamps) → the transform's ordinal.
        long perDay;
        if (_type is TimestampType ts)
        {
            var perSecond = PartitionTransforms.UnitsPerSecond(ts.Unit);
            perDay = perSecond * 86_400;
            if (_clock is not null)
            {
                for (var i = 0; i < keys.Length; i++)
                {
                    keys[i] = _clock.ToLocal(keys[i]);
                }
            }

            if (Spec.Transform == PartitionTransform.Hour)
            {
                var perHour = perSecond * 3600;
                for (var i = 0; i < keys.Length; i++)
                {
                    keys[i] = PartitionTransforms.FloorDiv(keys[i], perHour);
                }

                return;
            }

            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = PartitionTransforms.FloorDiv(keys[i], perDay);
            }
        }
        else if (_type.TypeId == ArrowTypeId.Date64)
        {
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = PartitionTransforms.FloorDiv(keys[i], 86_400_000);
            }
        }

        if (Spec.Transform == PartitionTransform.Day)
        {
            // Validate the range once per distinct day later (formatting throws for years outside 1..9999).
            return;
        }

        long lastDay = long.MinValue, lastValue = 0;
        var year = Spec.Transform == PartitionTransform.Year;
        for (var i = 0; i < keys.Length; i++)
        {
            var day = keys[i];
            if (day != lastDay)
            {
                lastDay = day;
                lastValue = year ? PartitionTransforms.YearOfDay(day) : PartitionTransforms.MonthOfDay(day);
            }

            keys[i] = lastValue;
        }
    }

    private void ReadRaw(IArrowArray column, Span<long> keys)
    {
        var data = column.Data;
        var offset = data.Offset;
        switch (_type.TypeId)
        {
            case ArrowTypeId.Int8:
                Widen(MemoryMarshal.Cast<byte, sbyte>(data.Buffers[1].Span).Slice(offset, keys.Length), keys);
                break;
            case ArrowTypeId.Int16:
                Widen(MemoryMarshal.Cast<byte, short>(data.Buffers[1].Span).Slice(offset, keys.Length), keys);
                break;
            case ArrowTypeId.Int32:
            case ArrowTypeId.Date32:
                Widen(MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(offset, keys.Length), keys);
                break;
            case ArrowTypeId.UInt8:
                Widen(data.Buffers[1].Span.Slice(offset, keys.Length), keys);
                break;
            case ArrowTypeId.UInt16:
                Widen(MemoryMarshal.Cast<byte, ushort>(data.Buffers[1].Span).Slice(offset, keys.Length), keys);
                break;
            case ArrowTypeId.UInt32:
                Widen(MemoryMarshal.Cast<byte, uint>(data.Buffers[1].Span).Slice(offset, keys.Length), keys);
                break;
            case ArrowTypeId.Int64:
            case ArrowTypeId.UInt64:
            case ArrowTypeId.Date64:
            case ArrowTypeId.Timestamp:
            case ArrowTypeId.Double:
                MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span).Slice(offset, keys.Length).CopyTo(keys);
                break;
            case ArrowTypeId.Float:
                Widen(MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(offset, keys.Length), keys);
                break;
            case ArrowTypeId.Boolean:
                var bits = data.Buffers[1].Span;
                for (var i = 0; i < keys.Length; i++)
                {
                    keys[i] = BitUtility.GetBit(bits, offset + i) ? 1 : 0;
                }

                break;
            case ArrowTypeId.String:
            case ArrowTypeId.Binary:
                // Bucket of bytes: hash each value (nulls get a key that is ignored).
                var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
                var bytes = data.Buffers[2].Span;
                for (var i = 0; i < keys.Length; i++)
                {
                    var start = offsets[offset + i];
                    var end = offsets[offset + i + 1];
                    keys[i] = PartitionTransforms.BucketOf(bytes[start..end], Spec.Parameter);
                }

                break;
            default:
                throw new NotSupportedException($"partition {Spec}: {SchemaText.Describe(_type)} is not supported");
        }
    }

    private static void Widen<T>(ReadOnlySpan<T> source, Span<long> keys)
        where T : unmanaged
    {
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = Unsafe.SizeOf<T>() switch
            {
                1 when typeof(T) == typeof(sbyte) => Unsafe.As<T, sbyte>(ref Unsafe.AsRef(in source[i])),
                1 => Unsafe.As<T, byte>(ref Unsafe.AsRef(in source[i])),
                2 when typeof(T) == typeof(short) => Unsafe.As<T, short>(ref Unsafe.AsRef(in source[i])),
                2 => Unsafe.As<T, ushort>(ref Unsafe.AsRef(in source[i])),
                4 when typeof(T) == typeof(int) => Unsafe.As<T, int>(ref Unsafe.AsRef(in source[i])),
                _ => Unsafe.As<T, uint>(ref Unsafe.AsRef(in source[i])),
            };
        }
    }
}
