using System.Text;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// Computes, for every row of a batch, the partition it belongs to. Vectorised per level: a tight loop per source
/// type and transform produces a 64-bit key per row, keys map to dense value ids through a per-batch direct table
/// (or a dictionary when the keys are spread), and levels combine pairwise. Nothing is allocated per row; a new
/// partition costs a few strings once.
/// </summary>
internal sealed class PartitionKeyComputer : IDisposable
{
    private readonly LevelEvaluator[] _levels;
    private readonly int[] _sourceColumns;
    private readonly List<PartitionInfo> _partitions = [];
    private readonly Dictionary<string, int> _byDirectory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>? _collisions;
    private readonly FixedKeyTable<long>[] _combine;
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

        // One table per level after the first: (ids so far, this level's id) packed in a long → combined id.
        _combine = new FixedKeyTable<long>[Math.Max(0, specs.Count - 1)];
        for (var i = 0; i < _combine.Length; i++)
        {
            _combine[i] = new FixedKeyTable<long>();
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

    /// <summary>Returns the key tables of the levels and their combinations to the pool.</summary>
    public void Dispose()
    {
        foreach (var level in _levels)
        {
            level.Dispose();
        }

        foreach (var table in _combine)
        {
            table.Dispose();
        }
    }

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
                    id = table[cell] = CombineSlow(map, accumulated[i], ids[i]);
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
                lastId = CombineSlow(map, lastLeft, lastRight);
            }

            accumulated[i] = lastId;
        }
    }

    private static int CombineSlow(FixedKeyTable<long> map, int left, int right)
        => map.GetOrAdd(((long)left << 32) | (uint)right, out _);

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
            var pair = _combine[level - 1].Keys[current];
            values[level] = _levels[level].EscapedValue((int)pair);
            current = (int)(pair >> 32);
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
