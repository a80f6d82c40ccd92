using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Parquet;

namespace DataEng.Core;

internal sealed partial class ArrowParquetWriter
{
    private const int DictionarySampleSize = 4096;

    /// <summary>The fewest repeats in a fixed-width sample from which the dictionary size is estimated.</summary>
    private const int MinSampleRepeats = 16;

    private readonly List<(ArrayData Data, int Row)> _sampleRows = [];
    private readonly HashSet<ulong> _sampleKeys = [];

    private void ChooseEncodings()
    {
        var builtin = _options.Engine == ParquetWriterEngine.Builtin;
        foreach (var column in _columns)
        {
            var variable = column.Kind is ParquetColumnKind.String or ParquetColumnKind.Binary;
            if (!(variable || (builtin && ParquetChunkEncoder.SupportsDictionary(column.Kind))))
            {
                // Parquet.Net dictionary-encodes byte arrays only.
                continue;
            }

            var dictionary = _options.DictionaryColumns.Contains(column.Name)
                || (_options.AutoDictionary && column.Kind switch
                {
                    ParquetColumnKind.String => LowCardinality(column),
                    ParquetColumnKind.Binary => false,
                    _ => FixedDictionaryPays(column),
                });
            _dictionary[column.Index] = dictionary;
            if (variable)
            {
                _parquetOptions?.ColumnEncodingHints[column.ParquetField.Path.ToString()] = dictionary ? EncodingHint.Dictionary : EncodingHint.Default;
            }
        }
    }

    /// <summary>Parquet.Net dictionary-encodes a column when its hint says so AND its uniqueness is within the
    /// threshold, which it reads as each column is written: 1 for hinted columns, 0 (never) for the others.</summary>
    private void PrepareEncoding(ParquetColumn column)
        => _parquetOptions!.DictionaryEncodingThreshold =
            _parquetOptions.ColumnEncodingHints.TryGetValue(column.ParquetField.Path.ToString(), out var hint) && hint == EncodingHint.Dictionary ? 1.0 : 0.0;

    /// <summary>
    /// Collects up to <see cref="DictionarySampleSize"/> rows of a column spread evenly over the pending row group (one
    /// every <c>rows / DictionarySampleSize</c>, across batch boundaries; null rows are skipped, not replaced), and counts
    /// its non-null values. Evenly spread rather than the first rows, so a row group whose data is clustered or sorted
    /// is judged by all of it. Both dictionary choices (strings, fixed-width values) sample through this.
    /// </summary>
    private List<(ArrayData Data, int Row)> SampleRows(ParquetColumn column, out long nonNull)
    {
        _sampleRows.Clear();
        var step = Math.Max(1, _pendingRows / DictionarySampleSize);
        nonNull = 0;
        long start = 0;
        long next = 0;
        foreach (var batch in _pending)
        {
            var data = batch.Column(column.Index).Data;
            nonNull += data.Length - data.GetNullCount();
            var validity = data.Buffers[0].Span;
            var hasNulls = data.GetNullCount() > 0;
            for (; next < start + data.Length && _sampleRows.Count < DictionarySampleSize; next += step)
            {
                var row = data.Offset + (int)(next - start);
                if (!hasNulls || BitUtility.GetBit(validity, row))
                {
                    _sampleRows.Add((data, row));
                }
            }

            start += data.Length;
        }

        return _sampleRows;
    }

    /// <summary>A string column has low cardinality when at most one sampled value in ten is distinct.</summary>
    private bool LowCardinality(ParquetColumn column)
    {
        var rows = SampleRows(column, out _);
        _sampleKeys.Clear();
        foreach (var (data, row) in rows)
        {
            var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
            var hash = new HashCode();
            hash.AddBytes(data.Buffers[2].Span[offsets[row]..offsets[row + 1]]);
            _sampleKeys.Add((uint)hash.ToHashCode());
        }

        return rows.Count > 0 && _sampleKeys.Count * 10 <= rows.Count;
    }

    /// <summary>Samples up to <see cref="DictionarySampleSize"/> values spread evenly over the row group and decides
    /// whether a dictionary pays for a fixed-width column: at most one distinct value in ten, or a dictionary page plus
    /// bit-packed indices estimated at most three quarters of the PLAIN values' size, with a dictionary of at most half
    /// of <see cref="ParquetChunkEncoder.MaxDictionaryBytes"/>. When the sample does not cover the row group, the number
    /// of distinct values is estimated from the sample's repeats (birthday-paradox style: about n² / 2r values in the
    /// domain for r repeats among n samples, of which a row group of m rows holds d·(1 − e^(−m/d))). A column of
    /// (nearly) unique values such as a sequential key has no repeats, so it never builds a dictionary to throw away.</summary>
    private bool FixedDictionaryPays(ParquetColumn column)
    {
        var width = column.Kind switch
        {
            ParquetColumnKind.Int8 or ParquetColumnKind.UInt8 => 1,
            ParquetColumnKind.Int16 or ParquetColumnKind.UInt16 => 2,
            ParquetColumnKind.Int32 or ParquetColumnKind.UInt32 or ParquetColumnKind.Date32 or ParquetColumnKind.Float => 4,
            ParquetColumnKind.DecimalInt32 or ParquetColumnKind.DecimalInt64 => 16,
            _ => 8,
        };
        var storedBytes = ParquetChunkEncoder.PhysicalType(column) == 2 || column.Kind == ParquetColumnKind.Double ? 8 : 4;
        var rows = SampleRows(column, out var nonNull);
        _sampleKeys.Clear();
        foreach (var (data, row) in rows)
        {
            var bytes = data.Buffers[1].Span.Slice(row * width, width);
            var key = width switch
            {
                1 => bytes[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                8 => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes) ^ (BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]) * 0x9E3779B97F4A7C15),
            };
            _sampleKeys.Add(key);
        }

        var sampled = rows.Count;
        if (sampled == 0)
        {
            return false;
        }

        var distinct = _sampleKeys.Count;
        if (distinct * 10 <= sampled)
        {
            return true;
        }

        double entries = distinct;
        if (sampled < nonNull)
        {
            var repeats = sampled - distinct;
            if (repeats < MinSampleRepeats)
            {
                return false;
            }

            var domain = (double)sampled * sampled / (2.0 * repeats);
            entries = domain * -double.ExpM1(-nonNull / domain);
        }

        var indexBits = 64 - BitOperations.LeadingZeroCount((ulong)Math.Ceiling(entries));
        var plainBytes = (double)nonNull * storedBytes;
        var dictionaryBytes = entries * storedBytes;
        return dictionaryBytes <= ParquetChunkEncoder.MaxDictionaryBytes / 2
            && dictionaryBytes + (nonNull * indexBits / 8.0) <= plainBytes * 3 / 4;
    }

    private Task WriteColumnAsync(ParquetRowGroupWriter rowGroup, ParquetColumn column, List<ArrayData> parts, int rows, CancellationToken cancellationToken)
        => column.Kind switch
        {
            ParquetColumnKind.Int8 => WritePrimitiveAsync<sbyte>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.UInt8 => WritePrimitiveAsync<byte>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.Int16 => WritePrimitiveAsync<short>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.UInt16 => WritePrimitiveAsync<ushort>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.Int32 or ParquetColumnKind.Date32 => WritePrimitiveAsync<int>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.UInt32 => WritePrimitiveAsync<uint>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.Int64 => WritePrimitiveAsync<long>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.UInt64 => WritePrimitiveAsync<ulong>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.Float => WritePrimitiveAsync<float>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.Double => WritePrimitiveAsync<double>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.Timestamp when column.TimestampScale == 1 => WritePrimitiveAsync<long>(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.Timestamp => WriteConvertedAsync<long>(rowGroup, column, parts, rows, ScaleTimestamps, cancellationToken),
            ParquetColumnKind.Boolean => WriteConvertedAsync<bool>(rowGroup, column, parts, rows, CopyBooleans, cancellationToken),
            ParquetColumnKind.DecimalInt32 => WriteConvertedAsync<int>(rowGroup, column, parts, rows, NarrowDecimals32, cancellationToken),
            ParquetColumnKind.DecimalInt64 => WriteConvertedAsync<long>(rowGroup, column, parts, rows, NarrowDecimals64, cancellationToken),
            ParquetColumnKind.DecimalBytes => WriteConvertedAsync<Guid>(rowGroup, column, parts, rows, DecimalsToBigEndian, cancellationToken),
            ParquetColumnKind.String => WriteStringsAsync(rowGroup, column, parts, rows, cancellationToken),
            ParquetColumnKind.Binary => WriteConvertedAsync<ReadOnlyMemory<byte>>(rowGroup, column, parts, rows, SliceBinary, cancellationToken),
            _ => throw new InvalidOperationException($"Unexpected column kind {column.Kind}."),
        };

    /// <summary>Fixed-width values whose Arrow layout is the Parquet.Net element type.</summary>
    private Task WritePrimitiveAsync<T>(ParquetRowGroupWriter rowGroup, ParquetColumn column, List<ArrayData> parts, int rows, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var nulls = CountNulls(column, parts);
        if (parts.Count == 1 && nulls == 0)
        {
            // Fast path: hand the Arrow value buffer over as is.
            var data = parts[0];
            var values = CastMemoryManager<T>.Create(data.Buffers[1].Memory, data.Offset, data.Length);
            return column.ArrowField.IsNullable
                ? rowGroup.WriteAllPartsAsync(column.ParquetField, values, Scratch.Ones(rows), null, cancellationToken)
                : rowGroup.WriteAsync(column.ParquetField, values, null, null, cancellationToken);
        }

        return WriteConvertedAsync<T>(rowGroup, column, parts, rows, CopyValues<T>, cancellationToken);
    }

    /// <summary>Compacts the non-null values of every part into a pooled buffer (converting them) and writes them
    /// with definition levels built from the validity bitmaps.</summary>
    private Task WriteConvertedAsync<T>(ParquetRowGroupWriter rowGroup, ParquetColumn column, List<ArrayData> parts, int rows, Converter<T> convert, CancellationToken cancellationToken)
        where T : struct
    {
        var nulls = CountNulls(column, parts);
        var values = Scratch.Rent<T>(rows - nulls);
        var count = 0;
        foreach (var data in parts)
        {
            count += convert(column, data, values.AsSpan(count));
        }

        if (!column.ArrowField.IsNullable)
        {
            return rowGroup.WriteAsync<T>(column.ParquetField, values.AsMemory(0, count), null, null, cancellationToken);
        }

        var levels = nulls == 0 ? Scratch.Ones(rows) : BuildDefinitionLevels(parts, rows);
        return rowGroup.WriteAllPartsAsync<T>(column.ParquetField, values.AsMemory(0, count), levels, null, cancellationToken);
    }

    private async Task WriteStringsAsync(ParquetRowGroupWriter rowGroup, ParquetColumn column, List<ArrayData> parts, int rows, CancellationToken cancellationToken)
    {
        // Parquet.Net takes UTF-16: decode every value of the row group into one pooled char buffer and hand over
        // slices of it, so no string is allocated per value.
        var utf8Bytes = 0L;
        foreach (var data in parts)
        {
            var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
            utf8Bytes += offsets[data.Offset + data.Length] - offsets[data.Offset];
        }

        _chars = Scratch.Rent<char>(checked((int)utf8Bytes));
        _charsUsed = 0;
        await WriteConvertedAsync<ReadOnlyMemory<char>>(rowGroup, column, parts, rows, DecodeStrings, cancellationToken).ConfigureAwait(false);
        _chars = null;
    }

    private char[]? _chars;
    private int _charsUsed;

    private delegate int Converter<T>(ParquetColumn column, ArrayData data, Span<T> destination)
        where T : struct;

    private int DecodeStrings(ParquetColumn column, ArrayData data, Span<ReadOnlyMemory<char>> destination)
    {
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
        var bytes = data.Buffers[2].Span;
        var validity = data.Buffers[0].Span;
        var hasNulls = data.GetNullCount() > 0;
        var chars = _chars!;
        var count = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var row = data.Offset + i;
            if (hasNulls && !BitUtility.GetBit(validity, row))
            {
                continue;
            }

            var value = bytes[offsets[row]..offsets[row + 1]];
            var length = Encoding.UTF8.GetChars(value, chars.AsSpan(_charsUsed));
            destination[count++] = new ReadOnlyMemory<char>(chars, _charsUsed, length);
            _charsUsed += length;
        }

        return count;
    }

    private static int SliceBinary(ParquetColumn column, ArrayData data, Span<ReadOnlyMemory<byte>> destination)
    {
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
        var bytes = data.Buffers[2].Memory;
        var validity = data.Buffers[0].Span;
        var hasNulls = data.GetNullCount() > 0;
        var count = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var row = data.Offset + i;
            if (hasNulls && !BitUtility.GetBit(validity, row))
            {
                continue;
            }

            destination[count++] = bytes[offsets[row]..offsets[row + 1]];
        }

        return count;
    }

    private static int CopyValues<T>(ParquetColumn column, ArrayData data, Span<T> destination)
        where T : unmanaged
    {
        var values = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
        if (data.GetNullCount() == 0)
        {
            values.CopyTo(destination);
            return values.Length;
        }

        var validity = data.Buffers[0].Span;
        var count = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (BitUtility.GetBit(validity, data.Offset + i))
            {
                destination[count++] = values[i];
            }
        }

        return count;
    }

    private static int CopyBooleans(ParquetColumn column, ArrayData data, Span<bool> destination)
    {
        var bits = data.Buffers[1].Span;
        var validity = data.Buffers[0].Span;
        var hasNulls = data.GetNullCount() > 0;
        var count = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var row = data.Offset + i;
            if (!hasNulls || BitUtility.GetBit(validity, row))
            {
                destination[count++] = BitUtility.GetBit(bits, row);
            }
        }

        return count;
    }

    private static int ScaleTimestamps(ParquetColumn column, ArrayData data, Span<long> destination)
    {
        var count = CopyValues(column, data, destination);
        foreach (ref var value in destination[..count])
        {
            value = ScaleTimestamp(column, value);
        }

        return count;
    }

    private static int NarrowDecimals32(ParquetColumn column, ArrayData data, Span<int> destination)
    {
        var words = MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span);
        var validity = data.Buffers[0].Span;
        var hasNulls = data.GetNullCount() > 0;
        var count = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var row = data.Offset + i;
            if (hasNulls && !BitUtility.GetBit(validity, row))
            {
                continue;
            }

            var low = words[2 * row];
            var high = words[(2 * row) + 1];
            if (low is < int.MinValue or > int.MaxValue || high != (low >> 63))
            {
                throw OutOfRange(column, row);
            }

            destination[count++] = (int)low;
        }

        return count;
    }

    private static int NarrowDecimals64(ParquetColumn column, ArrayData data, Span<long> destination)
    {
        var words = MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span);
        var validity = data.Buffers[0].Span;
        var hasNulls = data.GetNullCount() > 0;
        var count = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var row = data.Offset + i;
            if (hasNulls && !BitUtility.GetBit(validity, row))
            {
                continue;
            }

            var low = words[2 * row];
            if (words[(2 * row) + 1] != (low >> 63))
            {
                throw OutOfRange(column, row);
            }

            destination[count++] = low;
        }

        return count;
    }

    private static int DecimalsToBigEndian(ParquetColumn column, ArrayData data, Span<Guid> destination)
    {
        var values = data.Buffers[1].Span;
        var validity = data.Buffers[0].Span;
        var hasNulls = data.GetNullCount() > 0;
        Span<byte> bigEndian = stackalloc byte[16];
        var count = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var row = data.Offset + i;
            if (hasNulls && !BitUtility.GetBit(validity, row))
            {
                continue;
            }

            var value = BinaryPrimitives.ReadInt128LittleEndian(values.Slice(16 * row, 16));
            BinaryPrimitives.WriteInt128BigEndian(bigEndian, value);
            destination[count++] = new Guid(bigEndian, bigEndian: true);
        }

        return count;
    }

    /// <summary>Scales a stored timestamp to the unit written (seconds to milliseconds); both engines call it, so
    /// they reject the same values with the same error.</summary>
    internal static long ScaleTimestamp(ParquetColumn column, long value)
    {
        // The 128-bit product fits in 64 bits when its high half is the sign extension of its low half.
        var high = Math.BigMul(value, column.TimestampScale, out var low);
        if (high != (low >> 63))
        {
            throw new DataFormatException("Parquet writer", null, column.Name, $"the timestamp {value} s is out of range");
        }

        return low;
    }

    internal static DataFormatException OutOfRange(ParquetColumn column, int row)
        => new("Parquet writer", row + 1L, column.Name, $"the decimal value does not fit {SchemaText.Describe(column.ArrowField.DataType)}");

    internal static int CountNulls(ParquetColumn column, List<ArrayData> parts)
    {
        var nulls = 0;
        foreach (var data in parts)
        {
            nulls += data.GetNullCount();
        }

        if (nulls > 0 && !column.ArrowField.IsNullable)
        {
            throw new DataFormatException("Parquet writer", null, column.Name, $"the column is declared non-nullable but has {nulls} null value(s)");
        }

        return nulls;
    }

    private ReadOnlyMemory<int> BuildDefinitionLevels(List<ArrayData> parts, int rows)
    {
        var levels = Scratch.RentLevels(rows);
        var position = 0;
        foreach (var data in parts)
        {
            var target = levels.AsSpan(position, data.Length);
            if (data.GetNullCount() == 0)
            {
                target.Fill(1);
            }
            else
            {
                var validity = data.Buffers[0].Span;
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = BitUtility.GetBit(validity, data.Offset + i) ? 1 : 0;
                }
            }

            position += data.Length;
        }

        return levels.AsMemory(0, rows);
    }
}
