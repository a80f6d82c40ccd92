using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataEng.Core;

/// <summary>
/// A hash table of fixed-width keys giving each distinct key a dense id (0, 1, 2, … in first-seen order), with the same
/// index as <see cref="ByteKeyTable"/>: the Parquet dictionary of fixed-width values (as their bits), the partitioner's
/// numeric levels and level combinations, and the grouping, join and distinct keys of the operators to come (a
/// multi-column key of fixed-width parts as a struct or <see cref="Int128"/>).
/// </summary>
/// <typeparam name="TKey">The key type. Keys are compared and hashed by their bits, so NaN payloads and the two zeros
/// are distinct keys, and a struct key must have no padding.</typeparam>
/// <remarks>
/// The keys are kept in id order in one pooled array (<see cref="Keys"/>), so a dictionary page or a group's key column
/// is a view of it. Nothing is allocated per key. <see cref="MemoryBytes"/> counts every array held, so a caller can stop
/// adding keys at its budget. <see cref="Clear"/> keeps the arrays for the next use; <see cref="Dispose"/> returns them
/// to the pool. Not thread-safe.
/// </remarks>
internal sealed class FixedKeyTable<TKey> : IDisposable
    where TKey : unmanaged
{
    private HashSlots _index;
    private TKey[] _keys = [];

    /// <summary>Creates an empty table.</summary>
    /// <param name="initialCapacity">The number of keys the index holds before it first grows.</param>
    public FixedKeyTable(int initialCapacity = 16) => _index = new HashSlots(initialCapacity);

    /// <summary>Gets the number of distinct keys (the next id).</summary>
    public int Count => _index.Count;

    /// <summary>Gets every key in id order.</summary>
    public ReadOnlySpan<TKey> Keys => _keys.AsSpan(0, Count);

    /// <summary>Gets the bytes held by the table: keys and index, at their capacity.</summary>
    public long MemoryBytes => ((long)_keys.Length * Unsafe.SizeOf<TKey>()) + _index.MemoryBytes;

    /// <summary>Returns the id of <paramref name="key"/>, adding it when new.</summary>
    /// <param name="key">The key.</param>
    /// <param name="added">Whether the key was new.</param>
    /// <returns>The key's dense id.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(TKey key, out bool added)
    {
        var hash = Hash(key);
        var slot = _index.Home(hash);
        while (_index.NextCandidate(hash, ref slot, out var id))
        {
            if (Same(_keys[id], key))
            {
                added = false;
                return id;
            }

            slot = _index.Next(slot);
        }

        added = true;
        return Add(key, slot, hash);
    }

    /// <summary>Finds the id of <paramref name="key"/> without adding it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="id">The key's id, or -1.</param>
    /// <returns>Whether the key is in the table.</returns>
    public bool TryGetId(TKey key, out int id)
    {
        if (Count == 0)
        {
            id = -1;
            return false;
        }

        var hash = Hash(key);
        var slot = _index.Home(hash);
        while (_index.NextCandidate(hash, ref slot, out id))
        {
            if (Same(_keys[id], key))
            {
                return true;
            }

            slot = _index.Next(slot);
        }

        id = -1;
        return false;
    }

    /// <summary>Forgets every key; the arrays are kept for the next use.</summary>
    public void Clear() => _index.Clear();

    /// <summary>Returns the arrays to the pool; the table is empty and can still be used.</summary>
    public void Dispose()
    {
        _index.Release();
        if (_keys.Length != 0)
        {
            ArrayPool<TKey>.Shared.Return(_keys);
        }

        _keys = [];
    }

    /// <summary>The hash of a key's bits: folded to 64 bits, times the golden ratio, high half (Fibonacci hashing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(TKey key) => (uint)((Fold(key) * 0x9E3779B97F4A7C15) >> 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Fold(TKey key)
    {
        // Sizes are constants to the JIT: each instantiation keeps one branch.
        if (Unsafe.SizeOf<TKey>() == 1)
        {
            return Unsafe.As<TKey, byte>(ref key);
        }

        if (Unsafe.SizeOf<TKey>() == 2)
        {
            return Unsafe.As<TKey, ushort>(ref key);
        }

        if (Unsafe.SizeOf<TKey>() == 4)
        {
            return Unsafe.As<TKey, uint>(ref key);
        }

        if (Unsafe.SizeOf<TKey>() == 8)
        {
            return Unsafe.As<TKey, ulong>(ref key);
        }

        var hash = (ulong)Unsafe.SizeOf<TKey>();
        var bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref key, 1));
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var word in words)
        {
            hash = System.Numerics.BitOperations.RotateLeft((hash ^ word) * 0x9E3779B97F4A7C15, 29);
        }

        for (var i = words.Length * 8; i < bytes.Length; i++)
        {
            hash = (hash ^ bytes[i]) * 0x100000001B3;
        }

        return hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Same(TKey a, TKey b)
    {
        if (Unsafe.SizeOf<TKey>() == 1)
        {
            return Unsafe.As<TKey, byte>(ref a) == Unsafe.As<TKey, byte>(ref b);
        }

        if (Unsafe.SizeOf<TKey>() == 2)
        {
            return Unsafe.As<TKey, ushort>(ref a) == Unsafe.As<TKey, ushort>(ref b);
        }

        if (Unsafe.SizeOf<TKey>() == 4)
        {
            return Unsafe.As<TKey, uint>(ref a) == Unsafe.As<TKey, uint>(ref b);
        }

        if (Unsafe.SizeOf<TKey>() == 8)
        {
            return Unsafe.As<TKey, ulong>(ref a) == Unsafe.As<TKey, ulong>(ref b);
        }

        if (Unsafe.SizeOf<TKey>() == 16)
        {
            return Unsafe.As<TKey, UInt128>(ref a) == Unsafe.As<TKey, UInt128>(ref b);
        }

        return MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref a, 1)).SequenceEqual(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref b, 1)));
    }

    private int Add(TKey key, int slot, uint hash)
    {
        var id = _index.Count;
        if (_keys.Length <= id)
        {
            var grown = ArrayPool<TKey>.Shared.Rent(Math.Max(64, _keys.Length * 2));
            _keys.AsSpan(0, id).CopyTo(grown);
            if (_keys.Length != 0)
            {
                ArrayPool<TKey>.Shared.Return(_keys);
            }

            _keys = grown;
        }

        _keys[id] = key;
        _index.Insert(slot, hash, id);
        return id;
    }
}
