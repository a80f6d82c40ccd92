using System.Buffers;

namespace DataEng.Core;

/// <summary>
/// The encoded keys of a run of rows (see <see cref="RowKeyEncoder"/>): one byte string per row in a reusable arena, and
/// whether any key column of the row was null (SQL joins never match such a row). Reuse one instance across batches:
/// the arrays grow to the largest batch and are returned to the pool on <see cref="Dispose"/>.
/// </summary>
internal sealed class KeyRows : IDisposable
{
    private byte[] _data = [];
    private int[] _offsets = [];
    private bool[] _hasNull = [];

    /// <summary>Gets the number of rows encoded.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the total length of the encoded keys.</summary>
    public int DataLength => Count == 0 ? 0 : _offsets[Count];

    /// <summary>Gets the encoded key of a row.</summary>
    /// <param name="row">The row, below <see cref="Count"/>.</param>
    public ReadOnlySpan<byte> this[int row]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Count, nameof(row));
            return _data.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);
        }
    }

    /// <summary>Gets the start of each row's key in <see cref="Data"/>, <see cref="Count"/> + 1 entries.</summary>
    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, Count + 1);

    /// <summary>Gets the encoded keys, back to back.</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, DataLength);

    /// <summary>Gets whether any key column of a row is null.</summary>
    /// <param name="row">The row, below <see cref="Count"/>.</param>
    /// <returns>Whether the row has a null key column.</returns>
    public bool HasNull(int row) => _hasNull[row];

    /// <summary>Gets, per row, whether any key column is null.</summary>
    public ReadOnlySpan<bool> NullRows => _hasNull.AsSpan(0, Count);

    /// <summary>Prepares for <paramref name="count"/> rows: sizes the offsets and null flags (cleared).</summary>
    internal Span<int> BeginOffsets(int count)
    {
        Count = count;
        Grow(ref _offsets, count + 1);
        Grow(ref _hasNull, count);
        Array.Clear(_hasNull, 0, count);
        return _offsets.AsSpan(0, count + 1);
    }

    /// <summary>Sizes the arena for <paramref name="length"/> bytes and returns it.</summary>
    internal Span<byte> BeginData(int length)
    {
        Grow(ref _data, length);
        return _data.AsSpan(0, length);
    }

    /// <summary>Gets the arena and null flags for the encoder to write into.</summary>
    internal byte[] RawData => _data;

    /// <summary>Gets the null flags for the encoder to write into.</summary>
    internal bool[] RawNulls => _hasNull;

    /// <summary>Gets the offsets for the encoder to read.</summary>
    internal int[] RawOffsets => _offsets;

    /// <inheritdoc/>
    public void Dispose()
    {
        Return(ref _data);
        Return(ref _offsets);
        Return(ref _hasNull);
        Count = 0;
    }

    private static void Grow<T>(ref T[] array, int length)
    {
        if (array.Length >= length)
        {
            return;
        }

        var grown = ArrayPool<T>.Shared.Rent(Math.Max(length, array.Length * 2));
        Return(ref array);
        array = grown;
    }

    private static void Return<T>(ref T[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array);
        }

        array = [];
    }
}
