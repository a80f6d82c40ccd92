using Apache.Arrow;
using ParquetSharp;
using ParquetSharp.Arrow;

namespace DataEng.Core.Benchmarks.Peers;

/// <summary>
/// ParquetSharp (Apache Arrow C++'s Parquet library) through its Arrow API: our batches cross the Arrow C data
/// interface without a copy. Writer threads are enabled (Arrow C++ then encodes columns in parallel), so the peer
/// runs at its best on both cores.
/// </summary>
internal static class ParquetSharpPeer
{
    /// <summary>Writes the batches as one Parquet file, one row group per batch (split at the row-group size).</summary>
    public static void WriteFile(string path, Schema schema, IReadOnlyList<RecordBatch> batches, WriteSettings settings)
    {
        using var builder = new WriterPropertiesBuilder()
            .Compression(settings.Codec == ParquetCodec.Zstd ? Compression.Zstd : Compression.Snappy)
            .MaxRowGroupLength(settings.RowGroupRows);
        if (settings.Codec == ParquetCodec.Zstd)
        {
            builder.CompressionLevel(settings.ZstdLevel);
        }

        using var properties = builder.Build();
        using var arrowBuilder = new ArrowWriterPropertiesBuilder().UseThreads(true);
        using var arrowProperties = arrowBuilder.Build();
        using var writer = new FileWriter(path, schema, properties, arrowProperties);
        foreach (var batch in batches)
        {
            writer.WriteRecordBatch(batch, settings.RowGroupRows);
        }

        writer.Close();
    }

    /// <summary>Reads a Parquet file into Arrow batches, disposing each; returns the row count.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The column indices to read, or <see langword="null"/> for all.</param>
    /// <param name="batchRows">The maximum rows per batch.</param>
    public static async Task<long> ReadFileAsync(string path, int[]? columns, int batchRows)
    {
        using var readerProperties = ReaderProperties.GetDefaultReaderProperties();
        using var arrowProperties = ArrowReaderProperties.GetDefault();
        arrowProperties.BatchSize = batchRows;
        arrowProperties.UseThreads = true;
        using var reader = new FileReader(path, readerProperties, arrowProperties);
        using var stream = reader.GetRecordBatchReader(columns: columns);
        long rows = 0;
        while (await stream.ReadNextRecordBatchAsync().ConfigureAwait(false) is { } batch)
        {
            rows += batch.Length;
            batch.Dispose();
        }

        return rows;
    }
}
