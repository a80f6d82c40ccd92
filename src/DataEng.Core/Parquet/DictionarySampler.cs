using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core.ParquetFormat;

/// <summary>
/// Decides, row group by row group, whether a column chunk is dictionary encoded when
/// <see cref="ParquetWriteOptions.AutoDictionary"/> is on, from a sample of the rows waiting to be written: no
/// dictionary is built just to be thrown away. One instance per writer (it reuses its sample buffers); not thread-safe.
/// </summary>
internal sealed class DictionarySampler
{
    /// <summary>The most rows sampled from one row group.</summary>
    public const int SampleSize = 4096;

    /// <summary>The fewest repeats in a fixed-width sample from which the dictionary size is estimated.</summary>
    private const int MinSampleRepeats = 16;

    private readonly List<(ArrayData Data, int Row)> _rows = [];
    private readonly HashSet<ulong> _keys = [];

    /// <summary>Returns whether a dictionary pays for <paramref name="column"/> in the pending row group.</summary>
    /// <param name="column">A column whose kind <see cref="ParquetChunkEncoder.SupportsDictionary"/>.</param>
    /// <param name="pending">The batches of the row group, in order.</param>
    /// <param name="rows">The rows in <paramref name="pending"/>.</param>
    /// <returns><see langword="true"/> to dictionary-encode the chunk.</returns>
    public bool DictionaryPays(ParquetColumn column, List<RecordBatch> pending, int rows) => column.Kind switch
    {
        ParquetColumnKind.String => LowCardinality(column, pending, rows),
        ParquetColumnKind.Binary => false,
        _ => FixedDictionaryPays(column, pending, rows),
    };

    /// <summary>
    /// Collects up to <see cref="SampleSize"/> rows of a column spread evenly over the pending row group (one every
    /// <c>rows / SampleSize</c>, across batch boundaries; null rows are skipped, not replaced), and counts its non-null
    /// values. Evenly spread rather than the first rows, so a row group whose data is clustered or sorted is judged by
    /// all of it. Both dictionary choices (strings, fixed-width values) sample through this.
    /// </summary>
    private List<(ArrayData Data, int Row)> SampleRows(ParquetColumn column, List<RecordBatch> pending, int rows, out long nonNull)
    {
        _rows.Clear();
        var step = Math.Max(1, rows / SampleSize);
        nonNull = 0;
        long start = 0;
        long next = 0;
        foreach (var batch in pending)
        {
            var data = batch.Column(column.Index).Data;
            nonNull += data.Length - data.GetNullCount();
            var validity = data.Buffers[0].Span;
            var hasNulls = data.GetNullCount() > 0;
            for (; next < start + data.Length && _rows.Count < SampleSize; next += step)
            {
                var row = data.Offset + (int)(next - start);
                if (!hasNulls || BitUtility.GetBit(validity, row))
                {
                    _rows.Add((data, row));
                }
            }

            start += data.Length;
        }

        return _rows;
    }

    /// <summary>A string column has low cardinality when at most one sampled value in ten is distinct.</summary>
    private bool LowCardinality(ParquetColumn column, List<RecordBatch> pending, int pendingRows)
    {
        var rows = SampleRows(column, pending, pendingRows, out _);
        _keys.Clear();
        foreach (var (data, row) in rows)
        {
            var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
            var hash = new HashCode();
            hash.AddBytes(data.Buffers[2].Span[offsets[row]..offsets[row + 1]]);
            _keys.Add((uint)hash.ToHashCode());
        }

        return rows.Count > 0 && _keys.Count * 10 <= rows.Count;
    }

    /// <summary>Samples up to <see cref="SampleSize"/> values spread evenly over the row group and decides
    /// whether a dictionary pays for a fixed-width column: at most one distinct value in ten, or a dictionary page plus
    /// bit-packed indices estimated at most three quarters of the PLAIN values' size, with a dictionary of at most half
    /// of <see cref="ParquetChunkEncoder.MaxDictionaryBytes"/>. When the sample does not cover the row group, the number
    /// of distinct values is estimated from the sample's repeats (birthday-paradox style: about n² / 2r values in the
    /// domain for r repeats among n samples, of which a row group of m rows holds d·(1 − e^(−m/d))). A column of
    /// (nearly) unique values such as a sequential key has no repeats, so it never builds a dictionary to throw away.</summary>
    private bool FixedDictionaryPays(ParquetColumn column, List<RecordBatch> pending, int pendingRows)
    {
        // The width of one Arrow value (decimals are 16-byte decimal128 whatever their stored type).
        var width = column.Kind switch
        {
            ParquetColumnKind.Int8 or ParquetColumnKind.UInt8 => 1,
            ParquetColumnKind.Int16 or ParquetColumnKind.UInt16 => 2,
            ParquetColumnKind.Int32 or ParquetColumnKind.UInt32 or ParquetColumnKind.Date32 or ParquetColumnKind.Float => 4,
            ParquetColumnKind.DecimalInt32 or ParquetColumnKind.DecimalInt64 => 16,
            _ => 8,
        };
        var storedBytes = ParquetChunkEncoder.ValueWidth(column);
        var rows = SampleRows(column, pending, pendingRows, out var nonNull);
        _keys.Clear();
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
            _keys.Add(key);
        }

        var sampled = rows.Count;
        if (sampled == 0)
        {
            return false;
        }

        var distinct = _keys.Count;
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
}
