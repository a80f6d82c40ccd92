using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Parquet.Meta;

namespace DataEng.Core.ParquetFormat;

/// <summary>
/// The reader's own decoder for one flat column chunk held in memory: INT32, INT64, FLOAT, DOUBLE and BYTE_ARRAY
/// values, PLAIN or dictionary encoded (PLAIN_DICTIONARY / RLE_DICTIONARY), optional (RLE definition levels) or
/// required, in v1 and v2 data pages, uncompressed or compressed with Snappy, Gzip or Zstd. It writes straight into
/// the Arrow buffers (values, or offsets + data; validity), skipping Parquet.Net's per-value objects.
/// </summary>
/// <remarks>
/// <para>Every length is checked against the chunk and the page before it is used; allocations are bounded by the page
/// limits the caller gives (each page at most <c>maxPageBytes</c> uncompressed) and by the row count. A problem in
/// the data throws <see cref="InvalidDataException"/>; a feature the decoder does not implement (another encoding
/// found in a page) throws <see cref="NotSupportedException"/>, and the reader falls back to Parquet.Net.</para>
/// <para>An instance keeps its scratch arrays between chunks (one instance per column slot of a reader), so steady
/// reading touches the same memory. Not thread-safe; different instances run concurrently.</para>
/// </remarks>
internal sealed class ParquetChunkDecoder : IDisposable
{
    private byte[] _page = [];
    private byte[] _dictionary = [];
    private int[] _dictionaryOffsets = [];
    private int[] _levels = [];
    private int[] _indices = [];
    private int _dictionaryCount = -1;
    private ZstdSharp.Decompressor? _zstd;

    /// <summary>Whether the decoder handles a column chunk of this physical type, codec and encodings.</summary>
    public static bool Supports(ParquetColumn column, ColumnMetaData chunk)
    {
        var width = PhysicalWidth(column.Kind);
        var expected = width switch
        {
            0 => Parquet.Meta.Type.BYTE_ARRAY,
            4 => column.Kind == ParquetColumnKind.Float ? Parquet.Meta.Type.FLOAT : Parquet.Meta.Type.INT32,
            8 => column.Kind == ParquetColumnKind.Double ? Parquet.Meta.Type.DOUBLE : Parquet.Meta.Type.INT64,
            _ => (Parquet.Meta.Type)(-1),
        };
        if (width < 0 || chunk.Type != expected || chunk.TotalCompressedSize > System.Array.MaxLength || chunk.PathInSchema?.Count != 1)
        {
            return false;
        }

        if (chunk.Codec is not (CompressionCodec.UNCOMPRESSED or CompressionCodec.SNAPPY or CompressionCodec.GZIP or CompressionCodec.ZSTD))
        {
            return false;
        }

        foreach (var encoding in chunk.Encodings ?? [])
        {
            // BIT_PACKED is listed by some writers for the (absent) repetition levels of flat columns.
            if (encoding is not (Encoding.PLAIN or Encoding.PLAIN_DICTIONARY or Encoding.RLE or Encoding.RLE_DICTIONARY or Encoding.BIT_PACKED))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Decodes one column chunk into an Arrow array of <paramref name="rows"/> rows.</summary>
    /// <param name="chunk">The chunk's bytes: its pages, from the first (dictionary or data) page to the end.</param>
    /// <param name="column">The column.</param>
    /// <param name="codec">The chunk's codec.</param>
    /// <param name="rows">The row group's rows.</param>
    /// <param name="maxPageBytes">The largest uncompressed page accepted.</param>
    /// <param name="allocator">The allocator of the output buffers.</param>
    /// <param name="dataEstimate">The expected bytes of BYTE_ARRAY values (the first data buffer's size; it grows as needed).</param>
    /// <param name="declaredUncompressed">The chunk's declared uncompressed size (page headers included), which the
    /// pages must add up to, or 0 when not declared.</param>
    /// <returns>The array; the caller owns it.</returns>
    public IArrowArray Decode(ReadOnlySpan<byte> chunk, ParquetColumn column, CompressionCodec codec, int rows, long maxPageBytes, MemoryAllocator allocator, int dataEstimate, long declaredUncompressed)
    {
        var width = PhysicalWidth(column.Kind);
        var nullable = column.ArrowField.IsNullable;
        _dictionaryCount = -1;
        OwnedBuffer? values = null;
        OwnedBuffer? data = null;
        OwnedBuffer? validity = null;
        try
        {
            values = OwnedBuffer.Allocate(allocator, checked(width == 0 ? (rows + 1) * 4 : rows * width), zeroed: false);
            if (width == 0)
            {
                data = OwnedBuffer.Allocate(allocator, Math.Max(dataEstimate, 64), zeroed: false);
                values.As<int>()[0] = 0;
            }

            if (nullable)
            {
                validity = OwnedBuffer.Allocate(allocator, BitUtility.ByteCount(rows), zeroed: true);
            }

            var row = 0;
            var nulls = 0;
            var position = 0;
            long uncompressed = 0;
            while (position < chunk.Length)
            {
                if (!ThriftCompactValidator.TryReadPageHeader(chunk[position..], out var header, out var details, out var error))
                {
                    throw new InvalidDataException($"a page header at chunk byte {position} is corrupt: {error}");
                }

                if (header.Type is < ParquetPageType.DataPage or > ParquetPageType.DataPageV2 || header.CompressedSize < 0 || header.UncompressedSize < 0)
                {
                    throw new InvalidDataException($"the page header at chunk byte {position} has type {header.Type}, sizes {header.CompressedSize}/{header.UncompressedSize}");
                }

                var bodyStart = position + header.Length;
                if (header.CompressedSize > chunk.Length - bodyStart)
                {
                    throw new InvalidDataException($"the page at chunk byte {position} ({header.CompressedSize} bytes) overruns its column chunk");
                }

                if (header.UncompressedSize > maxPageBytes)
                {
                    throw new InvalidDataException($"the page at chunk byte {position} declares {header.UncompressedSize} uncompressed bytes, more than is plausible for {rows} rows (at most {maxPageBytes}; see ParquetReadOptions.MaxPageBytes)");
                }

                uncompressed += header.Length + header.UncompressedSize;
                var body = chunk.Slice(bodyStart, (int)header.CompressedSize);
                position = bodyStart + (int)header.CompressedSize;
                switch (header.Type)
                {
                    case ParquetPageType.IndexPage:
                        // Index pages carry nothing to decode.
                        continue;
                    case ParquetPageType.DictionaryPage:
                        if (_dictionaryCount >= 0)
                        {
                            throw new InvalidDataException("the column chunk has two dictionary pages");
                        }

                        ReadDictionary(Decompress(codec, body, (int)header.UncompressedSize), width, header.ValueCount, details.Encoding);
                        continue;
                }

                var count = header.ValueCount;
                if (count < 0 || count > rows - row)
                {
                    throw new InvalidDataException($"the data page at chunk byte {position} declares {count} values, more than the {rows - row} rows left in the row group");
                }

                var n = (int)count;
                ReadOnlySpan<byte> levels;
                ReadOnlySpan<byte> page;
                var levelsHavePrefix = true;
                if (header.Type == ParquetPageType.DataPage)
                {
                    page = Decompress(codec, body, (int)header.UncompressedSize);
                    if (nullable && details.DefinitionEncoding != ParquetEncoding.Rle)
                    {
                        throw new NotSupportedException($"definition levels encoded with {details.DefinitionEncoding}");
                    }

                    levels = page;
                }
                else
                {
                    var repetition = details.RepetitionLevelsLength;
                    var definition = details.DefinitionLevelsLength;
                    if (repetition < 0 || definition < 0 || repetition + definition > body.Length || repetition + definition > header.UncompressedSize)
                    {
                        throw new InvalidDataException($"the v2 data page at chunk byte {position} declares level lengths {repetition}/{definition} for {body.Length} bytes");
                    }

                    if (repetition != 0)
                    {
                        throw new InvalidDataException("a flat column has repetition levels");
                    }

                    levels = body[..(int)definition];
                    levelsHavePrefix = false;
                    var rest = body[(int)definition..];
                    var restSize = (int)(header.UncompressedSize - definition);
                    page = details.IsCompressed ? Decompress(codec, rest, restSize) : rest;
                    if (!details.IsCompressed && rest.Length != restSize)
                    {
                        throw new InvalidDataException($"an uncompressed v2 page holds {rest.Length} value bytes but declares {restSize}");
                    }

                    if (!nullable && definition != 0)
                    {
                        throw new InvalidDataException("a required column has definition levels");
                    }
                }

                var defined = n;
                var levelSpan = default(Span<int>);
                if (nullable)
                {
                    var levelBytes = levels;
                    if (levelsHavePrefix)
                    {
                        if (levels.Length < 4)
                        {
                            throw new InvalidDataException("the definition levels overrun their page");
                        }

                        var length = BinaryPrimitives.ReadInt32LittleEndian(levels);
                        if (length < 0 || length > levels.Length - 4)
                        {
                            throw new InvalidDataException($"the definition levels declare {length} bytes, more than their page holds");
                        }

                        levelBytes = levels.Slice(4, length);
                        page = page[(4 + length)..];
                    }

                    levelSpan = Scratch(ref _levels, n).AsSpan(0, n);
                    new RleBitPackedDecoder(levelBytes, 1).Read(levelSpan);
                    defined = 0;
                    foreach (var level in levelSpan)
                    {
                        defined += level;
                    }

                    SetValidity(validity!.Span, row, levelSpan, defined);
                    nulls += n - defined;
                }

                var encoding = details.Encoding;
                if (width == 0)
                {
                    var offsets = values.As<int>();
                    ReadBytes(page, encoding, defined, offsets.Slice(row, defined + 1), data!, allocator);
                    if (defined < n)
                    {
                        SpreadOffsets(offsets.Slice(row, n + 1), levelSpan, defined);
                    }
                }
                else
                {
                    var target = values.Span.Slice(row * width, n * width);
                    ReadFixed(page, encoding, defined, width, target);
                    if (defined < n)
                    {
                        if (width == 4)
                        {
                            Spread(MemoryMarshal.Cast<byte, int>(target), levelSpan, defined);
                        }
                        else
                        {
                            Spread(MemoryMarshal.Cast<byte, long>(target), levelSpan, defined);
                        }
                    }
                }

                row += n;
            }

            if (row != rows)
            {
                throw new InvalidDataException($"the data pages hold {row} values for {rows} rows");
            }

            if (declaredUncompressed > 0 && uncompressed != declaredUncompressed)
            {
                throw new InvalidDataException($"the pages hold {uncompressed} uncompressed bytes but the column chunk declares {declaredUncompressed}");
            }

            if (width == 0)
            {
                data!.Truncate(values.As<int>()[rows]);
            }

            if (width == 0 && column.Kind == ParquetColumnKind.String && !System.Text.Unicode.Utf8.IsValid(data!.Span[..data.Length]))
            {
                throw new InvalidDataException("a string value is not valid UTF-8");
            }

            if (column.TimestampScale != 1)
            {
                var scale = column.TimestampScale;
                foreach (ref var value in values.As<long>()[..rows])
                {
                    value /= scale;
                }
            }

            ArrowBuffer validityBuffer;
            if (validity is not null && nulls > 0)
            {
                validityBuffer = validity.Build();
            }
            else
            {
                validity?.Dispose();
                validityBuffer = ArrowBuffer.Empty;
            }

            validity = null;
            var buffers = data is null ? new[] { validityBuffer, values.Build() } : [validityBuffer, values.Build(), data.Build()];
            values = data = null;
            return ArrowArrayFactory.BuildArray(new ArrayData(column.ArrowField.DataType, rows, nulls, 0, buffers));
        }
        finally
        {
            values?.Dispose();
            data?.Dispose();
            validity?.Dispose();
        }
    }

    public void Dispose()
    {
        _zstd?.Dispose();
        _zstd = null;
        Return(ref _page);
        Return(ref _dictionary);
        Return(ref _levels);
        Return(ref _indices);
        Return(ref _dictionaryOffsets);
    }

    /// <summary>The byte width of a physical value of a kind the decoder reads: 4, 8, 0 for BYTE_ARRAY, or -1.</summary>
    private static int PhysicalWidth(ParquetColumnKind kind) => kind switch
    {
        ParquetColumnKind.Int32 or ParquetColumnKind.UInt32 or ParquetColumnKind.Date32 or ParquetColumnKind.Float => 4,
        ParquetColumnKind.Int64 or ParquetColumnKind.UInt64 or ParquetColumnKind.Timestamp or ParquetColumnKind.Double => 8,
        ParquetColumnKind.String or ParquetColumnKind.Binary => 0,
        _ => -1,
    };

    private static T[] Scratch<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            Return(ref array);
            array = ArrayPool<T>.Shared.Rent(Math.Max(length, 256));
        }

        return array;
    }

    private static void Return<T>(ref T[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array);
        }

        array = [];
    }

    private static void SetValidity(Span<byte> bits, int start, ReadOnlySpan<int> levels, int defined)
    {
        if (defined == levels.Length)
        {
            // No nulls: set whole bytes where possible.
            var end = start + levels.Length;
            var i = start;
            for (; i < end && (i & 7) != 0; i++)
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }

            var fullBytes = (end - i) >> 3;
            bits.Slice(i >> 3, fullBytes).Fill(0xFF);
            for (i += fullBytes << 3; i < end; i++)
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }

            return;
        }

        for (var i = 0; i < levels.Length; i++)
        {
            var row = start + i;
            bits[row >> 3] |= (byte)(levels[i] << (row & 7));
        }
    }

    private static void Spread<T>(Span<T> values, ReadOnlySpan<int> levels, int defined)
        where T : unmanaged
    {
        // Backwards, so every value moves to a slot at or after where it was.
        var next = defined - 1;
        for (var i = values.Length - 1; i >= 0; i--)
        {
            values[i] = levels[i] != 0 ? values[next--] : default;
        }
    }

    /// <summary>Offsets <c>[0..defined]</c> hold the compacted values' ends; spread them to one per row.</summary>
    private static void SpreadOffsets(Span<int> offsets, ReadOnlySpan<int> levels, int defined)
    {
        var next = defined;
        for (var i = levels.Length - 1; i >= 0; i--)
        {
            offsets[i + 1] = offsets[next];
            if (levels[i] != 0)
            {
                next--;
            }
        }
    }

    private ReadOnlySpan<byte> Decompress(CompressionCodec codec, ReadOnlySpan<byte> body, int size)
    {
        if (codec == CompressionCodec.UNCOMPRESSED)
        {
            if (body.Length != size)
            {
                throw new InvalidDataException($"an uncompressed page holds {body.Length} bytes but declares {size}");
            }

            return body;
        }

        var target = Scratch(ref _page, size).AsSpan(0, size);
        int written;
        switch (codec)
        {
            case CompressionCodec.SNAPPY:
                if (Snappier.Snappy.GetUncompressedLength(body) != size)
                {
                    throw new InvalidDataException($"a Snappy page does not decompress to the {size} bytes its header declares");
                }

                written = Snappier.Snappy.Decompress(body, target);
                break;
            case CompressionCodec.ZSTD:
                _zstd ??= new ZstdSharp.Decompressor();
                written = _zstd.Unwrap(body, target);
                break;

            case CompressionCodec.GZIP:
                written = Gunzip(body, target);
                break;
            default:
                throw new NotSupportedException($"the codec {codec}");
        }

        if (written != size)
        {
            throw new InvalidDataException($"a page decompressed to {written} bytes but its header declares {size}");
        }

        return target;
    }

    private static unsafe int Gunzip(ReadOnlySpan<byte> body, Span<byte> target)
    {
        fixed (byte* pointer = body)
        {
            using var input = new UnmanagedMemoryStream(pointer, body.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            var total = 0;
            while (total < target.Length)
            {
                var read = gzip.Read(target[total..]);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            Span<byte> probe = stackalloc byte[1];
            return total == target.Length && gzip.Read(probe) > 0 ? total + 1 : total;
        }
    }

    private void ReadDictionary(ReadOnlySpan<byte> page, int width, long count, int encoding)
    {
        if (encoding is not (ParquetEncoding.Plain or ParquetEncoding.PlainDictionary))
        {
            throw new NotSupportedException($"a dictionary page encoded with {encoding}");
        }

        if (count < 0 || (width > 0 ? count * width > page.Length : count * 4 > page.Length))
        {
            throw new InvalidDataException($"the dictionary page declares {count} values for {page.Length} bytes");
        }

        var n = (int)count;
        if (width > 0)
        {
            page[..(n * width)].CopyTo(Scratch(ref _dictionary, n * width));
        }
        else
        {
            var offsets = Scratch(ref _dictionaryOffsets, n + 1);
            var bytes = Scratch(ref _dictionary, page.Length);
            var position = 0;
            var total = 0;
            offsets[0] = 0;
            for (var i = 0; i < n; i++)
            {
                var length = ReadLength(page, position);
                page.Slice(position + 4, length).CopyTo(bytes.AsSpan(total));
                position += 4 + length;
                total += length;
                offsets[i + 1] = total;
            }
        }

        _dictionaryCount = n;
    }

    private static int ReadLength(ReadOnlySpan<byte> page, int position)
    {
        if (page.Length - position < 4)
        {
            throw new InvalidDataException("a BYTE_ARRAY length overruns its page");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(page[position..]);
        if (length < 0 || length > page.Length - position - 4)
        {
            throw new InvalidDataException($"a BYTE_ARRAY value of {length} bytes overruns its page");
        }

        return length;
    }

    private ReadOnlySpan<int> ReadIndices(ReadOnlySpan<byte> page, int defined)
    {
        if (_dictionaryCount < 0)
        {
            throw new InvalidDataException("a dictionary-encoded page comes without a dictionary page");
        }

        var indices = Scratch(ref _indices, defined).AsSpan(0, defined);
        if (defined == 0)
        {
            return indices;
        }

        if (page.IsEmpty)
        {
            throw new InvalidDataException("a dictionary-encoded page has no bit width");
        }

        new RleBitPackedDecoder(page[1..], page[0]).Read(indices);
        var count = (uint)_dictionaryCount;
        foreach (var index in indices)
        {
            if ((uint)index >= count)
            {
                throw new InvalidDataException($"a dictionary index {index} is out of range ({count} entries)");
            }
        }

        return indices;
    }

    private void ReadFixed(ReadOnlySpan<byte> page, int encoding, int defined, int width, Span<byte> target)
    {
        if (encoding == ParquetEncoding.Plain)
        {
            var bytes = defined * width;
            if (bytes > page.Length)
            {
                throw new InvalidDataException($"a PLAIN page holds {page.Length} bytes for {defined} values of {width} bytes");
            }

            page[..bytes].CopyTo(target);
            return;
        }

        if (encoding is not (ParquetEncoding.PlainDictionary or ParquetEncoding.RleDictionary))
        {
            throw new NotSupportedException($"values encoded with {encoding}");
        }

        var indices = ReadIndices(page, defined);
        if (width == 4)
        {
            Gather(MemoryMarshal.Cast<byte, int>(_dictionary.AsSpan()), indices, MemoryMarshal.Cast<byte, int>(target));
        }
        else
        {
            Gather(MemoryMarshal.Cast<byte, long>(_dictionary.AsSpan()), indices, MemoryMarshal.Cast<byte, long>(target));
        }
    }

    private static void Gather<T>(ReadOnlySpan<T> dictionary, ReadOnlySpan<int> indices, Span<T> target)
        where T : unmanaged
    {
        ref var source = ref MemoryMarshal.GetReference(dictionary);
        for (var i = 0; i < indices.Length; i++)
        {
            // Indices were checked against the dictionary's size.
            target[i] = Unsafe.Add(ref source, indices[i]);
        }
    }

    /// <summary>Appends <paramref name="defined"/> values to <paramref name="data"/>; <c>offsets[0]</c> is the current
    /// end and <c>offsets[1..]</c> receive the new ends.</summary>
    private void ReadBytes(ReadOnlySpan<byte> page, int encoding, int defined, Span<int> offsets, OwnedBuffer data, MemoryAllocator allocator)
    {
        var end = offsets[0];
        if (encoding == ParquetEncoding.Plain)
        {
            // Every value carries a 4-byte length, so the page bounds the bytes it adds.
            var room = page.Length - (4 * defined);
            if (room < 0)
            {
                throw new InvalidDataException($"a PLAIN page of {page.Length} bytes cannot hold {defined} values");
            }

            Reserve(data, allocator, end, room);
            var target = data.Span;
            var position = 0;
            for (var i = 0; i < defined; i++)
            {
                var length = ReadLength(page, position);
                page.Slice(position + 4, length).CopyTo(target[end..]);
                position += 4 + length;
                end += length;
                offsets[i + 1] = end;
            }

            return;
        }

        if (encoding is not (ParquetEncoding.PlainDictionary or ParquetEncoding.RleDictionary))
        {
            throw new NotSupportedException($"values encoded with {encoding}");
        }

        var indices = ReadIndices(page, defined);
        var dictionaryOffsets = _dictionaryOffsets;
        long total = 0;
        foreach (var index in indices)
        {
            total += dictionaryOffsets[index + 1] - dictionaryOffsets[index];
        }

        if (total > int.MaxValue - 64 - end)
        {
            throw new InvalidDataException($"the row group holds more than 2 GiB of values, more than one Arrow array can");
        }

        Reserve(data, allocator, end, (int)total);
        var output = data.Span;
        var dictionary = _dictionary.AsSpan();
        for (var i = 0; i < indices.Length; i++)
        {
            var start = dictionaryOffsets[indices[i]];
            var length = dictionaryOffsets[indices[i] + 1] - start;
            dictionary.Slice(start, length).CopyTo(output[end..]);
            end += length;
            offsets[i + 1] = end;
        }
    }

    private static void Reserve(OwnedBuffer data, MemoryAllocator allocator, int used, int more)
    {
        var needed = (long)used + more;
        if (needed > int.MaxValue - 64)
        {
            throw new InvalidDataException("the row group holds more than 2 GiB of values, more than one Arrow array can");
        }

        if (needed > data.Span.Length)
        {
            data.Grow(allocator, (int)needed, used);
        }
    }
}
