using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.ParquetFormat;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Parquet;

public sealed class ArrowParquetWriterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dataeng-pqw-" + Guid.NewGuid().ToString("N"));

    public ArrowParquetWriterTests()
    {
        Directory.CreateDirectory(_directory);
    }

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public async Task WriteAsync_EveryType_DuckDbReadsSameValuesAndTypes()
    {
        using var batch = ParquetTestData.AllTypesBatch();
        var path = await ParquetTestData.WriteFileAsync(PathOf("all.parquet"), [batch], batch.Schema, new ParquetWriteOptions());

        var types = Duck.Describe(path);
        var expectedTypes = new Dictionary<string, string>
        {
            ["b"] = "BOOLEAN", ["i8"] = "TINYINT", ["i16"] = "SMALLINT", ["i32"] = "INTEGER", ["i64"] = "BIGINT",
            ["u8"] = "UTINYINT", ["u16"] = "USMALLINT", ["u32"] = "UINTEGER", ["u64"] = "UBIGINT",
            ["f32"] = "FLOAT", ["f64"] = "DOUBLE", ["d9"] = "DECIMAL(9,2)", ["d18"] = "DECIMAL(18,4)", ["d38"] = "DECIMAL(38,10)",
            ["s"] = "VARCHAR", ["bin"] = "BLOB", ["date"] = "DATE",
            ["ts_s"] = "TIMESTAMP", ["ts_ms"] = "TIMESTAMP", ["ts_us"] = "TIMESTAMP", ["ts_ns"] = "TIMESTAMP_NS",
            ["tz_ms"] = "TIMESTAMP WITH TIME ZONE", ["tz_us"] = "TIMESTAMP WITH TIME ZONE", ["tz_ns"] = "TIMESTAMP WITH TIME ZONE",
        };
        Assert.Equal(string.Join(", ", expectedTypes.Select(t => $"{t.Key}={t.Value}")), string.Join(", ", types.Select(t => $"{t.Key}={t.Value}")));
        var logical = Duck.Query($"SELECT name, logical_type FROM parquet_schema('{path}')").ToDictionary(r => (string)r[0]!, r => r[1] as string);
        Assert.All(new[] { "ts_s", "ts_ms", "tz_ms" }, c => Assert.Contains("MILLIS=MilliSeconds()", logical[c], StringComparison.Ordinal));
        Assert.All(new[] { "ts_us", "tz_us" }, c => Assert.Contains("MICROS=MicroSeconds()", logical[c], StringComparison.Ordinal));
        Assert.All(new[] { "ts_ns", "tz_ns" }, c => Assert.Contains("NANOS=NanoSeconds()", logical[c], StringComparison.Ordinal));
        Assert.All(new[] { "ts_s", "ts_ms", "ts_us", "ts_ns" }, c => Assert.Contains("isAdjustedToUTC=0", logical[c], StringComparison.Ordinal));
        Assert.All(new[] { "tz_ms", "tz_us", "tz_ns" }, c => Assert.Contains("isAdjustedToUTC=1", logical[c], StringComparison.Ordinal));

        var select = string.Join(", ", batch.Schema.FieldsList.Select(ArrowValues.DuckDbExpression));
        var duck = Duck.Query($"SELECT {select} FROM read_parquet('{path}', file_row_number = true) ORDER BY file_row_number");
        var expected = ArrowValues.Rows([batch]);
        Assert.Equal(expected.Count, duck.Count);
        for (var r = 0; r < expected.Count; r++)
        {
            for (var c = 0; c < batch.ColumnCount; c++)
            {
                var want = expected[r][c];
                if (batch.Schema.FieldsList[c].Name == "tz_ns" && want is not null)
                {
                    // DuckDB reads every time-zone-aware timestamp as TIMESTAMPTZ, which has microsecond resolution.
                    want = (long.Parse(want) / 1000 * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                Assert.True(want == ArrowValues.RenderDuckDb(duck[r][c]), $"row {r}, column '{batch.Schema.FieldsList[c].Name}': expected {want ?? "null"}, DuckDB read {ArrowValues.RenderDuckDb(duck[r][c]) ?? "null"}");
            }
        }
    }

    [Fact]
    public async Task WriteAsync_EveryType_OurReaderReturnsSameValuesAndTypes()
    {
        using var batch = ParquetTestData.AllTypesBatch();
        var path = await ParquetTestData.WriteFileAsync(PathOf("all.parquet"), [batch], batch.Schema, new ParquetWriteOptions());

        var read = await ParquetTestData.ReadAllAsync(path);
        try
        {
            Assert.Empty(SchemaComparer.Differences(batch.Schema, read[0].Schema, compareNullability: true));
            ArrowValues.AssertBatchesEqual([batch], read);
        }
        finally
        {
            read.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task WriteAsync_SeveralBatchesAndSlices_AreConcatenatedIntoRowGroups()
    {
        using var whole = ParquetTestData.AllTypesBatch(rows: 40);
        using var first = whole.Slice(0, 7);
        using var second = whole.Slice(7, 20);
        using var third = whole.Slice(27, 13);
        var path = await ParquetTestData.WriteFileAsync(PathOf("parts.parquet"), [first, second, third], whole.Schema, new ParquetWriteOptions { RowGroupSize = 16 });

        var groups = Duck.Query($"SELECT row_group_id, max(row_group_num_rows) FROM parquet_metadata('{path}') GROUP BY row_group_id ORDER BY row_group_id");
        Assert.Equal([16L, 16L, 8L], groups.Select(g => Convert.ToInt64(g[1], System.Globalization.CultureInfo.InvariantCulture)));
        var read = await ParquetTestData.ReadAllAsync(path);
        try
        {
            ArrowValues.AssertBatchesEqual([whole], read);
        }
        finally
        {
            read.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task WriteAsync_BorrowsBatches_CallerMayDisposeImmediately()
    {
        var allocator = new CountingMemoryAllocator();
        var path = PathOf("borrow.parquet");
        await using (var stream = File.Create(path))
        {
            await using var writer = await ArrowParquetWriter.CreateAsync(stream, ParquetTestData.AllTypes, new ParquetWriteOptions { RowGroupSize = 100 }, null, default);
            for (var i = 0; i < 3; i++)
            {
                using var batch = ParquetTestData.AllTypesBatch(allocator, rows: 10);
                await writer.WriteAsync(batch);
            }

            Assert.Equal(30, writer.RowCount);
            Assert.True(writer.BufferedBytes > 0);
            Assert.True(allocator.LiveAllocations > 0, "buffered rows are held by shared references");
            await writer.CompleteAsync();
            Assert.Equal(0, writer.BufferedBytes);
            Assert.Equal(stream.Length, writer.BytesWritten);
        }

        Assert.Equal(0, allocator.LiveAllocations);
        Assert.Equal(30L, Duck.Query($"SELECT count(*) FROM '{path}'")[0][0]);
    }

    [Fact]
    public async Task DisposeAsync_WithoutComplete_ReleasesBufferedBatches()
    {
        var allocator = new CountingMemoryAllocator();
        using var stream = new MemoryStream();
        var writer = await ArrowParquetWriter.CreateAsync(stream, ParquetTestData.AllTypes, new ParquetWriteOptions(), null, default);
        using (var batch = ParquetTestData.AllTypesBatch(allocator))
        {
            await writer.WriteAsync(batch);
        }

        await writer.DisposeAsync();

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task CreateAsync_UnsupportedTypes_ListsEveryColumn()
    {
        var schema = new Schema.Builder()
            .Field(f => f.Name("ok").DataType(Int32Type.Default))
            .Field(f => f.Name("t").DataType(new Time64Type(TimeUnit.Microsecond)))
            .Field(f => f.Name("l").DataType(new ListType(Int32Type.Default)))
            .Build();

        var e = await Assert.ThrowsAsync<SchemaMismatchException>(async () => await ArrowParquetWriter.CreateAsync(new MemoryStream(), schema, new ParquetWriteOptions(), null, default));

        Assert.Equal(2, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("'t'", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("'l'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_NullInNonNullableColumn_ThrowsDataFormatException()
    {
        var schema = new Schema.Builder().Field(f => f.Name("x").DataType(Int32Type.Default).Nullable(false)).Build();
        using var batch = new RecordBatch(schema, [new Int32Array.Builder().Append(1).AppendNull().Build()], 2);
        using var stream = new MemoryStream();
        await using var writer = await ArrowParquetWriter.CreateAsync(stream, schema, new ParquetWriteOptions(), null, default);
        await writer.WriteAsync(batch);

        var e = await Assert.ThrowsAsync<DataFormatException>(async () => await writer.CompleteAsync());

        Assert.Equal("x", e.Column);
    }

    [Fact]
    public async Task WriteAsync_BatchOfAnotherSchema_ThrowsSchemaMismatch()
    {
        var schema = new Schema.Builder().Field(f => f.Name("x").DataType(Int32Type.Default)).Build();
        var other = new Schema.Builder().Field(f => f.Name("x").DataType(Int64Type.Default)).Build();
        using var batch = new RecordBatch(other, [new Int64Array.Builder().Append(1).Build()], 1);
        await using var writer = await ArrowParquetWriter.CreateAsync(new MemoryStream(), schema, new ParquetWriteOptions(), null, default);

        await Assert.ThrowsAsync<SchemaMismatchException>(async () => await writer.WriteAsync(batch));
    }

    [Fact]
    public async Task CompleteAsync_Metadata_IsStoredInTheFooter()
    {
        using var batch = ParquetTestData.AllTypesBatch();
        var path = await ParquetTestData.WriteFileAsync(PathOf("meta.parquet"), [batch], batch.Schema, new ParquetWriteOptions(), metadata: new Dictionary<string, string> { ["dataeng.run"] = "42" });

        var values = Duck.Query($"SELECT decode(key), decode(value) FROM parquet_kv_metadata('{path}')");

        Assert.Contains(values, v => (string)v[0]! == "dataeng.run" && (string)v[1]! == "42");
    }

    [Theory]
    [InlineData(ParquetCompression.Snappy, "SNAPPY")]
    [InlineData(ParquetCompression.Zstd, "ZSTD")]
    [InlineData(ParquetCompression.Gzip, "GZIP")]
    [InlineData(ParquetCompression.Lz4, "LZ4_RAW")]
    [InlineData(ParquetCompression.None, "UNCOMPRESSED")]
    public async Task CompleteAsync_EachCodec_IsReadableByDuckDb(ParquetCompression compression, string codec)
    {
        using var batch = ParquetTestData.AllTypesBatch(rows: 50);
        var path = await ParquetTestData.WriteFileAsync(PathOf($"{compression}.parquet"), [batch], batch.Schema, new ParquetWriteOptions { Compression = compression });

        var codecs = Duck.Query($"SELECT DISTINCT compression FROM parquet_metadata('{path}')");
        var select = string.Join(", ", batch.Schema.FieldsList.Select(ArrowValues.DuckDbExpression));
        var rows = Duck.Query($"SELECT {select} FROM read_parquet('{path}')");

        Assert.Equal(codec, Assert.Single(codecs)[0]);
        Assert.Equal(50, rows.Count);
    }

    [Fact]
    public async Task FlushRowGroupAsync_DictionaryHint_IsVisibleInEncodings()
    {
        var schema = new Schema.Builder()
            .Field(f => f.Name("hinted").DataType(StringType.Default))
            .Field(f => f.Name("low").DataType(StringType.Default))
            .Field(f => f.Name("unique").DataType(StringType.Default))
            .Build();
        var hinted = new StringArray.Builder();
        var low = new StringArray.Builder();
        var unique = new StringArray.Builder();
        for (var i = 0; i < 1000; i++)
        {
            hinted.Append("h" + i);
            low.Append("country-" + (i % 5));
            unique.Append("u" + i);
        }

        using var batch = new RecordBatch(schema, [hinted.Build(), low.Build(), unique.Build()], 1000);
        var options = new ParquetWriteOptions();
        options.DictionaryColumns.Add("hinted");
        var path = await ParquetTestData.WriteFileAsync(PathOf("dict.parquet"), [batch], schema, options);

        var encodings = Duck.Query($"SELECT path_in_schema, encodings FROM parquet_metadata('{path}')")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);

        Assert.True(encodings["hinted"].Contains("DICTIONARY", StringComparison.Ordinal), string.Join("; ", encodings));
        Assert.Contains("DICTIONARY", encodings["low"], StringComparison.Ordinal);
        Assert.DoesNotContain("DICTIONARY", encodings["unique"], StringComparison.Ordinal);
        Assert.Equal(5L, Duck.Query($"SELECT count(DISTINCT low) FROM '{path}'")[0][0]);
    }

    [Fact]
    public async Task CompleteAsync_NoRows_WritesAValidEmptyFile()
    {
        var path = await ParquetTestData.WriteFileAsync(PathOf("empty.parquet"), [], ParquetTestData.AllTypes, new ParquetWriteOptions());

        Assert.Equal(0L, Duck.Query($"SELECT count(*) FROM '{path}'")[0][0]);
        Assert.Equal(ParquetTestData.AllTypes.FieldsList.Count, Duck.Describe(path).Count);
    }

    [Fact]
    public async Task FlushRowGroupAsync_WritesOnePagePerColumnChunk()
    {
        using var batch = ParquetTestData.AllTypesBatch(rows: 3000);
        var path = await ParquetTestData.WriteFileAsync(PathOf("pages.parquet"), [batch], batch.Schema, new ParquetWriteOptions { RowGroupSize = 2000 });
        var file = await File.ReadAllBytesAsync(path);

        var chunks = Duck.Query($"SELECT path_in_schema, coalesce(dictionary_page_offset, data_page_offset), data_page_offset, total_compressed_size FROM parquet_metadata('{path}')");

        Assert.Equal(2 * batch.ColumnCount, chunks.Count);
        foreach (var chunk in chunks)
        {
            var start = Convert.ToInt64(chunk[1], System.Globalization.CultureInfo.InvariantCulture);
            var dataPage = Convert.ToInt64(chunk[2], System.Globalization.CultureInfo.InvariantCulture);
            var end = start + Convert.ToInt64(chunk[3], System.Globalization.CultureInfo.InvariantCulture);
            var dataPages = 0;
            for (var position = start; position < end;)
            {
                Assert.True(ThriftCompactValidator.TryReadPageHeader(file.AsSpan((int)position, (int)(end - position)), out var header, out var error), error);
                dataPages += header.Type is 0 or 3 ? 1 : 0;
                Assert.True(position != dataPage || header.Type is 0 or 3);
                position += header.Length + header.CompressedSize;
            }

            Assert.True(dataPages == 1, $"column '{chunk[0]}' has {dataPages} data pages");
        }
    }
}
