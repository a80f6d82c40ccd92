using System.Buffers;
using System.Runtime.CompilerServices;

namespace DataEng.Core;

/// <summary>
/// The open-addressing index behind <see cref="ByteKeyTable"/> and <see cref="FixedKeyTable{TKey}"/>: a power-of-two
/// array of 64-bit slots, each either 0 (empty) or a key's 32-bit hash beside its dense id + 1. Probing is linear from
/// the slot named by the hash's top bits, and the index is kept at most half full, so a miss ends within a few slots.
/// Keeping the hash in the slot lets a probe pass other keys without reading their bytes, and lets the index grow
/// without reading any key. The key tables own the keys; this type only maps hashes to ids.
/// </summary>
/// <remarks>Hashes must be mixed in their top bits (the slot is <c>hash &gt;&gt; (32 - bits)</c>): both tables end
/// their hash with a multiplication and keep the product's high half.</remarks>
internal struct HashSlots
{
    private const int MinimumBits = 4;

    private readonly int _initialBits;
    private ulong[] _slots;
    private int _bits;
    private int _count;

    /// <summary>Creates an index sized for <paramref name="initialCapacity"/> keys before it first grows.</summary>
    public HashSlots(int initialCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _initialBits = Math.Max(MinimumBits, BitsFor(initialCapacity));
        _bits = _initialBits;
        _slots = [];
        _count = 0;
    }

    /// <summary>Gets the number of ids indexed.</summary>
    public readonly int Count => _count;

    /// <summary>Gets the bytes held by the slot array.</summary>
    public readonly long MemoryBytes => (long)_slots.Length * sizeof(ulong);

    /// <summary>Returns the first slot to probe for <paramref name="hash"/>, allocating the slots on first use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Home(uint hash)
    {
        if (_slots.Length == 0)
        {
            Allocate(_bits);
        }

        return (int)(hash >> (32 - _bits));
    }

    /// <summary>
    /// Walks the probe sequence from <paramref name="slot"/> to the next id stored with the same hash. Returns
    /// <see langword="false"/> at an empty slot, which is then where a new key of this hash goes. A caller whose key
    /// differs from the candidate's moves on with <see cref="Next"/> and calls again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool NextCandidate(uint hash, ref int slot, out int id)
    {
        var mask = (1 << _bits) - 1;
        var slots = _slots;
        while (true)
        {
            var entry = slots[slot];
            if (entry == 0)
            {
                id = -1;
                return false;
            }

            if ((uint)(entry >> 32) == hash)
            {
                id = (int)(uint)entry - 1;
                return true;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>The slot after <paramref name="slot"/> in probe order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Next(int slot) => (slot + 1) & ((1 << _bits) - 1);

    /// <summary>Stores <paramref name="id"/> in the empty <paramref name="slot"/> a failed probe ended at; grows the
    /// index (doubling) when it becomes more than half full.</summary>
    public void Insert(int slot, uint hash, int id)
    {
        _slots[slot] = ((ulong)hash << 32) | (uint)(id + 1);
        if (++_count > (1 << (_bits - 1)))
        {
            Grow();
        }
    }

    /// <summary>Forgets every id and keeps the size the last fill reached: a caller that refills the table with a
    /// similar number of keys (the chunk encoder, once per column chunk) neither re-grows nor rehashes, and clearing
    /// costs no more than the fill that grew it.</summary>
    public void Clear()
    {
        _count = 0;
        if (_slots.Length != 0)
        {
            _slots.AsSpan(0, 1 << _bits).Clear();
        }
    }

    /// <summary>Returns the slot array to the pool.</summary>
    public void Release()
    {
        if (_slots.Length != 0)
        {
            ArrayPool<ulong>.Shared.Return(_slots);
        }

        _slots = [];
        _count = 0;
        _bits = _initialBits;
    }

    private static int BitsFor(int capacity)
    {
        // Room for the capacity at half load.
        var bits = MinimumBits;
        while (bits < 30 && (1L << (bits - 1)) < capacity)
        {
            bits++;
        }

        return bits;
    }

    private void Allocate(int bits)
    {
        var size = 1 << bits;
        if (_slots.Length < size)
        {
            if (_slots.Length != 0)
            {
                ArrayPool<ulong>.Shared.Return(_slots);
            }

            _slots = ArrayPool<ulong>.Shared.Rent(size);
        }

        _slots.AsSpan(0, size).Clear();
        _bits = bits;
    }

    private void Grow()
    {
        if (_bits >= 30)
        {
            throw new InvalidOperationException($"A hash table cannot hold more than {1 << 29} keys.");
        }

        var old = _slots;
        var oldSize = 1 << _bits;
        var bits = _bits + 1;
        var size = 1 << bits;
        var slots = ArrayPool<ulong>.Shared.Rent(size);
        slots.AsSpan(0, size).Clear();
        var mask = size - 1;
        for (var i = 0; i < oldSize; i++)
        {
            var entry = old[i];
            if (entry == 0)
            {
                continue;
            }

            var slot = (int)((uint)(entry >> 32) >> (32 - bits));
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            slots[slot] = entry;
        }

        ArrayPool<ulong>.Shared.Return(old);
        _slots = slots;
        _bits = bits;
    }
}
