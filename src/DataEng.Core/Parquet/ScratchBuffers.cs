using System.Buffers;

namespace DataEng.Core.ParquetFormat;

/// <summary>
/// Pooled arrays a Parquet writer or reader reuses across row groups (one per element type), so steady-state writing
/// touches the same memory instead of fresh pages. Not thread-safe; one instance per writer or reader.
/// </summary>
internal sealed class ScratchBuffers : IDisposable
{
    private readonly Dictionary<Type, Array> _arrays = [];
    private int[] _levels = [];
    private readonly List<ParquetChunkEncoder> _encoders = [];

    /// <summary>Returns the <paramref name="index"/>th column chunk encoder of this set (created on first use, then kept
    /// with its buffers): concurrent chunks are encoded with distinct encoders.</summary>
    public ParquetChunkEncoder Encoder(int index)
    {
        while (_encoders.Count <= index)
        {
            _encoders.Add(new ParquetChunkEncoder());
        }

        return _encoders[index];
    }

    /// <summary>Returns a pooled array of at least <paramref name="minimumLength"/> elements (contents undefined).</summary>
    public T[] Rent<T>(int minimumLength)
    {
        if (_arrays.TryGetValue(typeof(T), out var existing) && existing.Length >= minimumLength)
        {
            return (T[])existing;
        }

        if (existing is not null)
        {
            ArrayPool<T>.Shared.Return((T[])existing, clearArray: System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }

        var array = ArrayPool<T>.Shared.Rent(Math.Max(minimumLength, 16));
        _arrays[typeof(T)] = array;
        return array;
    }

    /// <summary>Returns a pooled array for definition levels.</summary>
    public int[] RentLevels(int minimumLength)
    {
        if (_levels.Length < minimumLength)
        {
            Return(_levels);
            _levels = ArrayPool<int>.Shared.Rent(minimumLength);
        }

        return _levels;
    }

    public void Dispose()
    {
        foreach (var (type, array) in _arrays)
        {
            ReturnUntyped(type, array);
        }

        _arrays.Clear();
        foreach (var encoder in _encoders)
        {
            encoder.Dispose();
        }

        _encoders.Clear();
        Return(_levels);
        _levels = [];
    }

    private static void Return(int[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<int>.Shared.Return(array);
        }
    }

    private static void ReturnUntyped(Type type, Array array)
    {
        // Reference-holding arrays (ReadOnlyMemory slices) are cleared so pooled arrays do not keep buffers alive.
        switch (array)
        {
            case ReadOnlyMemory<char>[] chars:
                ArrayPool<ReadOnlyMemory<char>>.Shared.Return(chars, clearArray: true);
                break;
            case ReadOnlyMemory<byte>[] bytes:
                ArrayPool<ReadOnlyMemory<byte>>.Shared.Return(bytes, clearArray: true);
                break;
            case char[] c:
                ArrayPool<char>.Shared.Return(c);
                break;
            case bool[] b:
                ArrayPool<bool>.Shared.Return(b);
                break;
            case sbyte[] a:
                ArrayPool<sbyte>.Shared.Return(a);
                break;
            case byte[] a:
                ArrayPool<byte>.Shared.Return(a);
                break;
            case short[] a:
                ArrayPool<short>.Shared.Return(a);
                break;
            case ushort[] a:
                ArrayPool<ushort>.Shared.Return(a);
                break;
            case int[] a:
                ArrayPool<int>.Shared.Return(a);
                break;
            case uint[] a:
                ArrayPool<uint>.Shared.Return(a);
                break;
            case long[] a:
                ArrayPool<long>.Shared.Return(a);
                break;
            case ulong[] a:
                ArrayPool<ulong>.Shared.Return(a);
                break;
            case float[] a:
                ArrayPool<float>.Shared.Return(a);
                break;
            case double[] a:
                ArrayPool<double>.Shared.Return(a);
                break;
            case Guid[] a:
                ArrayPool<Guid>.Shared.Return(a);
                break;
            default:
                _ = type;
                break;
        }
    }
}
