using System.Buffers.Binary;
using CsCheck;

namespace DataEng.Core.Tests.Collections;

public class ByteKeyTableTests
{
    /// <summary>Keys from a small alphabet so the same key comes back often, with empty and long keys among them.</summary>
    private static readonly Gen<byte[]> Key = Gen.Frequency(
        (6, Gen.Byte[0, 3].Array[0, 6]),
        (1, Gen.Const(Array.Empty<byte>())),
        (1, Gen.Byte.Array[100, 3000]));

    /// <summary>One operation: add a key, look one up, or clear the table.</summary>
    private static readonly Gen<(int Op, byte[] Key)> Operation = Gen.Select(Gen.Frequency((12, Gen.Const(0)), (4, Gen.Const(1)), (1, Gen.Const(2))), Key);

    [Fact]
    public void GetOrAdd_Property_MatchesADictionaryModel()
    {
        Gen.Select(Operation.Array[0, 400], Gen.Int[0, 64]).Sample(static (operations, capacity) =>
        {
            using var table = new ByteKeyTable(capacity);
            var model = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
            var order = new List<byte[]>();
            foreach (var (op, key) in operations)
            {
                switch (op)
                {
                    case 0:
                        var id = table.GetOrAdd(key, out var added);
                        var expectedAdded = !model.TryGetValue(key, out var expected);
                        if (expectedAdded)
                        {
                            expected = model.Count;
                            model[key] = expected;
                            order.Add(key);
                        }

                        Assert.Equal(expectedAdded, added);
                        Assert.Equal(expected, id);
                        break;
                    case 1:
                        Assert.Equal(model.TryGetValue(key, out var known), table.TryGetId(key, out var found));
                        Assert.Equal(model.ContainsKey(key) ? known : -1, found);
                        break;
                    default:
                        table.Clear();
                        model.Clear();
                        order.Clear();
                        break;
                }

                Assert.Equal(model.Count, table.Count);
            }

            // Keys come back by id, and the arena is their PLAIN encoding in id order.
            var plain = new List<byte>();
            for (var id = 0; id < order.Count; id++)
            {
                Assert.Equal(order[id], table.GetKey(id).ToArray());
                var length = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(length, order[id].Length);
                plain.AddRange(length);
                plain.AddRange(order[id]);
            }

            Assert.Equal(plain.ToArray(), table.KeyData.ToArray());
            Assert.Equal(plain.Count, table.KeyDataLength);
        });
    }

    [Fact]
    public void GetOrAdd_KeysWithTheSameHash_StayDistinct()
    {
        // Find real 32-bit hash collisions (birthday search) and put them in one table: the index stores equal hashes,
        // so only the byte comparison tells the keys apart.
        var byHash = new Dictionary<uint, byte[]>();
        var colliding = new List<byte[]>();
        for (var i = 0; colliding.Count < 6 && i < 2_000_000; i++)
        {
            var key = System.Text.Encoding.UTF8.GetBytes("key-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (byHash.TryGetValue(ByteKeyTable.Hash(key), out var other))
            {
                colliding.Add(other);
                colliding.Add(key);
            }
            else
            {
                byHash.Add(ByteKeyTable.Hash(key), key);
            }
        }

        Assert.True(colliding.Count >= 2, "no hash collision found");
        colliding = [.. colliding.Distinct(ByteArrayComparer.Instance)];
        using var table = new ByteKeyTable(0);
        for (var i = 0; i < colliding.Count; i++)
        {
            Assert.Equal(i, table.GetOrAdd(colliding[i], out var added));
            Assert.True(added);
        }

        for (var i = 0; i < colliding.Count; i++)
        {
            Assert.True(table.TryGetId(colliding[i], out var id));
            Assert.Equal(i, id);
        }
    }

    [Fact]
    public void GetOrAdd_ManyKeysFromATinyStart_KeepEveryId()
    {
        using var table = new ByteKeyTable(0);
        for (var i = 0; i < 5000; i++)
        {
            Assert.Equal(i, table.GetOrAdd(BitConverter.GetBytes(i), out var added));
            Assert.True(added);
        }

        for (var i = 0; i < 5000; i++)
        {
            Assert.True(table.TryGetId(BitConverter.GetBytes(i), out var id));
            Assert.Equal(i, id);
        }

        Assert.False(table.TryGetId(BitConverter.GetBytes(5000), out _));
    }

    [Fact]
    public void Clear_KeepsTheArraysAndForgetsTheKeys()
    {
        using var table = new ByteKeyTable();
        for (var i = 0; i < 1000; i++)
        {
            table.GetOrAdd(BitConverter.GetBytes((long)i), out _);
        }

        var memory = table.MemoryBytes;
        Assert.True(memory >= 1000 * (4 + 8), $"memory {memory} does not count the keys");
        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.KeyDataLength);
        Assert.Equal(memory, table.MemoryBytes);
        Assert.False(table.TryGetId(BitConverter.GetBytes(0L), out _));
        Assert.Equal(0, table.GetOrAdd([], out var added));
        Assert.True(added);
    }

    [Fact]
    public void GetOrAdd_DoesNotAllocatePerKeyOnceWarm()
    {
        using var table = new ByteKeyTable();
        var keys = Enumerable.Range(0, 2000).Select(static i => BitConverter.GetBytes(i * 7919L)).ToArray();
        foreach (var key in keys)
        {
            table.GetOrAdd(key, out _);
        }

        table.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var key in keys)
        {
            table.GetOrAdd(key, out _);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void GetKey_OutsideTheIds_Throws()
    {
        using var table = new ByteKeyTable();
        table.GetOrAdd([1], out _);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.GetKey(1));
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = default(HashCode);
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
