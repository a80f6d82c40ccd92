using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// Accumulates the values of one column for one batch at a time, then builds an Arrow array whose buffers come from
/// a <see cref="MemoryAllocator"/>. The managed staging buffers are kept and reused for the next batch, so a
/// steady-state read allocates nothing per row and only the output buffers per batch.
/// </summary>
/// <remarks>
/// Used by the CSV and ADO.NET readers. Layouts: booleans (bit-packed values), fixed-width values (1, 2, 4, 8 or 16
/// bytes) and variable-length values (int32 offsets + bytes: utf8 and binary). <see cref="Truncate"/> drops the values
/// appended after a given row count, so a reader can roll back a half-parsed row.
/// </remarks>
internal sealed class ArrowColumnBuffer
{
    private const int InitialRows = 1024;

    private readonly ArrowBuffer.Builder<byte> _validity = new(InitialRows / 8);
    private readonly ArrowBuffer.Builder<byte> _values;
    private readonly ArrowBuffer.Builder<byte>? _offsets;
    private readonly int _width;
    private readonly ColumnLayout _layout;
    private int _count;
    private int _nullCount;
    private int _dataLength;
    private int _rowCapacity;

    public ArrowColumnBuffer(IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Type = type;
        (_layout, _width) = LayoutOf(type);
        if (_layout == ColumnLayout.Unsupported)
        {
            throw new NotSupportedException($"Arrow type {SchemaText.Describe(type)} is not supported by the CSV and ADO.NET readers.");
        }

        _rowCapacity = InitialRows;
        _validity.Resize(InitialRows / 8);
        switch (_layout)
        {
            case ColumnLayout.Boolean:
                _values = new ArrowBuffer.Builder<byte>(InitialRows / 8);
                _values.Resize(InitialRows / 8);
                break;
            case ColumnLayout.Fixed:
                _values = new ArrowBuffer.Builder<byte>(InitialRows * _width);
                _values.Resize(InitialRows * _width);
                break;
            default:
                _offsets = new ArrowBuffer.Builder<byte>((InitialRows + 1) * sizeof(int));
                _offsets.Resize((InitialRows + 1) * sizeof(int));
                _values = new ArrowBuffer.Builder<byte>(InitialRows * 16);
                _values.Resize(InitialRows * 16);
                break;
        }
    }

    private enum ColumnLayout
    {
        Unsupported,
        Boolean,
        Fixed,
        Variable,
    }

    /// <summary>Gets the Arrow type of the column.</summary>
    public IArrowType Type { get; }

    /// <summary>Gets the number of values appended since the last <see cref="Build"/>.</summary>
    public int Count => _count;

    /// <summary>Gets the number of nulls appended since the last <see cref="Build"/>.</summary>
    public int NullCount => _nullCount;

    /// <summary>Returns whether the readers can build columns of <paramref name="type"/>.</summary>
    /// <param name="type">The Arrow type.</param>
    /// <returns><see langword="true"/> when supported.</returns>
    public static bool IsSupported(IArrowType type) => LayoutOf(type).Layout != ColumnLayout.Unsupported;

    /// <summary>Appends a null.</summary>
    public void AppendNull()
    {
        var row = BeginRow();
        SetValid(row, false);
        _nullCount++;
        switch (_layout)
        {
            case ColumnLayout.Boolean:
                SetBit(_values.Span, row, false);
                break;
            case ColumnLayout.Fixed:
                _values.Span.Slice(row * _width, _width).Clear();
                break;
            default:
                Offsets[row + 1] = _dataLength;
                break;
        }

        _count++;
    }

    /// <summary>Appends a boolean (boolean layout only).</summary>
    /// <param name="value">The value.</param>
    public void AppendBoolean(bool value)
    {
        var row = BeginRow();
        SetValid(row, true);
        SetBit(_values.Span, row, value);
        _count++;
    }

    /// <summary>Appends a fixed-width value; <typeparamref name="T"/> must have the column's width.</summary>
    /// <typeparam name="T">The value type (long for int64 and timestamps, int for date32, Int128 for decimal128, …).</typeparam>
    /// <param name="value">The value.</param>
    public void Append<T>(T value)
        where T : unmanaged
    {
        Debug.Assert(_layout == ColumnLayout.Fixed && Unsafe.SizeOf<T>() == _width, "value width must match the column");
        var row = BeginRow();
        SetValid(row, true);
        Unsafe.WriteUnaligned(ref _values.Span[row * _width], value);
        _count++;
    }

    /// <summary>Appends a variable-length value (utf8 or binary layout).</summary>
    /// <param name="bytes">The bytes.</param>
    public void AppendBytes(ReadOnlySpan<byte> bytes)
    {
        var row = BeginRow();
        EnsureData(bytes.Length);
        bytes.CopyTo(_values.Span[_dataLength..]);
        _dataLength += bytes.Length;
        Offsets[row + 1] = _dataLength;
        SetValid(row, true);
        _count++;
    }

    /// <summary>Appends text encoded as UTF-8 (utf8 or binary layout), without allocating.</summary>
    /// <param name="chars">The text.</param>
    public void AppendUtf8(ReadOnlySpan<char> chars)
    {
        var row = BeginRow();
        EnsureData(Encoding.UTF8.GetMaxByteCount(chars.Length));
        _dataLength += Encoding.UTF8.GetBytes(chars, _values.Span[_dataLength..]);
        Offsets[row + 1] = _dataLength;
        SetValid(row, true);
        _count++;
    }

    /// <summary>Drops every value appended after the first <paramref name="rows"/> (rolls back a partial row).</summary>
    /// <param name="rows">The number of values to keep; at most <see cref="Count"/>.</param>
    public void Truncate(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var validity = _validity.Span;
        for (var row = rows; row < _count; row++)
        {
            if ((validity[row >> 3] & (1 << (row & 7))) == 0)
            {
                _nullCount--;
            }
        }

        if (rows < _count)
        {
            _count = rows;
            if (_layout == ColumnLayout.Variable)
            {
                _dataLength = Offsets[rows];
            }
        }
    }

    /// <summary>
    /// Builds an array of the values appended since the last build, with buffers allocated from
    /// <paramref name="allocator"/>, and starts the next batch (the staging buffers are kept).
    /// </summary>
    /// <param name="allocator">The allocator of the output buffers.</param>
    /// <returns>The array, owned by the caller.</returns>
    public IArrowArray Build(MemoryAllocator allocator)
    {
        var count = _count;
        var validity = _nullCount == 0 ? ArrowBuffer.Empty : Copy(_validity, BitBytes(count), allocator);
        ArrowBuffer[] buffers;
        try
        {
            buffers = _layout switch
            {
                ColumnLayout.Boolean => [validity, Copy(_values, BitBytes(count), allocator)],
                ColumnLayout.Fixed => [validity, Copy(_values, count * _width, allocator)],
                _ => [validity, Copy(_offsets!, (count + 1) * sizeof(int), allocator), Copy(_values, _dataLength, allocator)],
            };
        }
        catch
        {
            validity.Dispose();
            throw;
        }

        var data = new ArrayData(Type, count, _nullCount, 0, buffers);
        _count = 0;
        _nullCount = 0;
        _dataLength = 0;
        return ArrowArrayFactory.BuildArray(data);
    }

    private Span<int> Offsets => MemoryMarshal.Cast<byte, int>(_offsets!.Span);

    private static (ColumnLayout Layout, int Width) LayoutOf(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Boolean => (ColumnLayout.Boolean, 0),
        ArrowTypeId.Int8 or ArrowTypeId.UInt8 => (ColumnLayout.Fixed, 1),
        ArrowTypeId.Int16 or ArrowTypeId.UInt16 => (ColumnLayout.Fixed, 2),
        ArrowTypeId.Int32 or ArrowTypeId.UInt32 or ArrowTypeId.Float or ArrowTypeId.Date32 or ArrowTypeId.Time32 => (ColumnLayout.Fixed, 4),
        ArrowTypeId.Int64 or ArrowTypeId.UInt64 or ArrowTypeId.Double or ArrowTypeId.Timestamp or ArrowTypeId.Time64
            or ArrowTypeId.Duration => (ColumnLayout.Fixed, 8),
        ArrowTypeId.Decimal128 => (ColumnLayout.Fixed, 16),
        ArrowTypeId.String or ArrowTypeId.Binary => (ColumnLayout.Variable, 0),
        _ => (ColumnLayout.Unsupported, 0),
    };

    private static int BitBytes(int bits) => (bits + 7) >> 3;

    private static ArrowBuffer Copy(ArrowBuffer.Builder<byte> staging, int length, MemoryAllocator allocator)
    {
        // The builder's Length is kept at its capacity between batches; shrink it to the payload to copy just that,
        // then restore it. Resizing down keeps the managed array, so the staging memory is reused.
        var capacity = staging.Length;
        staging.Resize(length);
        try
        {
            return staging.Build(allocator);
        }
        finally
        {
            staging.Resize(capacity);
        }
    }

    private static void SetBit(Span<byte> bits, int index, bool value)
    {
        ref var b = ref bits[index >> 3];
        var mask = (byte)(1 << (index & 7));
        b = value ? (byte)(b | mask) : (byte)(b & ~mask);
    }

    private static void Grow(ArrowBuffer.Builder<byte> builder, int needed)
    {
        if (needed > builder.Length)
        {
            var length = (int)Math.Min(System.Array.MaxLength, Math.Max(needed, (long)builder.Length * 2));
            builder.Resize(length);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetValid(int row, bool valid) => SetBit(_validity.Span, row, valid);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int BeginRow()
    {
        var row = _count;
        if (row >= _rowCapacity)
        {
            GrowRows();
        }

        return row;
    }

    private void GrowRows()
    {
        var rows = checked(_rowCapacity * 2);
        Grow(_validity, BitBytes(rows));
        switch (_layout)
        {
            case ColumnLayout.Boolean:
                Grow(_values, BitBytes(rows));
                break;
            case ColumnLayout.Fixed:
                Grow(_values, checked(rows * _width));
                break;
            default:
                Grow(_offsets!, checked((rows + 1) * sizeof(int)));
                break;
        }

        _rowCapacity = rows;
    }

    private void EnsureData(int extra)
    {
        var needed = (long)_dataLength + extra;
        if (needed > int.MaxValue - 64)
        {
            throw new DataEngException($"A batch of column type {SchemaText.Describe(Type)} would hold more than 2 GiB of data; use a smaller batch size.");
        }

        Grow(_values, (int)needed);
    }
}
