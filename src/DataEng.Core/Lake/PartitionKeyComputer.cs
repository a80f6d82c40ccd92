using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>A partition folder of one write: its escaped values and its path relative to the root.</summary>
internal sealed class PartitionInfo
{
    public PartitionInfo(int index, string[] escapedValues, string relativeDirectory)
    {
        Index = index;
        EscapedValues = escapedValues;
        RelativeDirectory = relativeDirectory;
    }

    /// <summary>Gets the index of the partition in the write (dense, in first-seen order).</summary>
    public int Index { get; }

    /// <summary>Gets the escaped value of each partition level (<see cref="HivePath.NullValue"/> for null).</summary>
    public string[] EscapedValues { get; }

    /// <summary>Gets the folder relative to the root with <c>/</c> separators; empty when unpartitioned.</summary>
    public string RelativeDirectory { get; }
}

/// <summary>
/// Computes, for every row of a batch, the partition it belongs to. Vectorised per level: a tight loop per source
/// type and transform produces a 64-bit key per row, keys map to dense value ids through a per-batch direct table
/// (or a dictionary when the keys are spread), and levels combine pairwise. Nothing is allocated per row; a new
/// partition costs a few strings once.
/// </summary>
internal sealed class PartitionKeyComputer
{
    private readonly LevelEvaluator[] _levels;
    private readonly int[] _sourceColumns;
    private readonly List<PartitionInfo> _partitions = [];
    private readonly Dictionary<string, int> _byDirectory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>? _collisions;
    private readonly Dictionary<long, int>[] _combine;
    private readonly List<(int Left, int Right)>[] _combineParts;
    private readonly List<int> _comboToPartition = [];
    private readonly int _maxPartitions;
    private readonly string _collisionContext;
    private int[] _levelIds = [];
    private int[] _table = [];

    public PartitionKeyComputer(Schema input, IReadOnlyList<PartitionSpec> specs, int maxPartitions, bool detectCollisions, IReadOnlyCollection<string>? existingDirectories, string datasetRoot)
    {
        _maxPartitions = maxPartitions;
        _collisionContext = datasetRoot;
        _levels = new LevelEvaluator[specs.Count];
        _sourceColumns = new int[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            _sourceColumns[i] = input.GetFieldIndex(specs[i].SourceColumn);
            _levels[i] = LevelEvaluator.Create(specs[i], input.FieldsList[_sourceColumns[i]].DataType);
        }

        _combine = new Dictionary<long, int>[Math.Max(0, specs.Count - 1)];
        _combineParts = new List<(int, int)>[_combine.Length];
        for (var i = 0; i < _combine.Length; i++)
        {
            _combine[i] = [];
            _combineParts[i] = [];
        }

        if (detectCollisions)
        {
            _collisions = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var directory in existingDirectories ?? [])
            {
                _collisions.TryAdd(CollisionKeyOf(directory), directory);
            }
        }
    }

    /// <summary>Gets every partition seen so far, by index.</summary>
    public IReadOnlyList<PartitionInfo> Partitions => _partitions;

    /// <summary>Lists the problems that make specs unusable with a schema (missing columns, unsupported types).</summary>
    public static List<string> Validate(Schema input, IReadOnlyList<PartitionSpec> specs)
    {
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (!names.Add(spec.Name))
            {
                problems.Add($"the partition column name '{spec.Name}' is used twice");
            }

            var index = input.GetFieldIndex(spec.SourceColumn);
            if (index < 0)
            {
                problems.Add($"partition {spec}: the column '{spec.SourceColumn}' does not exist");
                continue;
            }

            var type = input.FieldsList[index].DataType;
            if (!LevelEvaluator.Supports(spec.Transform, type))
            {
                problems.Add($"partition {spec}: the transform {spec.Transform} does not apply to the type {SchemaText.Describe(type)} of column '{spec.SourceColumn}'");
            }

            if (spec.Name != spec.SourceColumn && input.GetFieldIndex(spec.Name) >= 0)
            {
                problems.Add($"partition {spec}: its name '{spec.Name}' is already a column; choose another name with As(...)");
            }
        }

        return problems;
    }

    /// <summary>Computes the partition index of every row.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="rowPartitions">Receives the partition index of each row (length = batch rows).</param>
    /// <exception cref="DataEngException">The batch would exceed the partition limit, a folder name is too long, or
    /// two partitions collide on a case-insensitive file system.</exception>
    public void Compute(RecordBatch batch, Span<int> rowPartitions)
    {
        var rows = batch.Length;
        if (_levels.Length == 0)
        {
            if (_partitions.Count == 0)
            {
                AddPartition([], string.Empty);
            }

            rowPartitions[..rows].Clear();
            return;
        }

        // Level 0 writes straight into rowPartitions (as value ids), further levels into a scratch array.
        _levels[0].Evaluate(batch.Column(_sourceColumns[0]), rowPartitions[..rows]);
        if (_levels.Length > 1)
        {
            if (_levelIds.Length < rows)
            {
                _levelIds = new int[Math.Max(rows, _levelIds.Length * 2)];
            }

            var ids = _levelIds.AsSpan(0, rows);
            for (var level = 1; level < _levels.Length; level++)
            {
                _levels[level].Evaluate(batch.Column(_sourceColumns[level]), ids);
                Combine(level - 1, rowPartitions[..rows], ids);
            }
        }

        MapToPartitions(rowPartitions[..rows]);
    }

    private void Combine(int stage, Span<int> accumulated, ReadOnlySpan<int> ids)
    {
        var map = _combine[stage];
        var parts = _combineParts[stage];
        var maxLeft = 0;
        var maxRight = 0;
        for (var i = 0; i < accumulated.Length; i++)
        {
            maxLeft = Math.Max(maxLeft, accumulated[i]);
            maxRight = Math.Max(maxRight, ids[i]);
        }

        var width = (long)maxRight + 1;
        var cells = ((long)maxLeft + 1) * width;
        if (cells <= 1 << 18)
        {
            var table = RentTable((int)cells);
            for (var i = 0; i < accumulated.Length; i++)
            {
                var cell = (int)((accumulated[i] * width) + ids[i]);
                var id = table[cell];
                if (id < 0)
                {
                    id = table[cell] = CombineSlow(map, parts, accumulated[i], ids[i]);
                }

                accumulated[i] = id;
            }

            return;
        }

        var lastLeft = -1;
        var lastRight = -1;
        var lastId = -1;
        for (var i = 0; i < accumulated.Length; i++)
        {
            if (accumulated[i] != lastLeft || ids[i] != lastRight)
            {
                lastLeft = accumulated[i];
                lastRight = ids[i];
                lastId = CombineSlow(map, parts, lastLeft, lastRight);
            }

            accumulated[i] = lastId;
        }
    }

    private static int CombineSlow(Dictionary<long, int> map, List<(int, int)> parts, int left, int right)
    {
        var key = ((long)left << 32) | (uint)right;
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(map, key, out var exists);
        if (!exists)
        {
            slot = parts.Count;
            parts.Add((left, right));
        }

        return slot;
    }

    private void MapToPartitions(Span<int> combos)
    {
        var last = -1;
        var lastPartition = -1;
        for (var i = 0; i < combos.Length; i++)
        {
            var combo = combos[i];
            if (combo != last)
            {
                last = combo;
                lastPartition = combo < _comboToPartition.Count ? _comboToPartition[combo] : -1;
                if (lastPartition < 0)
                {
                    lastPartition = CreatePartition(combo);
                }
            }

            combos[i] = lastPartition;
        }
    }

    private int CreatePartition(int combo)
    {
        var values = new string[_levels.Length];
        var current = combo;
        for (var level = _levels.Length - 1; level >= 1; level--)
        {
            var (left, right) = _combineParts[level - 1][current];
            values[level] = _levels[level].EscapedValue(right);
            current = left;
        }

        values[0] = _levels[0].EscapedValue(current);
        var builder = new StringBuilder();
        for (var level = 0; level < values.Length; level++)
        {
            var segment = HivePath.Segment(_levels[level].EscapedName, values[level]);
            var bytes = HivePath.ByteLength(segment);
            if (bytes > HivePath.MaxSegmentBytes)
            {
                throw new DataEngException($"The partition folder for column '{_levels[level].Spec.Name}' would be {bytes} bytes long after escaping ('{Shorten(segment)}'); file systems allow {HivePath.MaxSegmentBytes}. Partition by a shorter value (for example PartitionSpec.Truncate or Bucket).");
            }

            if (level > 0)
            {
                builder.Append('/');
            }

            builder.Append(segment);
        }

        var directory = builder.ToString();
        if (_byDirectory.TryGetValue(directory, out var existing))
        {
            SetCombo(combo, existing);
            return existing;
        }

        if (_partitions.Count >= _maxPartitions)
        {
            throw new DataEngException($"This write reached {_maxPartitions} partitions (LakeWriteOptions.MaxPartitionsPerRun) and the next row would start another one ('{Shorten(directory)}'); nothing past the limit was written. Check the partition columns, or raise the limit.");
        }

        if (_collisions is not null)
        {
            var key = CollisionKeyOf(directory);
            if (!_collisions.TryAdd(key, directory) && _collisions[key] != directory)
            {
                throw new DataEngException($"The partition folders '{_collisions[key]}' and '{directory}' of '{_collisionContext}' differ only in letter case or unicode normalisation and would be the same folder on a case-insensitive file system (Windows, macOS).");
            }
        }

        var index = AddPartition(values, directory);
        SetCombo(combo, index);
        return index;
    }

    private int AddPartition(string[] values, string directory)
    {
        var info = new PartitionInfo(_partitions.Count, values, directory);
        _partitions.Add(info);
        _byDirectory[directory] = info.Index;
        return info.Index;
    }

    private void SetCombo(int combo, int partition)
    {
        while (_comboToPartition.Count <= combo)
        {
            _comboToPartition.Add(-1);
        }

        _comboToPartition[combo] = partition;
    }

    private int[] RentTable(int cells)
    {
        if (_table.Length < cells)
        {
            _table = new int[Math.Max(cells, _table.Length * 2)];
        }

        _table.AsSpan(0, cells).Fill(-1);
        return _table;
    }

    private static string CollisionKeyOf(string directory)
        => string.Join('/', directory.Split('/').Select(HivePath.CollisionKey));

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}

/// <summary>Maps the values of one partition level to dense, persistent value ids.</summary>
internal abstract class LevelEvaluator
{
    protected LevelEvaluator(PartitionSpec spec)
    {
        Spec = spec;
        EscapedName = HivePath.EscapeName(spec.Name);
    }

    public PartitionSpec Spec { get; }

    public string EscapedName { get; }

    public abstract void Evaluate(IArrowArray column, Span<int> ids);

    public abstract string EscapedValue(int id);

    public static bool Supports(PartitionTransform transform, IArrowType type)
    {
        var id = type.TypeId;
        var integer = id is ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64
            or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32;
        return transform switch
        {
            PartitionTransform.Identity => integer || id is ArrowTypeId.UInt64 or ArrowTypeId.Boolean or ArrowTypeId.Float or ArrowTypeId.Double
                or ArrowTypeId.String or ArrowTypeId.Date32 or ArrowTypeId.Date64 or ArrowTypeId.Timestamp,
            PartitionTransform.Year or PartitionTransform.Month or PartitionTransform.Day => id is ArrowTypeId.Date32 or ArrowTypeId.Date64 or ArrowTypeId.Timestamp,
            PartitionTransform.Hour => id is ArrowTypeId.Timestamp,
            PartitionTransform.Truncate => integer || id is ArrowTypeId.String,
            PartitionTransform.Bucket => integer || id is ArrowTypeId.String or ArrowTypeId.Binary or ArrowTypeId.Date32 or ArrowTypeId.Timestamp,
            _ => false,
        };
    }

    public static LevelEvaluator Create(PartitionSpec spec, IArrowType type)
    {
        if (!Supports(spec.Transform, type))
        {
            throw new NotSupportedException($"partition {spec}: the transform does not apply to {SchemaText.Describe(type)}");
        }

        if (type.TypeId == ArrowTypeId.String && spec.Transform is PartitionTransform.Identity or PartitionTransform.Truncate)
        {
            return new BytesLevelEvaluator(spec);
        }

        return new NumericLevelEvaluator(spec, type);
    }
}

/// <summary>Levels whose key is a 64-bit number: every numeric, date and time transform, and buckets of any type.</summary>
internal sealed class NumericLevelEvaluator : LevelEvaluator
{
    private const int DirectTableLimit = 1 << 16;
    private readonly IArrowType _type;
    private readonly Dictionary<long, int> _ids = [];
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
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, key, out var exists);
        if (!exists)
        {
            slot = _values.Count;
            _values.Add(HivePath.EscapeValue(Format(key)));
        }

        return slot;
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

/// <summary>Levels keyed by string bytes: identity and truncate of strings.</summary>
internal sealed class BytesLevelEvaluator : LevelEvaluator
{
    private readonly ByteKeyTable _table = new();
    private readonly List<string> _values = [];
    private readonly List<int> _tableToValue = [];
    private int _nullId = -1;

    public BytesLevelEvaluator(PartitionSpec spec)
        : base(spec)
    {
    }

    public override string EscapedValue(int id) => _values[id];

    public override void Evaluate(IArrowArray column, Span<int> ids)
    {
        var data = column.Data;
        var offset = data.Offset;
        var hasNulls = column.NullCount > 0;
        var validity = data.Buffers[0].Span;
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
        var bytes = data.Buffers[2].Span;
        var truncate = Spec.Transform == PartitionTransform.Truncate ? Spec.Parameter : 0;
        ReadOnlySpan<byte> last = default;
        var lastId = -1;
        for (var i = 0; i < ids.Length; i++)
        {
            if (hasNulls && !BitUtility.GetBit(validity, offset + i))
            {
                if (_nullId < 0)
                {
                    _nullId = _values.Count;
                    _values.Add(HivePath.NullValue);
                }

                ids[i] = _nullId;
                continue;
            }

            var value = bytes[offsets[offset + i]..offsets[offset + i + 1]];
            if (truncate > 0)
            {
                value = value[..PartitionTransforms.TruncateUtf8(value, truncate)];
            }

            if (lastId >= 0 && value.SequenceEqual(last))
            {
                ids[i] = lastId;
                continue;
            }

            var slot = _table.GetOrAdd(value, out var added);
            if (added)
            {
                _tableToValue.Add(_values.Count);
                _values.Add(HivePath.EscapeValue(value));
            }

            lastId = ids[i] = _tableToValue[slot];
            last = value;
        }
    }
}

/// <summary>An open-addressing hash set of byte strings giving each a dense id; allocates only per new key.</summary>
internal sealed class ByteKeyTable
{
    private readonly List<byte[]> _keys = [];
    private readonly List<int> _hashes = [];
    private int[] _slots = new int[64];

    public int Count => _keys.Count;

    public int GetOrAdd(ReadOnlySpan<byte> key, out bool added)
    {
        var hash = Hash(key);
        var mask = _slots.Length - 1;
        var slot = hash & mask;
        while (true)
        {
            var entry = _slots[slot] - 1;
            if (entry < 0)
            {
                break;
            }

            if (_hashes[entry] == hash && key.SequenceEqual(_keys[entry]))
            {
                added = false;
                return entry;
            }

            slot = (slot + 1) & mask;
        }

        var id = _keys.Count;
        _keys.Add(key.ToArray());
        _hashes.Add(hash);
        _slots[slot] = id + 1;
        if (_keys.Count * 2 > _slots.Length)
        {
            Grow();
        }

        added = true;
        return id;
    }

    private void Grow()
    {
        _slots = new int[_slots.Length * 2];
        var mask = _slots.Length - 1;
        for (var id = 0; id < _keys.Count; id++)
        {
            var slot = _hashes[id] & mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            _slots[slot] = id + 1;
        }
    }

    private static int Hash(ReadOnlySpan<byte> key)
    {
        var hash = default(HashCode);
        hash.AddBytes(key);
        return hash.ToHashCode() & int.MaxValue;
    }
}
