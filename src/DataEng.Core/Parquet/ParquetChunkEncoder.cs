using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core.ParquetFormat;

/// <summary>What the footer says about one encoded column chunk; offsets are relative to the chunk's first byte until
/// the writer places the chunk in the file.</summary>
internal sealed class ParquetChunkMeta
{
    public int PhysicalType { get; init; }

    public bool Dictionary { get; init; }

    public bool Levels { get; init; }

    public int Codec { get; init; }

    public long ValueCount { get; init; }

    public long UncompressedSize { get; set; }

    public long CompressedSize { get; set; }

    public long DataPageOffset { get; set; }

    public long? DictionaryPageOffset { get; set; }

    public long NullCount { get; init; }

    public byte[]? Min { get; set; }

    public byte[]? Max { get; set; }
}

/// <summary>
/// Encodes one column chunk of a row group (the builtin engine of <see cref="ArrowParquetWriter"/>) from Arrow arrays
/// into a buffer of page headers and compressed pages: v1 data pages of about <see cref="PageSize"/> uncompressed bytes,
/// RLE/bit-packed definition levels, PLAIN values read straight from the Arrow buffers, or a PLAIN dictionary page and
/// RLE_DICTIONARY indices (byte-array and fixed-width columns, see <see cref="SupportsDictionary"/>). Every buffer is
/// pooled and kept across chunks, so steady-state encoding allocates nothing but the chunk's statistics. Not
/// thread-safe; one instance per concurrent chunk.
/// </summary>
internal sealed partial class ParquetChunkEncoder : IDisposable
{
    /// <summary>The uncompressed size at which a data page is closed.</summary>
    public const int PageSize = 1 << 20;

    /// <summary>The dictionary size (PLAIN bytes) beyond which a chunk falls back to PLAIN.</summary>
    public const int MaxDictionaryBytes = 2 << 20;

    /// <summary>The longest string or binary minimum/maximum kept in the statistics.</summary>
    private const int MaxStatisticsLength = 4096;


    private readonly ThriftCompactWriter _thrift = new();
    private byte[] _values = [];
    private byte[] _levels = [];
    private byte[] _page = [];
    private byte[] _compressed = [];
    private byte[] _output = [];
    private int[] _indices = [];
    private readonly ByteKeyTable _byteKeys = new(512);
    private byte[] _dictionary = [];
    private ZstdSharp.Compressor? _zstd;
    private int _zstdLevel;
    private MemoryStream? _gzip;

    private int _valuesLength;
    private int _pageRows;
    private int _outputLength;
    private int _dictionaryLength;
    private int _entryCount;
    private int _indexPosition;
    private long _uncompressed;
    private long _compressedTotal;
    private ParquetCompression _codec;
    private CompressionLevel _level;

    // Statistics: fixed-width minimum and maximum as raw bits of the stored type, byte arrays as slices of Arrow data.
    private Int128 _min;
    private Int128 _max;
    private bool _hasMinMax;
    private ReadOnlyMemory<byte> _minBytes;
    private ReadOnlyMemory<byte> _maxBytes;

    /// <summary>Gets the encoded chunk: page headers and pages, ready to be written at the chunk's offset.</summary>
    public ReadOnlyMemory<byte> Output => _output.AsMemory(0, _outputLength);

    /// <summary>Encodes the rows of <paramref name="parts"/> (in order) as one column chunk into <see cref="Output"/>.</summary>
    /// <param name="column">The column.</param>
    /// <param name="parts">The column's arrays, one per buffered batch slice.</param>
    /// <param name="rows">The total number of rows.</param>
    /// <param name="dictionary">Whether to try dictionary encoding (columns whose kind <see cref="SupportsDictionary"/>);
    /// the chunk is written PLAIN when its dictionary would exceed <see cref="MaxDictionaryBytes"/>.</param>
    /// <param name="codec">The compression codec.</param>
    /// <param name="level">The compression level.</param>
    /// <returns>The chunk's metadata, offsets relative to the start of <see cref="Output"/>.</returns>
    /// <exception cref="DataFormatException">A non-nullable column contains nulls, or a value does not fit.</exception>
    public ParquetChunkMeta Encode(ParquetColumn column, List<ArrayData> parts, int rows, bool dictionary, ParquetCompression codec, CompressionLevel level)
    {
        var nulls = ArrowParquetWriter.CountNulls(column, parts);
        _codec = codec;
        _level = level;
        _outputLength = 0;
        _uncompressed = 0;
        _compressedTotal = 0;
        _hasMinMax = false;
        _minBytes = _maxBytes = default;
        var variable = column.Kind is ParquetColumnKind.String or ParquetColumnKind.Binary;
        var useDictionary = dictionary && SupportsDictionary(column.Kind) && rows - nulls > 0
            && (variable ? TryBuildDictionary(parts, rows - nulls) : TryBuildFixedDictionary(column, parts, rows - nulls));
        var meta = new ParquetChunkMeta
        {
            PhysicalType = PhysicalType(column),
            Dictionary = useDictionary,
            Levels = column.ArrowField.IsNullable,
            Codec = CodecId(codec),
            ValueCount = rows,
            NullCount = nulls,
        };

        if (useDictionary)
        {
            meta.DictionaryPageOffset = 0;
            AppendPage(ParquetPageType.DictionaryPage, _dictionary.AsSpan(0, _dictionaryLength), _entryCount, ParquetEncoding.Plain);
            meta.DataPageOffset = _outputLength;
            if (variable)
            {
                DictionaryStatistics();
            }

            _indexPosition = 0;
            var width = BitWidth(_entryCount);
            WritePages(column, parts, Math.Max(8, (int)Math.Min(int.MaxValue / 2, PageSize * 8L / width)), 0, indices: true);
        }
        else
        {
            meta.DataPageOffset = 0;
            var width = ValueWidth(column);
            var pageRows = width switch
            {
                0 => int.MaxValue / 2,
                -1 => PageSize * 8,
                _ => Math.Max(1, PageSize / width),
            };
            WritePages(column, parts, pageRows, width, indices: false);
        }

        meta.UncompressedSize = _uncompressed;
        meta.CompressedSize = _compressedTotal;
        FinishStatistics(column, meta);
        return meta;
    }

    public void Dispose()
    {
        Return(ref _values);
        Return(ref _levels);
        Return(ref _page);
        Return(ref _compressed);
        Return(ref _output);
        Return(ref _dictionary);
        ReturnInts(ref _indices);
        _byteKeys.Dispose();
        _fixedKeys.Dispose();
        ReturnInts(ref _direct);
        _thrift.Dispose();
        _zstd?.Dispose();
        _zstd = null;
        _gzip?.Dispose();
        _gzip = null;
    }

    /// <summary>The Parquet physical type (parquet.thrift <c>Type</c>) of a column.</summary>
    public static int PhysicalType(ParquetColumn column) => column.Kind switch
    {
        ParquetColumnKind.Boolean => ParquetPhysicalType.Boolean,
        ParquetColumnKind.Int64 or ParquetColumnKind.UInt64 or ParquetColumnKind.DecimalInt64 or ParquetColumnKind.Timestamp => ParquetPhysicalType.Int64,
        ParquetColumnKind.Float => ParquetPhysicalType.Float,
        ParquetColumnKind.Double => ParquetPhysicalType.Double,
        ParquetColumnKind.String or ParquetColumnKind.Binary => ParquetPhysicalType.ByteArray,
        ParquetColumnKind.DecimalBytes => ParquetPhysicalType.FixedLenByteArray,
        _ => ParquetPhysicalType.Int32,
    };

    /// <summary>The parquet.thrift <c>CompressionCodec</c> of a codec.</summary>
    public static int CodecId(ParquetCompression codec) => codec switch
    {
        ParquetCompression.Snappy => ParquetCodec.Snappy,
        ParquetCompression.Gzip => ParquetCodec.Gzip,
        ParquetCompression.Zstd => ParquetCodec.Zstd,
        ParquetCompression.Lz4 => ParquetCodec.Lz4Raw,
        _ => ParquetCodec.Uncompressed,
    };

    /// <summary>Bytes per stored value: the physical width, 0 for byte arrays, -1 for bit-packed booleans.</summary>
    internal static int ValueWidth(ParquetColumn column) => column.Kind switch
    {
        ParquetColumnKind.Boolean => -1,
        ParquetColumnKind.String or ParquetColumnKind.Binary => 0,
        ParquetColumnKind.DecimalBytes => 16,
        _ => PhysicalType(column) is ParquetPhysicalType.Int64 or ParquetPhysicalType.Double ? 8 : 4,
    };

    private static int BitWidth(int entries) => Math.Max(1, 32 - BitOperations.LeadingZeroCount((uint)(entries - 1)));

    /// <summary>Splits the rows into data pages of at most <paramref name="pageRows"/> rows (and about
    /// <see cref="PageSize"/> value bytes), appending levels and values segment by segment.</summary>
    private void WritePages(ParquetColumn column, List<ArrayData> parts, int pageRows, int width, bool indices)
    {
        var nullable = column.ArrowField.IsNullable;
        _pageRows = 0;
        _valuesLength = 0;
        var pageNonNull = 0;
        foreach (var data in parts)
        {
            var position = 0;
            while (position < data.Length)
            {
                var take = Math.Min(data.Length - position, pageRows - _pageRows);
                long bytes;
                if (indices)
                {
                    bytes = 0;
                }
                else if (width > 0)
                {
                    take = Math.Min(take, Math.Max(1, (PageSize - _valuesLength) / width));
                    bytes = (long)take * width;
                }
                else if (width < 0)
                {
                    bytes = (take + 7) / 8 + 1;
                }
                else
                {
                    take = VariableTake(data, position, take, PageSize - _valuesLength, out bytes);
                }

                EnsureValues(_valuesLength + bytes + ((_pageRows + take) / 8) + 16);
                int nonNull;
                if (nullable)
                {
                    nonNull = AppendLevels(data, position, take);
                }
                else
                {
                    nonNull = take;
                }

                if (!indices)
                {
                    AppendValues(column, data, position, take, pageNonNull);
                }

                pageNonNull += nonNull;
                _pageRows += take;
                position += take;
                if (_pageRows >= pageRows || (!indices && _valuesLength >= PageSize))
                {
                    FlushDataPage(nullable, indices, pageNonNull);
                    pageNonNull = 0;
                }
            }
        }

        if (_pageRows > 0)
        {
            FlushDataPage(nullable, indices, pageNonNull);
        }
    }

    /// <summary>How many rows from <paramref name="position"/> fit the page budget (at least one).</summary>
    private static int VariableTake(ArrayData data, int position, int limit, int budget, out long bytes)
    {
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
        var first = data.Offset + position;
        var take = 0;
        bytes = 0;
        while (take < limit)
        {
            var length = offsets[first + take + 1] - offsets[first + take] + 4L;
            if (take > 0 && bytes + length > budget)
            {
                break;
            }

            bytes += length;
            take++;
        }

        return take;
    }

    /// <summary>Copies the validity bits of a segment after the page's previous levels; returns the valid count.</summary>
    private int AppendLevels(ArrayData data, int position, int count)
    {
        var needed = ((_pageRows + count + 7) >> 3) + 8;
        if (_levels.Length < needed)
        {
            Grow(ref _levels, needed, (_pageRows + 7) >> 3);
        }

        var target = _levels.AsSpan();
        var start = _pageRows;
        if (data.GetNullCount() == 0)
        {
            SetBits(target, start, count);
            return count;
        }

        var validity = data.Buffers[0].Span;
        var source = data.Offset + position;
        var valid = 0;
        if ((start & 7) == 0 && (source & 7) == 0)
        {
            var whole = count >> 3;
            validity.Slice(source >> 3, whole).CopyTo(target[(start >> 3)..]);
            for (var i = 0; i < whole; i++)
            {
                valid += BitOperations.PopCount(validity[(source >> 3) + i]);
            }

            for (var i = whole << 3; i < count; i++)
            {
                valid += CopyBit(validity, source + i, target, start + i);
            }

            return valid;
        }

        for (var i = 0; i < count; i++)
        {
            valid += CopyBit(validity, source + i, target, start + i);
        }

        return valid;
    }

    private static int CopyBit(ReadOnlySpan<byte> source, int from, Span<byte> target, int to)
    {
        var bit = (source[from >> 3] >> (from & 7)) & 1;
        var mask = (byte)(1 << (to & 7));
        target[to >> 3] = bit != 0 ? (byte)(target[to >> 3] | mask) : (byte)(target[to >> 3] & ~mask);
        return bit;
    }

    private static void SetBits(Span<byte> target, int start, int count)
    {
        var i = start;
        var end = start + count;
        while (i < end && (i & 7) != 0)
        {
            target[i >> 3] |= (byte)(1 << (i & 7));
            i++;
        }

        var wholeBytes = (end - i) >> 3;
        target.Slice(i >> 3, wholeBytes).Fill(0xFF);
        i += wholeBytes << 3;
        if (i < end)
        {
            target[i >> 3] = 0;
        }

        while (i < end)
        {
            target[i >> 3] |= (byte)(1 << (i & 7));
            i++;
        }
    }

    private void AppendValues(ParquetColumn column, ArrayData data, int position, int count, int written)
    {
        switch (column.Kind)
        {
            case ParquetColumnKind.Int8:
                AppendFixed<sbyte, int, Widen8>(column, data, position, count);
                break;
            case ParquetColumnKind.UInt8:
                AppendFixed<byte, int, WidenU8>(column, data, position, count);
                break;
            case ParquetColumnKind.Int16:
                AppendFixed<short, int, Widen16>(column, data, position, count);
                break;
            case ParquetColumnKind.UInt16:
                AppendFixed<ushort, int, WidenU16>(column, data, position, count);
                break;
            case ParquetColumnKind.Int32 or ParquetColumnKind.Date32:
                AppendFixed<int, int, Same<int>>(column, data, position, count);
                break;
            case ParquetColumnKind.UInt32:
                AppendFixed<uint, uint, Same<uint>>(column, data, position, count);
                break;
            case ParquetColumnKind.Int64:
                AppendFixed<long, long, Same<long>>(column, data, position, count);
                break;
            case ParquetColumnKind.UInt64:
                AppendFixed<ulong, ulong, Same<ulong>>(column, data, position, count);
                break;
            case ParquetColumnKind.Float:
                AppendFixed<float, float, Same<float>>(column, data, position, count);
                break;
            case ParquetColumnKind.Double:
                AppendFixed<double, double, Same<double>>(column, data, position, count);
                break;
            case ParquetColumnKind.Timestamp when column.TimestampScale == 1:
                AppendFixed<long, long, Same<long>>(column, data, position, count);
                break;
            case ParquetColumnKind.Timestamp:
                AppendFixed<long, long, SecondsToMillis>(column, data, position, count);
                break;
            case ParquetColumnKind.DecimalInt32:
                AppendFixed<Int128, int, Narrow32>(column, data, position, count);
                break;
            case ParquetColumnKind.DecimalInt64:
                AppendFixed<Int128, long, Narrow64>(column, data, position, count);
                break;
            case ParquetColumnKind.DecimalBytes:
                AppendDecimalBytes(data, position, count);
                break;
            case ParquetColumnKind.Boolean:
                AppendBooleans(data, position, count, written);
                break;
            case ParquetColumnKind.String or ParquetColumnKind.Binary:
                AppendByteArrays(data, position, count);
                break;
            default:
                throw new InvalidOperationException($"Unexpected column kind {column.Kind}.");
        }
    }

    private void AppendFixed<TIn, TOut, TConvert>(ParquetColumn column, ArrayData data, int position, int count)
        where TIn : unmanaged
        where TOut : unmanaged, INumber<TOut>
        where TConvert : IConvert<TIn, TOut>
    {
        var values = MemoryMarshal.Cast<byte, TIn>(data.Buffers[1].Span).Slice(data.Offset + position, count);
        var output = MemoryMarshal.Cast<byte, TOut>(_values.AsSpan(_valuesLength));
        ref var min = ref Unsafe.As<Int128, TOut>(ref _min);
        ref var max = ref Unsafe.As<Int128, TOut>(ref _max);
        var has = _hasMinMax;
        var localMin = has ? min : default;
        var localMax = has ? max : default;
        var n = 0;
        if (data.GetNullCount() == 0)
        {
            for (var i = 0; i < values.Length; i++)
            {
                var value = TConvert.Convert(values[i], column, data.Offset + position + i);
                output[i] = value;
                Track(value, ref localMin, ref localMax, ref has);
            }

            n = values.Length;
        }
        else
        {
            var validity = data.Buffers[0].Span;
            var first = data.Offset + position;
            for (var i = 0; i < values.Length; i++)
            {
                if (BitUtility.GetBit(validity, first + i))
                {
                    var value = TConvert.Convert(values[i], column, first + i);
                    output[n++] = value;
                    Track(value, ref localMin, ref localMax, ref has);
                }
            }
        }

        min = localMin;
        max = localMax;
        _hasMinMax = has;
        _valuesLength += n * Unsafe.SizeOf<TOut>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Track<T>(T value, ref T min, ref T max, ref bool has)
        where T : INumber<T>
    {
        if (T.IsNaN(value))
        {
            // A chunk holding NaN gets no min/max (as DuckDB's writer): readers order NaN differently (DuckDB above
            // every number), so bounds that leave it out let them skip row groups that match. NaN is kept as the
            // minimum, where no later value replaces it (every comparison with NaN is false), and
            // FinishStatistics drops the bounds.
            min = value;
            has = true;
            return;
        }

        if (!has)
        {
            min = max = value;
            has = true;
        }
        else if (value < min)
        {
            min = value;
        }
        else if (value > max)
        {
            max = value;
        }
    }

    private void AppendDecimalBytes(ArrayData data, int position, int count)
    {
        var values = MemoryMarshal.Cast<byte, Int128>(data.Buffers[1].Span).Slice(data.Offset + position, count);
        var output = _values.AsSpan(_valuesLength);
        var hasNulls = data.GetNullCount() > 0;
        var validity = data.Buffers[0].Span;
        var first = data.Offset + position;
        var n = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (hasNulls && !BitUtility.GetBit(validity, first + i))
            {
                continue;
            }

            var value = values[i];
            BinaryPrimitives.WriteInt128BigEndian(output.Slice(16 * n++, 16), value);
            Track(value, ref _min, ref _max, ref _hasMinMax);
        }

        _valuesLength += 16 * n;
    }

    private void AppendBooleans(ArrayData data, int position, int count, int written)
    {
        // PLAIN booleans are bit-packed LSB first, continuing from the page's previous values.
        var bits = data.Buffers[1].Span;
        var validity = data.Buffers[0].Span;
        var hasNulls = data.GetNullCount() > 0;
        var first = data.Offset + position;
        var target = _values.AsSpan();
        var n = written;
        ref var min = ref Unsafe.As<Int128, int>(ref _min);
        ref var max = ref Unsafe.As<Int128, int>(ref _max);
        for (var i = 0; i < count; i++)
        {
            if (hasNulls && !BitUtility.GetBit(validity, first + i))
            {
                continue;
            }

            var bit = CopyBit(bits, first + i, target, n++);
            Track(bit, ref min, ref max, ref _hasMinMax);
        }

        _valuesLength = (n + 7) >> 3;
    }

    private void AppendByteArrays(ArrayData data, int position, int count)
    {
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
        var memory = data.Buffers[2].Memory;
        var bytes = memory.Span;
        var validity = data.Buffers[0].Span;
        var hasNulls = data.GetNullCount() > 0;
        var first = data.Offset + position;
        var output = _values.AsSpan();
        var length = _valuesLength;
        var minBytes = _minBytes;
        var maxBytes = _maxBytes;
        var has = _hasMinMax;
        for (var i = 0; i < count; i++)
        {
            var row = first + i;
            if (hasNulls && !BitUtility.GetBit(validity, row))
            {
                continue;
            }

            var start = offsets[row];
            var value = bytes[start..offsets[row + 1]];
            BinaryPrimitives.WriteInt32LittleEndian(output.Slice(length, 4), value.Length);
            value.CopyTo(output[(length + 4)..]);
            length += 4 + value.Length;
            if (!has)
            {
                minBytes = maxBytes = memory.Slice(start, value.Length);
                has = true;
            }
            else if (value.SequenceCompareTo(minBytes.Span) < 0)
            {
                minBytes = memory.Slice(start, value.Length);
            }
            else if (value.SequenceCompareTo(maxBytes.Span) > 0)
            {
                maxBytes = memory.Slice(start, value.Length);
            }
        }

        _valuesLength = length;
        _minBytes = minBytes;
        _maxBytes = maxBytes;
        _hasMinMax = has;
    }

    private void FlushDataPage(bool nullable, bool indices, int nonNull)
    {
        var rows = _pageRows;
        if (indices)
        {
            EncodeIndices(nonNull);
        }

        var levelBytes = nullable ? 4 + 10 + ((rows + 7) >> 3) : 0;
        Ensure(ref _page, levelBytes + _valuesLength);
        var page = _page.AsSpan();
        var length = 0;
        if (nullable)
        {
            length = 4;
            if (nonNull == rows || nonNull == 0)
            {
                length += RleBitPackedEncoder.WriteVarint(page[length..], (uint)rows << 1);
                page[length++] = nonNull == 0 ? (byte)0 : (byte)1;
            }
            else
            {
                var groups = (rows + 7) >> 3;
                length += RleBitPackedEncoder.WriteVarint(page[length..], ((uint)groups << 1) | 1);
                _levels.AsSpan(0, groups).CopyTo(page[length..]);
                if ((rows & 7) != 0)
                {
                    // Clear the padding bits after the last level.
                    page[length + groups - 1] &= (byte)((1 << (rows & 7)) - 1);
                }

                length += groups;
            }

            BinaryPrimitives.WriteInt32LittleEndian(page, length - 4);
        }

        _values.AsSpan(0, _valuesLength).CopyTo(page[length..]);
        length += _valuesLength;
        AppendPage(ParquetPageType.DataPage, page[..length], rows, indices ? ParquetEncoding.RleDictionary : ParquetEncoding.Plain);
        _pageRows = 0;
        _valuesLength = 0;
    }

    /// <summary>Writes a page header and the (compressed) page body to the output.</summary>
    private void AppendPage(int type, ReadOnlySpan<byte> body, int valueCount, int encoding)
    {
        ReadOnlySpan<byte> stored = body;
        if (_codec != ParquetCompression.None)
        {
            stored = Compress(body);
        }

        var thrift = _thrift;
        thrift.Reset();
        thrift.BeginStruct();
        thrift.FieldI32(ParquetThrift.PageHeader.Type, type);
        thrift.FieldI32(ParquetThrift.PageHeader.UncompressedPageSize, body.Length);
        thrift.FieldI32(ParquetThrift.PageHeader.CompressedPageSize, stored.Length);
        if (type == ParquetPageType.DictionaryPage)
        {
            thrift.FieldStruct(ParquetThrift.PageHeader.DictionaryPageHeader);
            thrift.BeginStruct();
            thrift.FieldI32(ParquetThrift.DictionaryPageHeader.NumValues, valueCount);
            thrift.FieldI32(ParquetThrift.DictionaryPageHeader.Encoding, encoding);
            thrift.EndStruct();
        }
        else
        {
            thrift.FieldStruct(ParquetThrift.PageHeader.DataPageHeader);
            thrift.BeginStruct();
            thrift.FieldI32(ParquetThrift.DataPageHeader.NumValues, valueCount);
            thrift.FieldI32(ParquetThrift.DataPageHeader.Encoding, encoding);
            thrift.FieldI32(ParquetThrift.DataPageHeader.DefinitionLevelEncoding, ParquetEncoding.Rle);
            thrift.FieldI32(ParquetThrift.DataPageHeader.RepetitionLevelEncoding, ParquetEncoding.Rle);
            thrift.EndStruct();
        }

        thrift.EndStruct();
        var header = thrift.Written;
        var needed = _outputLength + header.Length + stored.Length;
        if (_output.Length < needed)
        {
            Grow(ref _output, Math.Max(needed, _output.Length + (_output.Length >> 1)), _outputLength);
        }

        header.CopyTo(_output.AsSpan(_outputLength));
        _outputLength += header.Length;
        stored.CopyTo(_output.AsSpan(_outputLength));
        _outputLength += stored.Length;
        _uncompressed += header.Length + body.Length;
        _compressedTotal += header.Length + stored.Length;
    }

    private ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> body)
    {
        switch (_codec)
        {
            case ParquetCompression.Snappy:
                Ensure(ref _compressed, Snappier.Snappy.GetMaxCompressedLength(body.Length));
                return _compressed.AsSpan(0, Snappier.Snappy.Compress(body, _compressed));
            case ParquetCompression.Zstd:
                var level = _level switch
                {
                    CompressionLevel.SmallestSize => 19,
                    CompressionLevel.Optimal => 3,
                    _ => 1,
                };
                if (_zstd is null || _zstdLevel != level)
                {
                    _zstd?.Dispose();
                    _zstd = new ZstdSharp.Compressor(level);
                    _zstdLevel = level;
                }

                Ensure(ref _compressed, ZstdSharp.Compressor.GetCompressBound(body.Length));
                return _compressed.AsSpan(0, _zstd.Wrap(body, _compressed));
            case ParquetCompression.Lz4:
                Ensure(ref _compressed, K4os.Compression.LZ4.LZ4Codec.MaximumOutputSize(body.Length));
                var lz4Level = _level == CompressionLevel.SmallestSize ? K4os.Compression.LZ4.LZ4Level.L09_HC : K4os.Compression.LZ4.LZ4Level.L00_FAST;
                var written = K4os.Compression.LZ4.LZ4Codec.Encode(body, _compressed, lz4Level);
                if (written < 0)
                {
                    throw new InvalidOperationException("LZ4 compression failed.");
                }

                return _compressed.AsSpan(0, written);
            case ParquetCompression.Gzip:
                var buffer = _gzip ??= new MemoryStream();
                buffer.SetLength(0);
                using (var gzip = new GZipStream(buffer, _level, leaveOpen: true))
                {
                    gzip.Write(body);
                }

                return buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            default:
                return body;
        }
    }

    /// <summary>Builds the dictionary of the chunk's non-null values (the shared byte-key table, whose arena is the
    /// PLAIN dictionary page) and the index of every value; <see langword="false"/> when the dictionary grows past
    /// <see cref="MaxDictionaryBytes"/>.</summary>
    private bool TryBuildDictionary(List<ArrayData> parts, int values)
    {
        EnsureInts(ref _indices, values);
        var table = _byteKeys;
        table.Clear();
        _entryCount = 0;
        _dictionaryLength = 0;
        var count = 0;
        foreach (var data in parts)
        {
            var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
            var bytes = data.Buffers[2].Span;
            var validity = data.Buffers[0].Span;
            var hasNulls = data.GetNullCount() > 0;
            for (var i = 0; i < data.Length; i++)
            {
                var row = data.Offset + i;
                if (hasNulls && !BitUtility.GetBit(validity, row))
                {
                    continue;
                }

                var entry = table.GetOrAdd(bytes[offsets[row]..offsets[row + 1]], out var added);
                if (added && table.KeyDataLength > MaxDictionaryBytes)
                {
                    return false;
                }

                _indices[count++] = entry;
            }
        }

        _entryCount = table.Count;
        _dictionaryLength = table.KeyDataLength;
        Ensure(ref _dictionary, _dictionaryLength);
        table.KeyData.CopyTo(_dictionary);
        return true;
    }

    private ReadOnlySpan<byte> EntryBytes(int entry) => _byteKeys.GetKey(entry);

    /// <summary>Writes the page's dictionary indices (bit width byte, then RLE/bit-packed hybrid runs) as its values.</summary>
    private void EncodeIndices(int count)
    {
        var width = BitWidth(_entryCount);
        var indices = _indices.AsSpan(_indexPosition, count);
        _indexPosition += count;
        Ensure(ref _values, 1 + RleBitPackedEncoder.MaxEncodedLength(count, width));
        _values[0] = (byte)width;
        _valuesLength = 1 + RleBitPackedEncoder.Encode(indices, width, _values.AsSpan(1));
    }

    private void DictionaryStatistics()
    {
        // The extremes of a chunk are among its dictionary entries: a pass over them, not over every value.
        if (_entryCount == 0)
        {
            return;
        }

        var minEntry = 0;
        var maxEntry = 0;
        for (var entry = 1; entry < _entryCount; entry++)
        {
            var value = EntryBytes(entry);
            if (value.SequenceCompareTo(EntryBytes(minEntry)) < 0)
            {
                minEntry = entry;
            }
            else if (value.SequenceCompareTo(EntryBytes(maxEntry)) > 0)
            {
                maxEntry = entry;
            }
        }

        _minBytes = EntryBytes(minEntry).ToArray();
        _maxBytes = EntryBytes(maxEntry).ToArray();
        _hasMinMax = true;
    }

    private void FinishStatistics(ParquetColumn column, ParquetChunkMeta meta)
    {
        if (!_hasMinMax)
        {
            return;
        }

        switch (column.Kind)
        {
            case ParquetColumnKind.String or ParquetColumnKind.Binary:
                if (_minBytes.Length <= MaxStatisticsLength && _maxBytes.Length <= MaxStatisticsLength)
                {
                    meta.Min = _minBytes.ToArray();
                    meta.Max = _maxBytes.ToArray();
                }

                break;
            case ParquetColumnKind.Boolean:
                meta.Min = [(byte)Unsafe.As<Int128, int>(ref _min)];
                meta.Max = [(byte)Unsafe.As<Int128, int>(ref _max)];
                break;
            case ParquetColumnKind.DecimalBytes:
                meta.Min = new byte[16];
                meta.Max = new byte[16];
                BinaryPrimitives.WriteInt128BigEndian(meta.Min, _min);
                BinaryPrimitives.WriteInt128BigEndian(meta.Max, _max);
                break;
            case ParquetColumnKind.Float when float.IsNaN(Unsafe.As<Int128, float>(ref _min)):
            case ParquetColumnKind.Double when double.IsNaN(Unsafe.As<Int128, double>(ref _min)):
                break;
            case ParquetColumnKind.Float:
                // Zeros: the minimum is written as -0 and the maximum as +0, whichever sign was seen (parquet.thrift).
                var minFloat = Unsafe.As<Int128, float>(ref _min);
                var maxFloat = Unsafe.As<Int128, float>(ref _max);
                meta.Min = BitConverter.GetBytes(minFloat == 0 ? -0f : minFloat);
                meta.Max = BitConverter.GetBytes(maxFloat == 0 ? 0f : maxFloat);
                break;
            case ParquetColumnKind.Double:
                var minDouble = Unsafe.As<Int128, double>(ref _min);
                var maxDouble = Unsafe.As<Int128, double>(ref _max);
                meta.Min = BitConverter.GetBytes(minDouble == 0 ? -0d : minDouble);
                meta.Max = BitConverter.GetBytes(maxDouble == 0 ? 0d : maxDouble);
                break;
            default:
                var width = meta.PhysicalType == ParquetPhysicalType.Int64 ? 8 : 4;
                meta.Min = MemoryMarshal.AsBytes(new ReadOnlySpan<Int128>(in _min))[..width].ToArray();
                meta.Max = MemoryMarshal.AsBytes(new ReadOnlySpan<Int128>(in _max))[..width].ToArray();
                break;
        }
    }

    private void EnsureValues(long needed)
    {
        if (needed > System.Array.MaxLength)
        {
            throw new InvalidOperationException("A Parquet page would exceed the largest array.");
        }

        if (_values.Length < needed)
        {
            Grow(ref _values, (int)Math.Max(needed, Math.Min(System.Array.MaxLength, _values.Length * 2L)), _valuesLength);
        }
    }

    private static void Ensure(ref byte[] buffer, int needed)
    {
        if (buffer.Length < needed)
        {
            Grow(ref buffer, needed, 0);
        }
    }

    private static void Grow(ref byte[] buffer, int needed, int keep)
    {
        var larger = ArrayPool<byte>.Shared.Rent(needed);
        buffer.AsSpan(0, keep).CopyTo(larger);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        buffer = larger;
    }

    private static void EnsureInts(ref int[] buffer, int needed)
    {
        if (buffer.Length < needed)
        {
            GrowInts(ref buffer, needed, 0);
        }
    }

    private static void GrowInts(ref int[] buffer, int needed, int keep)
    {
        var larger = ArrayPool<int>.Shared.Rent(needed);
        buffer.AsSpan(0, keep).CopyTo(larger);
        if (buffer.Length > 0)
        {
            ArrayPool<int>.Shared.Return(buffer);
        }

        buffer = larger;
    }

    private static void Return(ref byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        buffer = [];
    }

    private static void ReturnInts(ref int[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<int>.Shared.Return(buffer);
        }

        buffer = [];
    }

    /// <summary>Converts an Arrow value to the stored one; <c>row</c> names the value in errors.</summary>
    private interface IConvert<TIn, TOut>
    {
        static abstract TOut Convert(TIn value, ParquetColumn column, int row);
    }

    private readonly struct Same<T> : IConvert<T, T>
    {
        public static T Convert(T value, ParquetColumn column, int row) => value;
    }

    private readonly struct Widen8 : IConvert<sbyte, int>
    {
        public static int Convert(sbyte value, ParquetColumn column, int row) => value;
    }

    private readonly struct WidenU8 : IConvert<byte, int>
    {
        public static int Convert(byte value, ParquetColumn column, int row) => value;
    }

    private readonly struct Widen16 : IConvert<short, int>
    {
        public static int Convert(short value, ParquetColumn column, int row) => value;
    }

    private readonly struct WidenU16 : IConvert<ushort, int>
    {
        public static int Convert(ushort value, ParquetColumn column, int row) => value;
    }

    private readonly struct SecondsToMillis : IConvert<long, long>
    {
        public static long Convert(long value, ParquetColumn column, int row) => ArrowParquetWriter.ScaleTimestamp(column, value);
    }

    private readonly struct Narrow32 : IConvert<Int128, int>
    {
        public static int Convert(Int128 value, ParquetColumn column, int row)
            => value >= int.MinValue && value <= int.MaxValue ? (int)value : throw ArrowParquetWriter.OutOfRange(column, row);
    }

    private readonly struct Narrow64 : IConvert<Int128, long>
    {
        public static long Convert(Int128 value, ParquetColumn column, int row)
            => value >= long.MinValue && value <= long.MaxValue ? (long)value : throw ArrowParquetWriter.OutOfRange(column, row);
    }
}
