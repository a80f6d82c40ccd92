using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Parquet;

namespace DataEng.Core.ParquetFormat;

internal sealed partial class ArrowParquetReader
{
    private async ValueTask<IArrowArray> ReadColumnAsync(ParquetRowGroupReader rowGroup, ParquetColumn column, int rows, CancellationToken cancellationToken)
    {
        switch (column.Kind)
        {
            case ParquetColumnKind.Int32:
            case ParquetColumnKind.UInt32:
            case ParquetColumnKind.Date32:
                return await ReadSameWidthAsync<int>(rowGroup, column, rows, cancellationToken).ConfigureAwait(false);
            case ParquetColumnKind.Int64:
            case ParquetColumnKind.UInt64:
            case ParquetColumnKind.Timestamp:
                return await ReadSameWidthAsync<long>(rowGroup, column, rows, cancellationToken).ConfigureAwait(false);
            case ParquetColumnKind.Float:
                return await ReadSameWidthAsync<float>(rowGroup, column, rows, cancellationToken).ConfigureAwait(false);
            case ParquetColumnKind.Double:
                return await ReadSameWidthAsync<double>(rowGroup, column, rows, cancellationToken).ConfigureAwait(false);
            case ParquetColumnKind.Int8:
            case ParquetColumnKind.UInt8:
            case ParquetColumnKind.Int16:
            case ParquetColumnKind.UInt16:
            case ParquetColumnKind.DecimalInt32:
            {
                var (values, defs, count) = await ReadPooledAsync<int>(rowGroup, column, rows, cancellationToken).ConfigureAwait(false);
                return column.Kind == ParquetColumnKind.DecimalInt32
                    ? BuildDecimals(column, rows, defs, count, values.AsSpan(0, count), static v => v)
                    : BuildNarrow(column, rows, defs, values.AsSpan(0, count));
            }

            case ParquetColumnKind.DecimalInt64:
            {
                var (values, defs, count) = await ReadPooledAsync<long>(rowGroup, column, rows, cancellationToken).ConfigureAwait(false);
                return BuildDecimals(column, rows, defs, count, values.AsSpan(0, count), static v => v);
            }

            case ParquetColumnKind.DecimalBytes:
            {
                var (values, defs, count) = await ReadPooledAsync<ReadOnlyMemory<byte>>(rowGroup, column, rows, cancellationToken).ConfigureAwait(false);
                return BuildDecimals(column, rows, defs, count, values.AsSpan(0, count), v => FromBigEndian(column, v.Span));
            }

            case ParquetColumnKind.Boolean:
            {
                var (values, defs, count) = await ReadPooledAsync<bool>(rowGroup, column, rows, cancellationToken).ConfigureAwait(false);
                return BuildBooleans(column, rows, defs, values.AsSpan(0, count));
            }

            case ParquetColumnKind.String:
            case ParquetColumnKind.Binary:
            {
                var (values, defs, count) = await ReadPooledAsync<ReadOnlyMemory<byte>>(rowGroup, column, rows, cancellationToken).ConfigureAwait(false);
                return BuildVariable(column, rows, defs, values.AsSpan(0, count));
            }

            default:
                throw new InvalidOperationException($"Unexpected column kind {column.Kind}.");
        }
    }

    /// <summary>Decodes straight into the Arrow value buffer (compacted), then spreads the values to their rows.</summary>
    private async ValueTask<IArrowArray> ReadSameWidthAsync<T>(ParquetRowGroupReader rowGroup, ParquetColumn column, int rows, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        var valuesOwner = _allocator.Allocate(checked(rows * size));
        IMemoryOwner<byte>? validityOwner = null;
        try
        {
            var values = CastMemoryManager<T>.CreateWritable(valuesOwner.Memory, rows);
            var defs = column.ArrowField.IsNullable ? PrepareLevels(rows) : null;
            await rowGroup.ReadRawAsync(column.ParquetField!, values, defs, null, cancellationToken).ConfigureAwait(false);
            var count = CountDefined(column, defs, rows);
            var span = values.Span;
            if (count < rows)
            {
                Spread(span, defs!.Value.Span, count);
            }

            if (column.TimestampScale != 1)
            {
                var longs = MemoryMarshal.Cast<T, long>(span);
                var scale = column.TimestampScale;
                foreach (ref var value in longs)
                {
                    value /= scale;
                }
            }

            validityOwner = count < rows ? BuildValidity(defs!.Value.Span, rows) : null;
            return Build(column, rows, rows - count, validityOwner, valuesOwner, null);
        }
        catch
        {
            valuesOwner.Dispose();
            validityOwner?.Dispose();
            throw;
        }
    }

    /// <summary>Decodes the non-null values into a pooled buffer (for types that need converting).</summary>
    private async ValueTask<(T[] Values, Memory<int>? Levels, int Count)> ReadPooledAsync<T>(ParquetRowGroupReader rowGroup, ParquetColumn column, int rows, CancellationToken cancellationToken)
        where T : struct
    {
        var values = _scratch.Rent<T>(rows);
        var defs = column.ArrowField.IsNullable ? PrepareLevels(rows) : null;
        await rowGroup.ReadRawAsync<T>(column.ParquetField!, values.AsMemory(0, rows), defs, null, cancellationToken).ConfigureAwait(false);
        return (values, defs, CountDefined(column, defs, rows));
    }

    private Memory<int>? PrepareLevels(int rows)
    {
        var levels = _scratch.RentLevels(rows).AsMemory(0, rows);
        // A sentinel shows levels the file did not provide (fewer values than the row group declares).
        levels.Span.Fill(-1);
        return levels;
    }

    private int CountDefined(ParquetColumn column, Memory<int>? levels, int rows)
    {
        if (levels is null)
        {
            return rows;
        }

        var count = 0;
        foreach (var level in levels.Value.Span)
        {
            if (level == 1)
            {
                count++;
            }
            else if (level != 0)
            {
                throw new ParquetFileException(DisplayName, null, column.Name, level < 0
                    ? "the column has fewer values than its row group declares"
                    : $"invalid definition level {level}");
            }
        }

        return count;
    }

    private static void Spread<T>(Span<T> values, ReadOnlySpan<int> levels, int count)
        where T : unmanaged
    {
        // Walk backwards so every value moves to a slot at or after where it was.
        var next = count - 1;
        for (var row = values.Length - 1; row >= 0; row--)
        {
            values[row] = levels[row] == 1 ? values[next--] : default;
        }
    }

    private IMemoryOwner<byte> BuildValidity(ReadOnlySpan<int> levels, int rows)
    {
        var owner = _allocator.Allocate(BitUtility.ByteCount(rows));
        var bits = owner.Memory.Span[..BitUtility.ByteCount(rows)];
        bits.Clear();
        for (var row = 0; row < rows; row++)
        {
            if (levels[row] == 1)
            {
                BitUtility.SetBit(bits, row);
            }
        }

        return owner;
    }

    private IArrowArray BuildNarrow(ParquetColumn column, int rows, Memory<int>? levels, ReadOnlySpan<int> values)
    {
        var (size, min, max) = column.Kind switch
        {
            ParquetColumnKind.Int8 => (1, (int)sbyte.MinValue, (int)sbyte.MaxValue),
            ParquetColumnKind.UInt8 => (1, byte.MinValue, byte.MaxValue),
            ParquetColumnKind.Int16 => (2, short.MinValue, short.MaxValue),
            _ => (2, ushort.MinValue, ushort.MaxValue),
        };
        var valuesOwner = _allocator.Allocate(rows * size);
        IMemoryOwner<byte>? validityOwner = null;
        try
        {
            var target = valuesOwner.Memory.Span[..(rows * size)];
            var levelSpan = levels is null ? default : levels.Value.Span;
            var next = 0;
            for (var row = 0; row < rows; row++)
            {
                var value = 0;
                if (levels is null || levelSpan[row] == 1)
                {
                    value = values[next++];
                    if (value < min || value > max)
                    {
                        throw new ParquetFileException(DisplayName, null, column.Name, $"the value {value} does not fit {SchemaText.Describe(column.ArrowField.DataType)}");
                    }
                }

                if (size == 1)
                {
                    target[row] = (byte)value;
                }
                else
                {
                    BinaryPrimitives.WriteInt16LittleEndian(target.Slice(row * 2, 2), (short)value);
                }
            }

            validityOwner = next < rows ? BuildValidity(levelSpan, rows) : null;
            return Build(column, rows, rows - next, validityOwner, valuesOwner, null);
        }
        catch
        {
            valuesOwner.Dispose();
            validityOwner?.Dispose();
            throw;
        }
    }

    private IArrowArray BuildBooleans(ParquetColumn column, int rows, Memory<int>? levels, ReadOnlySpan<bool> values)
    {
        var bytes = BitUtility.ByteCount(rows);
        var valuesOwner = _allocator.Allocate(bytes);
        IMemoryOwner<byte>? validityOwner = null;
        try
        {
            var bits = valuesOwner.Memory.Span[..bytes];
            bits.Clear();
            var levelSpan = levels is null ? default : levels.Value.Span;
            var next = 0;
            for (var row = 0; row < rows; row++)
            {
                if ((levels is null || levelSpan[row] == 1) && values[next++])
                {
                    BitUtility.SetBit(bits, row);
                }
            }

            next = levels is null ? rows : values.Length;
            validityOwner = next < rows ? BuildValidity(levelSpan, rows) : null;
            return Build(column, rows, rows - next, validityOwner, valuesOwner, null);
        }
        catch
        {
            valuesOwner.Dispose();
            validityOwner?.Dispose();
            throw;
        }
    }

    private IArrowArray BuildDecimals<T>(ParquetColumn column, int rows, Memory<int>? levels, int count, ReadOnlySpan<T> values, Func<T, Int128> convert)
    {
        var valuesOwner = _allocator.Allocate(checked(rows * 16));
        IMemoryOwner<byte>? validityOwner = null;
        try
        {
            var target = valuesOwner.Memory.Span[..(rows * 16)];
            var levelSpan = levels is null ? default : levels.Value.Span;
            var next = 0;
            for (var row = 0; row < rows; row++)
            {
                var value = levels is null || levelSpan[row] == 1 ? convert(values[next++]) : Int128.Zero;
                BinaryPrimitives.WriteInt128LittleEndian(target.Slice(row * 16, 16), value);
            }

            validityOwner = count < rows ? BuildValidity(levelSpan, rows) : null;
            return Build(column, rows, rows - count, validityOwner, valuesOwner, null);
        }
        catch
        {
            valuesOwner.Dispose();
            validityOwner?.Dispose();
            throw;
        }
    }

    private Int128 FromBigEndian(ParquetColumn column, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length is 0 or > 16 || (column.FixedLength > 0 && bytes.Length != column.FixedLength))
        {
            throw new ParquetFileException(DisplayName, null, column.Name, $"a decimal value has {bytes.Length} bytes");
        }

        Span<byte> wide = stackalloc byte[16];
        wide[..(16 - bytes.Length)].Fill((bytes[0] & 0x80) != 0 ? (byte)0xFF : (byte)0);
        bytes.CopyTo(wide[(16 - bytes.Length)..]);
        return BinaryPrimitives.ReadInt128BigEndian(wide);
    }

    private IArrowArray BuildVariable(ParquetColumn column, int rows, Memory<int>? levels, ReadOnlySpan<ReadOnlyMemory<byte>> values)
    {
        long total = 0;
        foreach (var value in values)
        {
            total += value.Length;
        }

        if (total > int.MaxValue)
        {
            throw new ParquetFileException(DisplayName, null, column.Name, $"the row group holds {total} bytes of values, more than one Arrow array can (2 GiB)");
        }

        var offsetsOwner = _allocator.Allocate((rows + 1) * sizeof(int));
        var dataOwner = _allocator.Allocate(Math.Max((int)total, 1));
        IMemoryOwner<byte>? validityOwner = null;
        try
        {
            var offsets = MemoryMarshal.Cast<byte, int>(offsetsOwner.Memory.Span)[..(rows + 1)];
            var data = dataOwner.Memory.Span;
            var levelSpan = levels is null ? default : levels.Value.Span;
            var next = 0;
            var position = 0;
            offsets[0] = 0;
            for (var row = 0; row < rows; row++)
            {
                if (levels is null || levelSpan[row] == 1)
                {
                    var value = values[next++].Span;
                    value.CopyTo(data[position..]);
                    position += value.Length;
                }

                offsets[row + 1] = position;
            }

            if (column.Kind == ParquetColumnKind.String && !System.Text.Unicode.Utf8.IsValid(data[..position]))
            {
                throw new ParquetFileException(DisplayName, null, column.Name, "a string value is not valid UTF-8");
            }

            validityOwner = next < rows ? BuildValidity(levelSpan, rows) : null;
            return Build(column, rows, rows - next, validityOwner, offsetsOwner, dataOwner);
        }
        catch
        {
            offsetsOwner.Dispose();
            dataOwner.Dispose();
            validityOwner?.Dispose();
            throw;
        }
    }

    private static IArrowArray Build(ParquetColumn column, int rows, int nulls, IMemoryOwner<byte>? validity, IMemoryOwner<byte> values, IMemoryOwner<byte>? data)
    {
        var buffers = data is null
            ? new[] { validity is null ? ArrowBuffer.Empty : ArrowBuffers.FromOwner(validity), ArrowBuffers.FromOwner(values) }
            : [validity is null ? ArrowBuffer.Empty : ArrowBuffers.FromOwner(validity), ArrowBuffers.FromOwner(values), ArrowBuffers.FromOwner(data)];
        return ArrowArrayFactory.BuildArray(new ArrayData(column.ArrowField.DataType, rows, nulls, 0, buffers));
    }
}
