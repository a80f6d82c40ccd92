using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core;

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

    public override void Dispose() => _table.Dispose();

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
