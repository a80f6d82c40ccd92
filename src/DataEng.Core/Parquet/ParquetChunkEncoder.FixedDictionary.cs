using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core.ParquetFormat;

/// <summary>Dictionaries of fixed-width values: the stored (converted) values are the keys, compared bit for bit, so
/// NaN payloads and the two zeros stay distinct and every value reads back exactly as PLAIN would write it.</summary>
internal sealed partial class ParquetChunkEncoder
{
    /// <summary>The widest range of integers (4 MiB of slots) looked up directly rather than hashed.</summary>
    private const ulong MaxDirectRange = 1 << 20;

    private readonly FixedKeyTable<ulong> _fixedKeys = new(512);
    private int[] _direct = [];

    /// <summary>Whether the builtin engine can dictionary-encode a column of this kind: byte arrays and the integer,
    /// date, timestamp, decimal (stored as INT32 or INT64) and floating-point kinds; not booleans or 16-byte decimals.</summary>
    /// <param name="kind">The column kind.</param>
    /// <returns><see langword="true"/> when the kind can be dictionary encoded.</returns>
    public static bool SupportsDictionary(ParquetColumnKind kind) => kind is not (ParquetColumnKind.Boolean or ParquetColumnKind.DecimalBytes);

    private bool TryBuildFixedDictionary(ParquetColumn column, List<ArrayData> parts, int values) => column.Kind switch
    {
        ParquetColumnKind.Int8 => TryBuildIntegerDictionary<sbyte, int, Widen8>(column, parts, values),
        ParquetColumnKind.UInt8 => TryBuildIntegerDictionary<byte, int, WidenU8>(column, parts, values),
        ParquetColumnKind.Int16 => TryBuildIntegerDictionary<short, int, Widen16>(column, parts, values),
        ParquetColumnKind.UInt16 => TryBuildIntegerDictionary<ushort, int, WidenU16>(column, parts, values),
        ParquetColumnKind.Int32 or ParquetColumnKind.Date32 => TryBuildIntegerDictionary<int, int, Same<int>>(column, parts, values),
        ParquetColumnKind.UInt32 => TryBuildIntegerDictionary<uint, uint, Same<uint>>(column, parts, values),
        ParquetColumnKind.Int64 => TryBuildIntegerDictionary<long, long, Same<long>>(column, parts, values),
        ParquetColumnKind.UInt64 => TryBuildIntegerDictionary<ulong, ulong, Same<ulong>>(column, parts, values),
        ParquetColumnKind.Float => TryBuildFixedDictionary<float, float, Same<float>>(column, parts, values),
        ParquetColumnKind.Double => TryBuildFixedDictionary<double, double, Same<double>>(column, parts, values),
        ParquetColumnKind.Timestamp when column.TimestampScale == 1 => TryBuildIntegerDictionary<long, long, Same<long>>(column, parts, values),
        ParquetColumnKind.Timestamp => TryBuildFixedDictionary<long, long, SecondsToMillis>(column, parts, values),
        ParquetColumnKind.DecimalInt32 => TryBuildFixedDictionary<Int128, int, Narrow32>(column, parts, values),
        ParquetColumnKind.DecimalInt64 => TryBuildFixedDictionary<Int128, long, Narrow64>(column, parts, values),
        _ => false,
    };

    /// <summary>Integers whose chunk spans at most <see cref="MaxDirectRange"/> values (dates, small codes, keys of a
    /// bounded domain) find their entry by their offset from the chunk's minimum, in a table with a slot per value of
    /// the range: one memory access per value, no hashing or probing. Wider ranges take the hash table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryBuildIntegerDictionary<TIn, TOut, TConvert>(ParquetColumn column, List<ArrayData> parts, int values)
        where TIn : unmanaged, IBinaryInteger<TIn>
        where TOut : unmanaged, INumber<TOut>
        where TConvert : IConvert<TIn, TOut>
    {
        // Offsets are taken modulo 2^64 from the sign-extended bits, which is exact once the range is known to be small.
        var first = true;
        var min = TIn.Zero;
        var max = TIn.Zero;
        foreach (var data in parts)
        {
            var source = MemoryMarshal.Cast<byte, TIn>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
            if (source.IsEmpty)
            {
                continue;
            }

            if (data.GetNullCount() == 0)
            {
                var (low, high) = MinMax(source);
                min = first ? low : TIn.Min(min, low);
                max = first ? high : TIn.Max(max, high);
                first = false;
                continue;
            }

            var validity = data.Buffers[0].Span;
            for (var i = 0; i < source.Length; i++)
            {
                if (!BitUtility.GetBit(validity, data.Offset + i))
                {
                    continue;
                }

                var value = source[i];
                if (first)
                {
                    min = max = value;
                    first = false;
                }
                else
                {
                    min = TIn.Min(min, value);
                    max = TIn.Max(max, value);
                }
            }
        }

        var range = SignExtended(max) - SignExtended(min);
        if (range >= MaxDirectRange)
        {
            return TryBuildFixedDictionary<TIn, TOut, TConvert>(column, parts, values);
        }

        var size = Unsafe.SizeOf<TOut>();
        var maxEntries = MaxDictionaryBytes / size;
        var slots = (int)range + 1;
        EnsureInts(ref _indices, values);
        EnsureInts(ref _direct, slots);
        var direct = _direct.AsSpan(0, slots);
        direct.Clear();
        _entryCount = 0;
        Ensure(ref _dictionary, Math.Min(MaxDictionaryBytes, slots * size));
        var entries = MemoryMarshal.Cast<byte, TOut>(_dictionary.AsSpan());
        var indices = _indices.AsSpan(0, values);
        var bottom = SignExtended(min);
        var count = 0;
        foreach (var data in parts)
        {
            var source = MemoryMarshal.Cast<byte, TIn>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
            var validity = data.Buffers[0].Span;
            var hasNulls = data.GetNullCount() > 0;
            for (var i = 0; i < source.Length; i++)
            {
                if (hasNulls && !BitUtility.GetBit(validity, data.Offset + i))
                {
                    continue;
                }

                ref var slot = ref direct[(int)(SignExtended(source[i]) - bottom)];
                if (slot == 0)
                {
                    if (_entryCount == maxEntries)
                    {
                        _entryCount = 0;
                        return false;
                    }

                    entries[_entryCount] = TConvert.Convert(source[i], column, data.Offset + i);
                    slot = ++_entryCount;
                }

                indices[count++] = slot - 1;
            }
        }

        FinishFixedDictionary(entries[.._entryCount]);
        return true;
    }

    /// <summary>The extremes of a non-empty span of integers, a vector at a time.</summary>
    private static (T Min, T Max) MinMax<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryInteger<T>
    {
        var min = values[0];
        var max = values[0];
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && values.Length >= 2 * Vector<T>.Count)
        {
            var low = new Vector<T>(values);
            var high = low;
            for (i = Vector<T>.Count; i <= values.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var vector = new Vector<T>(values[i..]);
                low = Vector.Min(low, vector);
                high = Vector.Max(high, vector);
            }

            for (var lane = 0; lane < Vector<T>.Count; lane++)
            {
                min = T.Min(min, low[lane]);
                max = T.Max(max, high[lane]);
            }
        }

        for (; i < values.Length; i++)
        {
            min = T.Min(min, values[i]);
            max = T.Max(max, values[i]);
        }

        return (min, max);
    }

    /// <summary>Builds the PLAIN dictionary page of the chunk's non-null values (converted to the stored type) and the
    /// index of every value, and takes the statistics from the entries; <see langword="false"/> when the dictionary
    /// grows past <see cref="MaxDictionaryBytes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryBuildFixedDictionary<TIn, TOut, TConvert>(ParquetColumn column, List<ArrayData> parts, int values)
        where TIn : unmanaged
        where TOut : unmanaged, INumber<TOut>
        where TConvert : IConvert<TIn, TOut>
    {
        // The shared fixed-width key table holds each value's bits (compared bit for bit); the entries are written
        // back as the stored type once the dictionary is known to fit. It starts small after every chunk, so a chunk of
        // few distinct values keeps its index in the L1 cache.
        var size = Unsafe.SizeOf<TOut>();
        var maxEntries = MaxDictionaryBytes / size;
        EnsureInts(ref _indices, values);
        var table = _fixedKeys;
        table.Clear();
        _entryCount = 0;
        _dictionaryLength = 0;
        var count = 0;
        foreach (var data in parts)
        {
            var source = MemoryMarshal.Cast<byte, TIn>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
            var validity = data.Buffers[0].Span;
            var hasNulls = data.GetNullCount() > 0;
            for (var i = 0; i < source.Length; i++)
            {
                if (hasNulls && !BitUtility.GetBit(validity, data.Offset + i))
                {
                    continue;
                }

                var entry = table.GetOrAdd(KeyOf(TConvert.Convert(source[i], column, data.Offset + i)), out var added);
                if (added && entry == maxEntries)
                {
                    return false;
                }

                _indices[count++] = entry;
            }
        }

        _entryCount = table.Count;
        Ensure(ref _dictionary, _entryCount * size);
        var entries = MemoryMarshal.Cast<byte, TOut>(_dictionary.AsSpan())[.._entryCount];
        var keys = table.Keys;
        for (var entry = 0; entry < entries.Length; entry++)
        {
            entries[entry] = FromKey<TOut>(keys[entry]);
        }

        FinishFixedDictionary(entries[.._entryCount]);
        return true;
    }

    /// <summary>Sets the dictionary page's length and takes the statistics from its entries.</summary>
    private void FinishFixedDictionary<T>(ReadOnlySpan<T> entries)
        where T : unmanaged, INumber<T>
    {
        _dictionaryLength = entries.Length * Unsafe.SizeOf<T>();
        ref var min = ref Unsafe.As<Int128, T>(ref _min);
        ref var max = ref Unsafe.As<Int128, T>(ref _max);
        foreach (var value in entries)
        {
            Track(value, ref min, ref max, ref _hasMinMax);
        }
    }

    /// <summary>An integer's bits widened to 64 (sign-extended when signed); folds to one instruction per type, where
    /// the generic <c>ulong.CreateTruncating</c> is not always inlined.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SignExtended<T>(T value)
        where T : unmanaged
    {
        if (typeof(T) == typeof(sbyte))
        {
            return (ulong)Unsafe.As<T, sbyte>(ref value);
        }

        if (typeof(T) == typeof(short))
        {
            return (ulong)Unsafe.As<T, short>(ref value);
        }

        if (typeof(T) == typeof(int))
        {
            return (ulong)Unsafe.As<T, int>(ref value);
        }

        if (typeof(T) == typeof(long))
        {
            return (ulong)Unsafe.As<T, long>(ref value);
        }

        return Unsafe.SizeOf<T>() switch
        {
            1 => Unsafe.As<T, byte>(ref value),
            2 => Unsafe.As<T, ushort>(ref value),
            4 => Unsafe.As<T, uint>(ref value),
            _ => Unsafe.As<T, ulong>(ref value),
        };
    }

    /// <summary>The value's bits: equal keys are the same stored bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong KeyOf<T>(T value)
        where T : unmanaged
        => Unsafe.SizeOf<T>() == 4 ? Unsafe.As<T, uint>(ref value) : Unsafe.As<T, ulong>(ref value);

    /// <summary>The stored value back from its bits (<see cref="KeyOf{T}"/> reversed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T FromKey<T>(ulong key)
        where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() == 4)
        {
            var bits = (uint)key;
            return Unsafe.As<uint, T>(ref bits);
        }

        return Unsafe.As<ulong, T>(ref key);
    }
}
