using System.Buffers.Binary;
using System.Numerics;

namespace DataEng.Core;

/// <summary>
/// Hashes that never change between processes, machines or library versions (unlike <see cref="HashCode"/>):
/// safe for partitioning, bucketing and dedup keys that are persisted.
/// </summary>
internal static class StableHash
{
    private const uint C1 = 0xcc9e2d51;
    private const uint C2 = 0x1b873593;

    /// <summary>MurmurHash3 x86 32-bit, as used by Iceberg's bucket transform (seed 0).</summary>
    public static uint Murmur3_32(ReadOnlySpan<byte> data, uint seed = 0)
    {
        var h = seed;
        var blocks = data.Length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4));
            h ^= MixK(k);
            h = BitOperations.RotateLeft(h, 13);
            h = (h * 5) + 0xe6546b64;
        }

        var tail = data[(blocks * 4)..];
        uint t = 0;
        switch (tail.Length)
        {
            case 3:
                t ^= (uint)tail[2] << 16;
                goto case 2;
            case 2:
                t ^= (uint)tail[1] << 8;
                goto case 1;
            case 1:
                t ^= tail[0];
                h ^= MixK(t);
                break;
        }

        h ^= (uint)data.Length;
        return FMix(h);
    }

    /// <summary>Murmur3 of a 64-bit integer in little-endian byte order (Iceberg hashes int and long as long).</summary>
    public static uint Murmur3_32(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return Murmur3_32(bytes);
    }

    /// <summary>Combines a running 64-bit hash with another value (for multi-column hashes).</summary>
    public static ulong Combine(ulong hash, ulong value)
    {
        // 64-bit mix (splitmix64 finaliser) of the pair; order-dependent.
        var x = hash ^ (value + 0x9e3779b97f4a7c15UL + (hash << 6) + (hash >> 2));
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }

    private static uint MixK(uint k)
    {
        k *= C1;
        k = BitOperations.RotateLeft(k, 15);
        return k * C2;
    }

    private static uint FMix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
