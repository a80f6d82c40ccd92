using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>Looks string or binary values up in a set without creating strings: a linear scan for small sets,
/// buckets by a 64-bit hash for larger ones.</summary>
internal sealed class BoundBytesIn : RowResultPredicate
{
    private const int LinearLimit = 8;
    private readonly Dictionary<ulong, byte[][]> _buckets = [];
    private readonly byte[][] _members;

    public BoundBytesIn(int column, IEnumerable<byte[]> members)
        : base(column)
    {
        _members = [.. members.Distinct(ByteArrayComparer.Instance)];
        foreach (var group in _members.GroupBy(static m => StableHash.XxHash64(m)))
        {
            _buckets[group.Key] = [.. group];
        }
    }

    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
        var bytes = data.Buffers[2].Span;
        if (_members.Length <= LinearLimit)
        {
            for (var i = 0; i < data.Length; i++)
            {
                var value = bytes[offsets[i]..offsets[i + 1]];
                foreach (var member in _members)
                {
                    if (member.Length == value.Length && value.SequenceEqual(member))
                    {
                        results[i >> 6] |= 1UL << (i & 63);
                        break;
                    }
                }
            }

            return;
        }

        for (var i = 0; i < data.Length; i++)
        {
            var value = bytes[offsets[i]..offsets[i + 1]];
            if (_buckets.TryGetValue(StableHash.XxHash64(value), out var candidates))
            {
                foreach (var candidate in candidates)
                {
                    if (value.SequenceEqual(candidate))
                    {
                        results[i >> 6] |= 1UL << (i & 63);
                        break;
                    }
                }
            }
        }
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => (int)StableHash.XxHash64(obj);
    }
}
