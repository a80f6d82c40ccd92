using System.Runtime.ExceptionServices;
using Apache.Arrow;

namespace DataEng.Core.ParquetFormat;

/// <summary>Row groups: each column chunk encoded by <see cref="ParquetChunkEncoder"/> (in parallel for a single
/// file), then written in schema order.</summary>
internal sealed partial class ArrowParquetWriter
{
    private const int ParallelMinimumRows = 8192;

    private readonly bool[] _dictionary;
    private readonly List<WrittenRowGroup> _rowGroups = [];

    private async ValueTask WriteRowGroupAsync(int rows, CancellationToken cancellationToken)
    {
        var scratch = Scratch;
        var columns = _columns;
        var chunks = new ParquetChunkMeta[columns.Length];
        var parallel = ParallelColumns && columns.Length > 1 && Environment.ProcessorCount > 1 && rows >= ParallelMinimumRows;
        var start = _stream.BytesWritten;
        if (parallel)
        {
            var parts = new List<ArrayData>[columns.Length];
            for (var c = 0; c < columns.Length; c++)
            {
                parts[c] = PartsOf(columns[c], new List<ArrayData>(_pending.Count));
                _ = scratch.Encoder(c);
            }

            var errors = new Exception?[columns.Length];
            var options = _options;
            Parallel.For(0, columns.Length, new ParallelOptions { CancellationToken = cancellationToken }, c =>
            {
                try
                {
                    chunks[c] = scratch.Encoder(c).Encode(columns[c], parts[c], rows, _dictionary[c], options.Compression, options.CompressionLevel);
                }
                catch (Exception e)
                {
                    errors[c] = e;
                }
            });

            // The first failing column in schema order, as the sequential path reports it.
            if (System.Array.Find(errors, static e => e is not null) is { } error)
            {
                ExceptionDispatchInfo.Throw(error);
            }

            for (var c = 0; c < columns.Length; c++)
            {
                await WriteChunkAsync(scratch.Encoder(c), chunks[c], cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var encoder = scratch.Encoder(0);
            var parts = new List<ArrayData>(_pending.Count);
            for (var c = 0; c < columns.Length; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                parts.Clear();
                chunks[c] = encoder.Encode(columns[c], PartsOf(columns[c], parts), rows, _dictionary[c], _options.Compression, _options.CompressionLevel);
                await WriteChunkAsync(encoder, chunks[c], cancellationToken).ConfigureAwait(false);
            }
        }

        long uncompressed = 0;
        long compressed = 0;
        foreach (var chunk in chunks)
        {
            uncompressed += chunk.UncompressedSize;
            compressed += chunk.CompressedSize;
        }

        _rowGroups.Add(new WrittenRowGroup(chunks, rows, start, uncompressed, compressed));
    }

    private List<ArrayData> PartsOf(ParquetColumn column, List<ArrayData> parts)
    {
        foreach (var batch in _pending)
        {
            parts.Add(batch.Column(column.Index).Data);
        }

        return parts;
    }

    /// <summary>Places an encoded chunk at the stream's position and writes it.</summary>
    private async ValueTask WriteChunkAsync(ParquetChunkEncoder encoder, ParquetChunkMeta chunk, CancellationToken cancellationToken)
    {
        var offset = _stream.BytesWritten;
        chunk.DataPageOffset += offset;
        chunk.DictionaryPageOffset += offset;
        await _stream.WriteAsync(encoder.Output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A written row group, kept for the footer.</summary>
    private sealed record WrittenRowGroup(ParquetChunkMeta[] Chunks, long NumRows, long FileOffset, long TotalByteSize, long TotalCompressedSize);
}
