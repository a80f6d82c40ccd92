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
    private const ulong P1 = 0x9E3779B185EBCA87UL;
    private const ulong P2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong P3 = 0x165667B19E3779F9UL;
    private const ulong P4 = 0x85EBCA77C2B2AE63UL;
    private const ulong P5 = 0x27D4EB2F165667C5UL;

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

    /// <summary>xxHash64 (XXH64) of bytes, seed 0: a fast 64-bit hash with a published, fixed definition.</summary>
    public static ulong XxHash64(ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        ulong h;
        var i = 0;
        if (length >= 32)
        {
            var v1 = unchecked(P1 + P2);
            var v2 = P2;
            var v3 = 0UL;
            var v4 = unchecked(0UL - P1);
            for (; i <= length - 32; i += 32)
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i, 8)));
                v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i + 8, 8)));
                v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i + 16, 8)));
                v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i + 24, 8)));
            }

            h = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
            h = MergeRound(h, v1);
            h = MergeRound(h, v2);
            h = MergeRound(h, v3);
            h = MergeRound(h, v4);
        }
        else
        {
            h = P5;
        }

        h += (ulong)length;
        for (; i <= length - 8; i += 8)
        {
            h ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i, 8)));
            h = (BitOperations.RotateLeft(h, 27) * P1) + P4;
        }

        if (i <= length - 4)
        {
            h ^= BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i, 4)) * P1;
            h = (BitOperations.RotateLeft(h, 23) * P2) + P3;
            i += 4;
        }

        for (; i < length; i++)
        {
            h ^= data[i] * P5;
            h = BitOperations.RotateLeft(h, 11) * P1;
        }

        return Avalanche(h);
    }

    /// <summary>xxHash64 of the 8 little-endian bytes of <paramref name="value"/> (same as <see cref="XxHash64(ReadOnlySpan{byte})"/>
    /// over those bytes, without the span).</summary>
    public static ulong XxHash64(ulong value)
    {
        var h = P5 + 8;
        h ^= Round(0, value);
        h = (BitOperations.RotateLeft(h, 27) * P1) + P4;
        return Avalanche(h);
    }

    private static ulong Round(ulong accumulator, ulong input)
    {
        accumulator += input * P2;
        accumulator = BitOperations.RotateLeft(accumulator, 31);
        return accumulator * P1;
    }

    private static ulong MergeRound(ulong accumulator, ulong value)
    {
        accumulator ^= Round(0, value);
        return (accumulator * P1) + P4;
    }

    private static ulong Avalanche(ulong h)
    {
        h ^= h >> 33;
        h *= P2;
        h ^= h >> 29;
        h *= P3;
        h ^= h >> 32;
        return h;
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
