using System.Text.Json.Serialization;
using Apache.Arrow;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace DataEng.Core.Benchmarks.Peers;

/// <summary>
/// What a .NET developer writes by hand with Parquet.Net 6 and no special care: one <see cref="DataField"/> per
/// column fed with arrays of CLR values (<see cref="DateTime"/>, <see cref="DateOnly"/>, <see cref="string"/>)
/// converted from the Arrow batch, or the POCO serializer; a partitioned variant groups rows with LINQ.
/// </summary>
internal static class NaiveParquetNet
{
    public static readonly ParquetSchema Schema = new(
        new DataField<long>("id"),
        new DataField<DateTime>("ts"),
        new DataField<DateOnly>("dt"),
        new DataField<int>("customer_id"),
        new DataField<double>("amount"),
        new DataField<string>("currency"),
        new DataField<string>("note"));

    /// <summary>The same schema without <c>dt</c> (Hive: the partition value is the folder name).</summary>
    public static readonly ParquetSchema PartitionFileSchema = new(
        new DataField<long>("id"),
        new DataField<DateTime>("ts"),
        new DataField<int>("customer_id"),
        new DataField<double>("amount"),
        new DataField<string>("currency"),
        new DataField<string>("note"));

    public static ParquetOptions Options(WriteSettings settings) => new()
    {
        CompressionMethod = settings.Codec == ParquetCodec.Zstd ? CompressionMethod.Zstd : CompressionMethod.Snappy,
        CompressionLevel = System.IO.Compression.CompressionLevel.Fastest,
        RowGroupSize = settings.RowGroupRows,
    };

    /// <summary>One file: one row group per batch (the batch is the row-group size), columns converted to CLR arrays.</summary>
    public static async Task WriteFileAsync(string path, IReadOnlyList<RecordBatch> batches, WriteSettings settings)
    {
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(Schema, stream, Options(settings)).ConfigureAwait(false);
        foreach (var batch in batches)
        {
            var rows = Enumerable.Range(0, batch.Length).ToArray();
            await WriteRowGroupAsync(writer, Schema, [batch], [.. rows.Select(r => (0, r))], includeDt: true).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Hive-partitioned by <c>dt</c>: LINQ GroupBy of every row on its date, then one file per partition written
    /// column by column (one row group per partition: partitions are smaller than the row-group size).
    /// </summary>
    public static async Task WritePartitionedAsync(string directory, IReadOnlyList<RecordBatch> batches, WriteSettings settings)
    {
        var groups = batches
            .SelectMany((batch, b) => Enumerable.Range(0, batch.Length).Select(r => (Batch: b, Row: r)))
            .GroupBy(x => ((Date32Array)batches[x.Batch].Column(2)).GetDateOnly(x.Row)!.Value);
        foreach (var group in groups)
        {
            var folder = Path.Combine(directory, $"dt={group.Key:yyyy-MM-dd}");
            Directory.CreateDirectory(folder);
            var rows = group.ToArray();
            await using var stream = File.Create(Path.Combine(folder, "part-0.parquet"));
            await using var writer = await ParquetWriter.CreateAsync(PartitionFileSchema, stream, Options(settings)).ConfigureAwait(false);
            for (var start = 0; start < rows.Length; start += settings.RowGroupRows)
            {
                var slice = rows.AsSpan(start, Math.Min(settings.RowGroupRows, rows.Length - start)).ToArray();
                await WriteRowGroupAsync(writer, PartitionFileSchema, batches, slice, includeDt: false).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The POCO serializer over rows already in memory (building them is not part of the measure).</summary>
    public static Task WriteRowsAsync(string path, IReadOnlyList<Row> rows, WriteSettings settings)
        => ParquetSerializer.SerializeAsync(rows, path, Options(settings));

    /// <summary>Converts batches to POCOs (what the serializer needs).</summary>
    public static List<Row> ToRows(IReadOnlyList<RecordBatch> batches)
    {
        var rows = new List<Row>(batches.Sum(static b => b.Length));
        foreach (var batch in batches)
        {
            var id = (Int64Array)batch.Column(0);
            var ts = (TimestampArray)batch.Column(1);
            var dt = (Date32Array)batch.Column(2);
            var customer = (Int32Array)batch.Column(3);
            var amount = (DoubleArray)batch.Column(4);
            var currency = (StringArray)batch.Column(5);
            var note = (StringArray)batch.Column(6);
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add(new Row
                {
                    Id = id.GetValue(i)!.Value,
                    Ts = ts.GetTimestamp(i)!.Value.UtcDateTime,
                    Dt = dt.GetDateOnly(i)!.Value,
                    CustomerId = customer.GetValue(i)!.Value,
                    Amount = amount.GetValue(i)!.Value,
                    Currency = currency.GetString(i),
                    Note = note.GetString(i),
                });
            }
        }

        return rows;
    }

    /// <summary>Reads a Parquet file column by column into CLR arrays and builds Arrow arrays from them.</summary>
    public static async Task<long> ReadFileToArrowAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        long rows = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var length = checked((int)group.RowCount);
            var arrays = new List<IArrowArray>(fields.Length);
            foreach (var field in fields)
            {
                arrays.Add(await ReadColumnAsync(group, field, length).ConfigureAwait(false));
            }

            using var batch = new RecordBatch(ArrowSchemaOf(fields, arrays), arrays, length);
            rows += batch.Length;
        }

        return rows;
    }

    private static async Task WriteRowGroupAsync(ParquetWriter writer, ParquetSchema schema, IReadOnlyList<RecordBatch> batches, (int Batch, int Row)[] rows, bool includeDt)
    {
        var n = rows.Length;
        var id = new long[n];
        var ts = new DateTime[n];
        var dt = new DateOnly[n];
        var customer = new int[n];
        var amount = new double[n];
        var currency = new string[n];
        var note = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var (b, r) = rows[i];
            var batch = batches[b];
            id[i] = ((Int64Array)batch.Column(0)).GetValue(r)!.Value;
            ts[i] = ((TimestampArray)batch.Column(1)).GetTimestamp(r)!.Value.UtcDateTime;
            dt[i] = ((Date32Array)batch.Column(2)).GetDateOnly(r)!.Value;
            customer[i] = ((Int32Array)batch.Column(3)).GetValue(r)!.Value;
            amount[i] = ((DoubleArray)batch.Column(4)).GetValue(r)!.Value;
            currency[i] = ((StringArray)batch.Column(5)).GetString(r);
            note[i] = ((StringArray)batch.Column(6)).GetString(r);
        }

        var fields = schema.GetDataFields();
        var f = 0;
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(fields[f++], new ReadOnlyMemory<long>(id)).ConfigureAwait(false);
        await group.WriteAsync(fields[f++], new ReadOnlyMemory<DateTime>(ts)).ConfigureAwait(false);
        if (includeDt)
        {
            await group.WriteAsync(fields[f++], new ReadOnlyMemory<DateOnly>(dt)).ConfigureAwait(false);
        }

        await group.WriteAsync(fields[f++], new ReadOnlyMemory<int>(customer)).ConfigureAwait(false);
        await group.WriteAsync(fields[f++], new ReadOnlyMemory<double>(amount)).ConfigureAwait(false);
        await group.WriteAsync(fields[f++], currency).ConfigureAwait(false);
        await group.WriteAsync(fields[f], note).ConfigureAwait(false);
        group.CompleteValidate();
    }

    private static async Task<IArrowArray> ReadColumnAsync(ParquetRowGroupReader group, DataField field, int length)
    {
        var type = field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var values = new string?[length];
            await group.ReadAsync(field, values.AsMemory()).ConfigureAwait(false);
            var builder = new StringArray.Builder();
            foreach (var value in values)
            {
                if (value is null)
                {
                    builder.AppendNull();
                }
                else
                {
                    builder.Append(value);
                }
            }

            return builder.Build();
        }

        if (type == typeof(long))
        {
            var values = await ReadValuesAsync<long>(group, field, length).ConfigureAwait(false);
            var builder = new Int64Array.Builder();
            foreach (var value in values)
            {
                builder.Append(value);
            }

            return builder.Build();
        }

        if (type == typeof(int))
        {
            var values = await ReadValuesAsync<int>(group, field, length).ConfigureAwait(false);
            var builder = new Int32Array.Builder();
            foreach (var value in values)
            {
                builder.Append(value);
            }

            return builder.Build();
        }

        if (type == typeof(double))
        {
            var values = await ReadValuesAsync<double>(group, field, length).ConfigureAwait(false);
            var builder = new DoubleArray.Builder();
            foreach (var value in values)
            {
                builder.Append(value);
            }

            return builder.Build();
        }

        if (type == typeof(DateOnly))
        {
            var values = await ReadValuesAsync<DateOnly>(group, field, length).ConfigureAwait(false);
            var builder = new Date32Array.Builder();
            foreach (var value in values)
            {
                builder.Append(value);
            }

            return builder.Build();
        }

        if (type == typeof(DateTime) && field.Name == "dt")
        {
            var values = await ReadValuesAsync<DateTime>(group, field, length).ConfigureAwait(false);
            var builder = new Date32Array.Builder();
            foreach (var value in values)
            {
                builder.Append(value);
            }

            return builder.Build();
        }

        if (type == typeof(DateTime))
        {
            var values = await ReadValuesAsync<DateTime>(group, field, length).ConfigureAwait(false);
            var builder = new TimestampArray.Builder(new Apache.Arrow.Types.TimestampType(Apache.Arrow.Types.TimeUnit.Microsecond, "UTC"));
            foreach (var value in values)
            {
                builder.Append(new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)));
            }

            return builder.Build();
        }

        throw new NotSupportedException($"The naive reader does not handle column '{field.Name}' of {type}.");
    }

    /// <summary>Reads a column of a value type whether the file declares it required or optional (no nulls expected).</summary>
    private static async Task<T[]> ReadValuesAsync<T>(ParquetRowGroupReader group, DataField field, int length)
        where T : struct
    {
        if (!field.IsNullable)
        {
            var values = new T[length];
            await group.ReadAsync(field, values.AsMemory()).ConfigureAwait(false);
            return values;
        }

        var nullable = new T?[length];
        await group.ReadAsync(field, nullable.AsMemory()).ConfigureAwait(false);
        return [.. nullable.Select(static v => v.GetValueOrDefault())];
    }

    private static Apache.Arrow.Schema ArrowSchemaOf(DataField[] fields, List<IArrowArray> arrays)
    {
        var builder = new Apache.Arrow.Schema.Builder();
        for (var i = 0; i < fields.Length; i++)
        {
            var type = arrays[i].Data.DataType;
            builder.Field(f => f.Name(fields[i].Name).DataType(type).Nullable(true));
        }

        return builder.Build();
    }

    /// <summary>A row of the standard dataset as a POCO, for the serializer.</summary>
    public sealed class Row
    {
        [JsonPropertyName("id")]
        public long Id { get; set; }

        [JsonPropertyName("ts")]
        public DateTime Ts { get; set; }

        [JsonPropertyName("dt")]
        public DateOnly Dt { get; set; }

        [JsonPropertyName("customer_id")]
        public int CustomerId { get; set; }

        [JsonPropertyName("amount")]
        public double Amount { get; set; }

        [JsonPropertyName("currency")]
        public string Currency { get; set; } = string.Empty;

        [JsonPropertyName("note")]
        public string? Note { get; set; }
    }
}
