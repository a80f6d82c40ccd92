using System.IO.Compression;
using Apache.Arrow;
using DataEng.Core.Benchmarks.Compare;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.ParquetFormat;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Benchmarks.Peers;

/// <summary>DataEng.Core's own writers and readers, driven the way the benchmarks drive the peers.</summary>
internal static class Ours
{
    /// <summary>Maps a Zstd level to the library's <see cref="CompressionLevel"/> (Fastest = 1, Optimal = 3, SmallestSize = 19).</summary>
    public static CompressionLevel ZstdLevel(int level) => level switch
    {
        1 => CompressionLevel.Fastest,
        3 => CompressionLevel.Optimal,
        19 => CompressionLevel.SmallestSize,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "DataEng.Core offers Zstd levels 1, 3 and 19 only."),
    };

    /// <summary>The library's write options for <paramref name="settings"/>.</summary>
    /// <param name="settings">Codec, level and row-group size.</param>
    public static ParquetWriteOptions WriteOptions(WriteSettings settings)
        => new()
        {
            Compression = settings.Codec == ParquetCodec.Zstd ? ParquetCompression.Zstd : ParquetCompression.Snappy,
            CompressionLevel = settings.Codec == ParquetCodec.Zstd ? ZstdLevel(settings.ZstdLevel) : CompressionLevel.Fastest,
            RowGroupSize = settings.RowGroupRows,
        };

    /// <summary>Writes one Parquet file with the library's Arrow → Parquet writer.</summary>
    public static async Task WriteFileAsync(string path, Schema schema, IReadOnlyList<RecordBatch> batches, WriteSettings settings)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.None);
        await using var writer = await ArrowParquetWriter.CreateAsync(stream, schema, WriteOptions(settings), null, CancellationToken.None).ConfigureAwait(false);
        foreach (var batch in batches)
        {
            await writer.WriteAsync(batch).ConfigureAwait(false);
        }

        await writer.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>The lake writer's options for the standard dataset: Hive partitions by the existing <c>dt</c> column.</summary>
    public static LakeWriteOptions LakeOptions(WriteSettings settings)
    {
        var options = new LakeWriteOptions { RowGroupSize = settings.RowGroupRows, Parquet = WriteOptions(settings) };
        options.PartitionBy.Add(PartitionSpec.Identity("dt"));
        return options;
    }

    /// <summary>
    /// Writes the batches into a lake at <paramref name="root"/> by running a pipeline (in-memory source → lake sink):
    /// what a user writes. The run ends with the lake's two-phase commit (files fsynced, renamed, manifest written).
    /// </summary>
    public static Task<RunResult> WriteLakeAsync(string root, IReadOnlyList<RecordBatch> batches, WriteSettings settings, int? channelCapacity = null)
        => WriteLakeAsync(root, new InMemorySource(StandardDataset.Schema, batches), settings, channelCapacity);

    /// <summary>Runs a pipeline from <paramref name="source"/> into a lake partitioned by <c>dt</c>.</summary>
    /// <remarks>Under <c>compare --memory-breakdown</c> the sink is wrapped so the breakdown can read the writer's memory.</remarks>
    public static Task<RunResult> WriteLakeAsync(string root, ISource source, WriteSettings settings, int? channelCapacity = null)
    {
        var sink = Lake.Write(root, LakeOptions(settings));
        var builder = Pipeline.Create("bench-lake");
        if (channelCapacity is { } capacity)
        {
            builder.Configure(o => o.ChannelCapacity = capacity);
        }

        return builder
            .Extract(source)
            .Load(MemoryBreakdown.Current?.Observe(sink) ?? sink)
            .Build()
            .RunAsync();
    }

    /// <summary>Reads a Hive dataset with the library's lake source; returns the rows.</summary>
    public static Task<long> ReadLakeAsync(string root, IReadOnlyList<string>? columns = null, Func<LakePartitionValues, bool>? filter = null, int batchRows = StandardDataset.DefaultBatchRows)
        => DrainAsync(Lake.Read(root, new LakeReadOptions { Columns = columns, PartitionFilter = filter, Parquet = new ParquetReadOptions { BatchSize = batchRows } }));

    /// <summary>Reads a Parquet file with the library's reader, disposing each batch; returns the rows.</summary>
    public static async Task<long> ReadFileAsync(string path, IReadOnlyList<string>? columns, int batchRows)
    {
        await using var reader = await ArrowParquetReader.OpenAsync(path, new ParquetReadOptions { BatchSize = batchRows }, CancellationToken.None).ConfigureAwait(false);
        long rows = 0;
        await foreach (var batch in reader.ReadAsync(columns).ConfigureAwait(false))
        {
            rows += batch.Length;
            batch.Dispose();
        }

        return rows;
    }

    /// <summary>Reads <c>SELECT * FROM standard</c> from a SQLite file through the library's ADO.NET source; returns the rows.</summary>
    public static async Task<long> ReadSqliteAsync(string path, int batchRows)
    {
        var options = new SqlSourceOptions { Schema = StandardDataset.Schema, BatchSize = batchRows };
        var source = Sql.Query(
            () => new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False"),
            "SELECT id, ts, dt, customer_id, amount, currency, note FROM standard",
            options: options);
        return await DrainAsync(source).ConfigureAwait(false);
    }

    /// <summary>Reads a CSV file through the library's CSV source with the dataset's schema given; returns the rows.</summary>
    public static Task<long> ReadCsvAsync(string path, int batchRows)
        => DrainAsync(Csv.File(path, new CsvSourceOptions { Schema = StandardDataset.Schema, BatchSize = batchRows }));

    /// <summary>Reads a source to its end outside any pipeline, disposing each batch; returns the rows.</summary>
    public static async Task<long> DrainAsync(ISource source)
    {
        var context = NewContext();
        long rows = 0;
        await foreach (var batch in source.ReadAsync(context).ConfigureAwait(false))
        {
            rows += batch.Length;
            batch.Dispose();
        }

        return rows;
    }

    public static RunContext NewContext() => new("bench", 1, "bench", NullLogger.Instance, TimeProvider.System, CancellationToken.None);
}
