using CsCheck;

namespace DataEng.Core.Tests.Collections;

public class FixedKeyTableTests
{
    /// <summary>Keys clustered (so they repeat), spread over the whole range, and the extremes.</summary>
    private static readonly Gen<long> Key = Gen.Frequency(
        (6, Gen.Long[-20, 20]),
        (2, Gen.Long),
        (1, Gen.OneOf(Gen.Const(0L), Gen.Const(long.MinValue), Gen.Const(long.MaxValue), Gen.Const(-1L))),
        (1, Gen.Long[0, 64].Select(static k => k << 32)));

    private static readonly Gen<(int Op, long Key)> Operation = Gen.Select(Gen.Frequency((12, Gen.Const(0)), (4, Gen.Const(1)), (1, Gen.Const(2))), Key);

    [Fact]
    public void GetOrAdd_Property_MatchesADictionaryModel()
    {
        Gen.Select(Operation.Array[0, 600], Gen.Int[0, 64]).Sample(static (operations, capacity) =>
        {
            using var table = new FixedKeyTable<long>(capacity);
            var model = new Dictionary<long, int>();
            var order = new List<long>();
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

            Assert.Equal(order, table.Keys.ToArray());
        });
    }

    [Fact]
    public void GetOrAdd_Property_WideKeysMatchADictionaryModel()
    {
        // Two-column keys (16 bytes) and odd widths (12 bytes) take the folded hash and compare by bits.
        Gen.Select(Gen.Long[-3, 3], Gen.Long[-3, 3], Gen.Int[-3, 3]).Array[0, 300].Sample(static keys =>
        {
            using var pairs = new FixedKeyTable<Int128>();
            using var triples = new FixedKeyTable<Triple>();
            var pairModel = new Dictionary<Int128, int>();
            var tripleModel = new Dictionary<Triple, int>();
            foreach (var (a, b, c) in keys)
            {
                var pair = ((Int128)a << 64) | (ulong)b;
                Assert.Equal(pairModel.TryAdd(pair, pairModel.Count) ? pairModel.Count - 1 : pairModel[pair], pairs.GetOrAdd(pair, out _));
                var triple = new Triple((int)a, (int)b, c);
                Assert.Equal(tripleModel.TryAdd(triple, tripleModel.Count) ? tripleModel.Count - 1 : tripleModel[triple], triples.GetOrAdd(triple, out _));
            }

            Assert.Equal(pairModel.Count, pairs.Count);
            Assert.Equal(tripleModel.Count, triples.Count);
        });
    }

    [Fact]
    public void GetOrAdd_KeysWithTheSameHash_StayDistinct()
    {
        var byHash = new Dictionary<uint, long>();
        var colliding = new List<long>();
        // Keys in arithmetic progression never collide under Fibonacci hashing: random keys do (birthday bound).
        var random = new Random(20261204);
        for (var n = 0; colliding.Count < 6 && n < 2_000_000; n++)
        {
            var spread = random.NextInt64(long.MinValue, long.MaxValue);
            if (byHash.TryGetValue(FixedKeyTable<long>.Hash(spread), out var other))
            {
                colliding.Add(other);
                colliding.Add(spread);
            }
            else
            {
                byHash.Add(FixedKeyTable<long>.Hash(spread), spread);
            }
        }

        Assert.True(colliding.Count >= 2, "no hash collision found");
        colliding = [.. colliding.Distinct()];
        using var table = new FixedKeyTable<long>(0);
        for (var i = 0; i < colliding.Count; i++)
        {
            Assert.Equal(i, table.GetOrAdd(colliding[i], out _));
        }

        for (var i = 0; i < colliding.Count; i++)
        {
            Assert.True(table.TryGetId(colliding[i], out var id));
            Assert.Equal(i, id);
        }
    }

    [Fact]
    public void GetOrAdd_FloatingPointKeys_AreComparedByTheirBits()
    {
        // The Parquet dictionary needs NaN payloads and the two zeros kept apart, as PLAIN would write them.
        using var table = new FixedKeyTable<double>();
        Assert.Equal(0, table.GetOrAdd(0.0, out _));
        Assert.Equal(1, table.GetOrAdd(-0.0, out _));
        Assert.Equal(2, table.GetOrAdd(double.NaN, out _));
        Assert.Equal(3, table.GetOrAdd(BitConverter.Int64BitsToDouble(0x7FF8000000000001), out _));
        Assert.Equal(2, table.GetOrAdd(double.NaN, out var added));
        Assert.False(added);
    }

    [Fact]
    public void GetOrAdd_ManyKeys_GrowsAndKeepsEveryId()
    {
        using var table = new FixedKeyTable<long>(0);
        for (var i = 0; i < 100_000; i++)
        {
            Assert.Equal(i, table.GetOrAdd(i * 0x1_0000_0000L, out _));
        }

        for (var i = 0; i < 100_000; i++)
        {
            Assert.True(table.TryGetId(i * 0x1_0000_0000L, out var id));
            Assert.Equal(i, id);
        }

        Assert.True(table.MemoryBytes >= 100_000 * (8 + 8), $"memory {table.MemoryBytes} does not count the keys and the index");
        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.True(table.Keys.IsEmpty);
        Assert.Equal(0, table.GetOrAdd(42, out _));
    }

    [Fact]
    public void GetOrAdd_DoesNotAllocatePerKeyOnceWarm()
    {
        using var table = new FixedKeyTable<long>();
        for (var i = 0; i < 5000; i++)
        {
            table.GetOrAdd(i * 31L, out _);
        }

        table.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5000; i++)
        {
            table.GetOrAdd(i * 31L, out _);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private readonly record struct Triple(int A, int B, int C);
}
