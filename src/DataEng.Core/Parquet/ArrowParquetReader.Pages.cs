using System.Buffers;

namespace DataEng.Core.ParquetFormat;

internal sealed partial class ArrowParquetReader
{
    private const int PageHeaderWindow = 4096;

    /// <summary>The largest uncompressed page plausible in a column chunk: the option, the chunk's declared size, and for
    /// fixed-width values what the row count allows.</summary>
    private long MaxPageBytes(ParquetColumn column, Parquet.Meta.ColumnMetaData chunk, int rows)
    {
        var maxPage = (long)_options.MaxPageBytes;
        if (column.PhysicalWidth > 0)
        {
            // PLAIN is the largest encoding of fixed-width values; levels and encoding overheads stay well within 8 bytes a value.
            maxPage = Math.Min(maxPage, (rows * (long)(column.PhysicalWidth + 8)) + 65536);
        }

        if (chunk.TotalUncompressedSize > 0)
        {
            maxPage = Math.Min(maxPage, chunk.TotalUncompressedSize);
        }

        return maxPage;
    }

    /// <summary>
    /// Walks the pages of one column chunk before Parquet.Net decodes them: every header must be well-formed Thrift,
    /// every page must lie inside the chunk, the pages must fill the chunk exactly, and page sizes and value counts must
    /// be plausible for the row group, so a damaged header cannot make Parquet.Net allocate gigabytes or read elsewhere.
    /// </summary>
    private async ValueTask ValidatePagesAsync(int group, ParquetColumn column, int rows, CancellationToken cancellationToken)
    {
        var chunk = _meta.RowGroups[group].Columns[column.Index].MetaData!;
        var start = chunk.DictionaryPageOffset is > 0 and var d && d < chunk.DataPageOffset ? d : chunk.DataPageOffset;
        var end = start + chunk.TotalCompressedSize;
        var maxPage = MaxPageBytes(column, chunk, rows);

        var buffer = ArrayPool<byte>.Shared.Rent(PageHeaderWindow);
        try
        {
            long values = 0;
            long uncompressed = 0;
            var position = start;
            while (position < end)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var window = (int)Math.Min(end - position, buffer.Length);
                ThriftCompactValidator.PageHeader header;
                while (true)
                {
                    _stream.Seek(position, SeekOrigin.Begin);
                    await _stream.ReadExactlyAsync(buffer.AsMemory(0, window), cancellationToken).ConfigureAwait(false);
                    if (ThriftCompactValidator.TryReadPageHeader(buffer.AsSpan(0, window), out header, out var error))
                    {
                        break;
                    }

                    if (window == end - position || window >= _options.MaxFooterBytes)
                    {
                        throw new ParquetFileException(DisplayName, group, column.Name, $"a page header at offset {position} is corrupt: {error}");
                    }

                    // A header with large statistics: look at more of the chunk.
                    window = (int)Math.Min(Math.Min(end - position, (long)window * 4), _options.MaxFooterBytes);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(window);
                }

                if (header.Type is < ParquetPageType.DataPage or > ParquetPageType.DataPageV2 || header.CompressedSize < 0 || header.UncompressedSize < 0)
                {
                    throw new ParquetFileException(DisplayName, group, column.Name, $"the page header at offset {position} has type {header.Type}, sizes {header.CompressedSize}/{header.UncompressedSize}");
                }

                if (header.CompressedSize > end - position - header.Length)
                {
                    throw new ParquetFileException(DisplayName, group, column.Name, $"the page at offset {position} ({header.CompressedSize} bytes) overruns its column chunk");
                }

                if (header.UncompressedSize > maxPage)
                {
                    throw new ParquetFileException(DisplayName, group, column.Name, $"the page at offset {position} declares {header.UncompressedSize} uncompressed bytes, more than is plausible for {rows} rows (at most {maxPage}; see ParquetReadOptions.MaxPageBytes)");
                }

                if (header.Type is ParquetPageType.DataPage or ParquetPageType.DictionaryPage or ParquetPageType.DataPageV2)
                {
                    if (header.ValueCount < 0 || header.ValueCount > rows)
                    {
                        throw new ParquetFileException(DisplayName, group, column.Name, $"the page at offset {position} declares {header.ValueCount} values for {rows} rows");
                    }

                    if (header.Type != ParquetPageType.DictionaryPage)
                    {
                        values += header.ValueCount;
                    }
                }

                position += header.Length + header.CompressedSize;
                uncompressed += header.Length + header.UncompressedSize;
            }

            if (chunk.TotalUncompressedSize > 0 && uncompressed != chunk.TotalUncompressedSize)
            {
                throw new ParquetFileException(DisplayName, group, column.Name, $"the pages hold {uncompressed} uncompressed bytes but the column chunk declares {chunk.TotalUncompressedSize}");
            }

            if (values != rows)
            {
                throw new ParquetFileException(DisplayName, group, column.Name, $"the data pages hold {values} values for {rows} rows");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
