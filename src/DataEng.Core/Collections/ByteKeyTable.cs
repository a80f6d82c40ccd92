using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataEng.Core;

/// <summary>
/// A hash table of variable-length byte keys giving each distinct key a dense id (0, 1, 2, … in first-seen order): the
/// partitioner's string levels, the Parquet dictionary of byte arrays, and the grouping, join and distinct keys of the
/// operators to come (a multi-column key is passed as its encoded bytes).
/// </summary>
/// <remarks>
/// <para>Keys are copied once into one pooled arena, each as a 4-byte little-endian length followed by its bytes, in id
/// order: that is Parquet's PLAIN encoding of byte arrays, so <see cref="KeyData"/> is a dictionary page as it stands.
/// Nothing is allocated per key; the arena, the key starts and the index grow by doubling.</para>
/// <para><see cref="MemoryBytes"/> counts every array held, so a caller can stop adding keys at its budget;
/// <see cref="KeyDataLength"/> is the size of the keys as stored. <see cref="Clear"/> keeps the arrays for the next
/// use; <see cref="Dispose"/> returns them to the pool. Not thread-safe.</para>
/// </remarks>
internal sealed class ByteKeyTable : IDisposable
{
    private HashSlots _index;
    private byte[] _data = [];
    private int[] _starts = [];
    private int _dataLength;

    /// <summary>Creates an empty table.</summary>
    /// <param name="initialCapacity">The number of keys the index holds before it first grows.</param>
    public ByteKeyTable(int initialCapacity = 16) => _index = new HashSlots(initialCapacity);

    /// <summary>Gets the number of distinct keys (the next id).</summary>
    public int Count => _index.Count;

    /// <summary>Gets the bytes of the keys as stored: a 4-byte length and the bytes of each key.</summary>
    public int KeyDataLength => _dataLength;

    /// <summary>Gets every key in id order, each as a 4-byte little-endian length and its bytes (Parquet PLAIN).</summary>
    public ReadOnlySpan<byte> KeyData => _data.AsSpan(0, _dataLength);

    /// <summary>Gets the bytes held by the table: keys arena, key starts and index, at their capacity.</summary>
    public long MemoryBytes => _data.Length + ((long)_starts.Length * sizeof(int)) + _index.MemoryBytes;

    /// <summary>Returns the key of an id.</summary>
    /// <param name="id">An id below <see cref="Count"/>.</param>
    public ReadOnlySpan<byte> GetKey(int id)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)id, (uint)Count, nameof(id));
        return KeyAt(id);
    }

    /// <summary>Returns the id of <paramref name="key"/>, adding it when new.</summary>
    /// <param name="key">The key (copied when added).</param>
    /// <param name="added">Whether the key was new.</param>
    /// <returns>The key's dense id.</returns>
    public int GetOrAdd(ReadOnlySpan<byte> key, out bool added)
    {
        var hash = Hash(key);
        var slot = _index.Home(hash);
        while (_index.NextCandidate(hash, ref slot, out var id))
        {
            if (KeyAt(id).SequenceEqual(key))
            {
                added = false;
                return id;
            }

            slot = _index.Next(slot);
        }

        var newId = Append(key);
        _index.Insert(slot, hash, newId);
        added = true;
        return newId;
    }

    /// <summary>Finds the id of <paramref name="key"/> without adding it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="id">The key's id, or -1.</param>
    /// <returns>Whether the key is in the table.</returns>
    public bool TryGetId(ReadOnlySpan<byte> key, out int id)
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
            if (KeyAt(id).SequenceEqual(key))
            {
                return true;
            }

            slot = _index.Next(slot);
        }

        id = -1;
        return false;
    }

    /// <summary>Forgets every key; the arrays are kept for the next use.</summary>
    public void Clear()
    {
        _index.Clear();
        _dataLength = 0;
    }

    /// <summary>Returns the arrays to the pool; the table is empty and can still be used.</summary>
    public void Dispose()
    {
        _index.Release();
        Return(ref _data);
        Return(ref _starts);
        _dataLength = 0;
    }

    /// <summary>The hash of a byte key: multiply-rotate over 8-byte words, the high half of a final product (mixed in
    /// its top bits, as <see cref="HashSlots"/> needs). Keys are compared byte for byte on every hash match, so the
    /// hash's quality only affects speed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(ReadOnlySpan<byte> key)
    {
        const ulong Prime = 0x9E3779B97F4A7C15;
        var hash = (ulong)key.Length * Prime;
        var words = MemoryMarshal.Cast<byte, ulong>(key);
        foreach (var word in words)
        {
            hash = BitOperations.RotateLeft((hash ^ word) * Prime, 29);
        }

        var tail = 0UL;
        for (var i = words.Length * 8; i < key.Length; i++)
        {
            tail = (tail << 8) | key[i];
        }

        hash = ((hash ^ tail) + 1) * Prime;
        return (uint)(hash >> 32);
    }

    private static void Return<T>(ref T[] array)
    {
        if (array.Length != 0)
        {
            ArrayPool<T>.Shared.Return(array);
        }

        array = [];
    }

    private static void Grow<T>(ref T[] array, int needed, int keep)
    {
        var grown = ArrayPool<T>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(needed, Math.Max(64L, array.Length * 2L))));
        array.AsSpan(0, keep).CopyTo(grown);
        Return(ref array);
        array = grown;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> KeyAt(int id)
    {
        var start = _starts[id];
        var length = BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(start));
        return _data.AsSpan(start + sizeof(int), length);
    }

    private int Append(ReadOnlySpan<byte> key)
    {
        var id = _index.Count;
        var needed = (long)_dataLength + sizeof(int) + key.Length;
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException($"A byte-key table cannot hold more than {Array.MaxLength} bytes of keys.");
        }

        if (_data.Length < needed)
        {
            Grow(ref _data, (int)needed, _dataLength);
        }

        if (_starts.Length <= id)
        {
            Grow(ref _starts, id + 1, id);
        }

        _starts[id] = _dataLength;
        BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(_dataLength), key.Length);
        key.CopyTo(_data.AsSpan(_dataLength + sizeof(int)));
        _dataLength = (int)needed;
        return id;
    }
}
