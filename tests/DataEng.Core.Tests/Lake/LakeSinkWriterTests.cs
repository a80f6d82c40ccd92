using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Lake;

public class LakeSinkWriterTests
{
    [Fact]
    public async Task WriteAsync_ManyPartitionsOverASmallBudget_KeepsRowBuffersWithinItAndWritesEveryRow()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        options.MaxBufferedBytes = 1024 * 1024;
        const int batches = 12;
        const int rows = 40_000;
        var sink = Core.Lake.Write(temp.Root, options);
        var context = LakeTestData.Context();
        var writer = (LakeSinkWriter)await sink.OpenAsync(LakeTestData.Orders, context);
        await using (writer)
        {
            for (var b = 0; b < batches; b++)
            {
                using var batch = LakeTestData.OrdersBatch((long)b * rows, rows);
                await writer.WriteAsync(batch);

                // Buffers being filled or idle (those in flight are counted by the budget too, so this is a lower bound).
                Assert.InRange(writer.BufferCapacityBytes, 0, options.MaxBufferedBytes);
            }

            await writer.PrepareAsync(new SinkCommit("test", 1, context.RunId, new Dictionary<string, string>()));
            await writer.CommitAsync();
        }

        Assert.Equal(batches * rows, Duck.Count(temp.Root));
        Assert.Equal(30L, Convert.ToInt64(Duck.Scalar($"SELECT count(DISTINCT dt) FROM {Duck.Glob(temp.Root)}"), System.Globalization.CultureInfo.InvariantCulture));

        // The budget, not RowGroupSize, set the row groups: each partition file holds several.
        var groups = Convert.ToInt64(Duck.Scalar($"SELECT count(DISTINCT (file_name, row_group_id)) FROM parquet_metadata('{temp.Root}/**/*.parquet')"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(groups > 30, $"{groups} row groups");
    }

    [Fact]
    public async Task WriteAsync_FewRowsOverManyPartitions_RowBuffersHoldWhatTheRowsNeed()
    {
        // A small incremental run: 100 rows over 30 days under the default budget. A new partition buffer is sized
        // for its first rows; sizing it for the budget's row limit reserved a row group per partition (about 90 MB
        // of blocks for 100 rows, and gen 2 collections per commit from their memory pressure).
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        var sink = Core.Lake.Write(temp.Root, options);
        var context = LakeTestData.Context();
        var writer = (LakeSinkWriter)await sink.OpenAsync(LakeTestData.Orders, context);
        await using (writer)
        {
            using (var batch = LakeTestData.OrdersBatch(0, 100))
            {
                await writer.WriteAsync(batch);
            }

            Assert.InRange(writer.BufferCapacityBytes, 1, 256 * 1024);
            await writer.PrepareAsync(new SinkCommit("test", 1, context.RunId, new Dictionary<string, string>()));
            await writer.CommitAsync();
        }

        Assert.Equal(100, Duck.Count(temp.Root));
    }

    [Fact]
    public async Task RunAsync_DayPartitionedOrders_DuckDbAgreesOnCountValuesTypesAndPartitions()
    {
        using var temp = new TempLake();
        var allocatorBatches = Enumerable.Range(0, 4).Select(i => LakeTestData.OrdersBatch(i * 2500L, 2500)).ToList();
        var pipeline = Pipeline.Create("orders")
            .Extract(new InMemorySource(LakeTestData.Orders, allocatorBatches))
            .Load(Core.Lake.Write(temp.Root, LakeTestData.Options(PartitionSpec.Identity("dt"))))
            .Build();

        var result = await pipeline.RunAsync();

        Assert.Equal(10_000, result.RowsWritten);
        var glob = Duck.Glob(temp.Root);
        var row = Duck.Query($"SELECT count(*), sum(id), sum(amount), count(note), count(DISTINCT dt), min(dt), max(dt), sum(customer), count(DISTINCT currency) FROM {glob}")[0];
        Assert.Equal(10_000L, Convert.ToInt64(row[0], CultureInfo.InvariantCulture));
        Assert.Equal(Enumerable.Range(0, 10_000).Sum(i => (long)i), Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
        Assert.Equal(Enumerable.Range(0, 10_000).Where(i => i % 11 != 0).Sum(i => i * 0.25), Convert.ToDouble(row[2], CultureInfo.InvariantCulture), 6);
        Assert.Equal(8_000L, Convert.ToInt64(row[3], CultureInfo.InvariantCulture));
        Assert.Equal(30L, Convert.ToInt64(row[4], CultureInfo.InvariantCulture));
        Assert.Equal(LakeTestData.FirstDay, row[5]);
        Assert.Equal(LakeTestData.FirstDay.AddDays(29), row[6]);
        Assert.Equal(Enumerable.Range(0, 10_000).Sum(i => (long)(i * 7919L % 100_000)), Convert.ToInt64(row[7], CultureInfo.InvariantCulture));
        Assert.Equal(5L, Convert.ToInt64(row[8], CultureInfo.InvariantCulture));

        // Row-level agreement: each id has its own day folder and timestamp.
        var mismatches = Duck.Scalar($"SELECT count(*) FROM {glob} WHERE dt <> DATE '2024-03-01' + CAST(id % 30 AS INTEGER) OR ts <> TIMESTAMPTZ '2024-03-01 00:00:00+00' + to_days(CAST(id % 30 AS INTEGER)) + to_seconds(id % 86399) OR note IS DISTINCT FROM CASE WHEN id % 5 = 0 THEN NULL ELSE 'note-' || id END");
        Assert.Equal(0L, Convert.ToInt64(mismatches, CultureInfo.InvariantCulture));

        var types = Duck.Types(temp.Root);
        Assert.Equal("BIGINT", types["id"]);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", types["ts"]);
        Assert.Equal("INTEGER", types["customer"]);
        Assert.Equal("DOUBLE", types["amount"]);
        Assert.Equal("VARCHAR", types["currency"]);
        Assert.Equal("DATE", types["dt"]);
        Assert.Equal(30, temp.ParquetFiles().Count);
        Assert.All(temp.ParquetFiles(), f => Assert.Matches(@"^dt=2024-03-\d\d/part-orders-00001-00000\.parquet$", f.Replace('\\', '/')));

        // Hive convention: the partition column lives in the folder name, not in the files.
        var oneFile = Path.Combine(temp.Root, temp.ParquetFiles()[0]);
        Assert.DoesNotContain(Duck.Query($"DESCRIBE SELECT * FROM read_parquet('{oneFile}', hive_partitioning = false)"), r => (string)r[0]! == "dt");
        foreach (var batch in allocatorBatches)
        {
            batch.Dispose();
        }
    }

    [Fact]
    public async Task WriteAsync_EscapedNullAndUnicodeValues_DuckDbReadsTheOriginalValues()
    {
        using var temp = new TempLake();
        string?[] keys = ["a/b", "x=y", "100%", "..", ".", null, "", "é", "e\u0301", "日本", "a／b", "tab\there", " lead", "trail.", "__HIVE_DEFAULT_PARTITION__", "q?*:\"<>|", "back\\slash", "plain"];
        var schema = LakeTestData.KeyValueSchema("weird key/=%");
        await LakeTestData.WriteAsync(temp.Root, LakeTestData.Options(PartitionSpec.Identity("weird key/=%")), schema, [LakeTestData.KeyValue(schema, keys, 0)]);

        Assert.Empty(temp.EntriesOutsideRoot());
        // DuckDB decodes partition values but not partition key names: it calls the column by its escaped name.
        var rows = Duck.Query($"SELECT id, \"{HivePath.EscapeName("weird key/=%")}\" FROM {Duck.Glob(temp.Root)} ORDER BY id");
        Assert.Equal(keys.Length, rows.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal((long)i, Convert.ToInt64(rows[i][0], CultureInfo.InvariantCulture));
            Assert.Equal(keys[i], (string?)rows[i][1]);
        }

        // Our reader rebuilds the same values.
        var batches = await LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root));
        var read = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => (((Int64Array)b.Column("id")).GetValue(i)!.Value, ((StringArray)b.Column("weird key/=%")).GetString(i)))).OrderBy(p => p.Value).ToList();
        Assert.Equal(keys, read.Select(p => p.Item2));
        batches.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task WriteAsync_KeepPartitionColumns_KeepsThemInTheFiles()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("currency"));
        options.KeepPartitionColumns = true;
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 100)]);
        var oneFile = Path.Combine(temp.Root, temp.ParquetFiles()[0]);
        Assert.Contains(Duck.Query($"DESCRIBE SELECT * FROM read_parquet('{oneFile}', hive_partitioning = false)"), r => (string)r[0]! == "currency");
        Assert.Equal(100, Duck.Count(temp.Root));
    }

    [Theory]
    [InlineData(ParquetCompression.Snappy)]
    [InlineData(ParquetCompression.Zstd)]
    [InlineData(ParquetCompression.Gzip)]
    [InlineData(ParquetCompression.Lz4)]
    [InlineData(ParquetCompression.None)]
    public async Task WriteAsync_EveryCodec_IsReadableByDuckDb(ParquetCompression codec)
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("currency"));
        options.Parquet.Compression = codec;
        options.Parquet.DictionaryColumns.Add("note");
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 3000)]);
        Assert.Equal(3000, Duck.Count(temp.Root));
        Assert.Equal(Enumerable.Range(0, 3000).Sum(i => (long)i), Convert.ToInt64(Duck.Scalar($"SELECT sum(id) FROM {Duck.Glob(temp.Root)}"), CultureInfo.InvariantCulture));
        var expected = codec switch
        {
            ParquetCompression.Snappy => "SNAPPY",
            ParquetCompression.Zstd => "ZSTD",
            ParquetCompression.Gzip => "GZIP",
            ParquetCompression.Lz4 => "LZ4_RAW",
            _ => "UNCOMPRESSED",
        };
        var file = Path.Combine(temp.Root, temp.ParquetFiles()[0]);
        Assert.Equal(expected, Duck.Scalar($"SELECT DISTINCT compression FROM parquet_metadata('{file}') WHERE path_in_schema = 'id'"));
    }

    [Fact]
    public async Task WriteAsync_AllSupportedTypesWithNulls_RoundTripThroughDuckDb()
    {
        using var temp = new TempLake();
        var schema = new Schema.Builder()
            .Field(f => f.Name("p").DataType(Int32Type.Default).Nullable(false))
            .Field(f => f.Name("b").DataType(BooleanType.Default))
            .Field(f => f.Name("i8").DataType(Int8Type.Default))
            .Field(f => f.Name("i16").DataType(Int16Type.Default))
            .Field(f => f.Name("i64").DataType(Int64Type.Default))
            .Field(f => f.Name("u8").DataType(UInt8Type.Default))
            .Field(f => f.Name("u32").DataType(UInt32Type.Default))
            .Field(f => f.Name("f").DataType(FloatType.Default))
            .Field(f => f.Name("dec").DataType(new Decimal128Type(18, 3)))
            .Field(f => f.Name("bin").DataType(BinaryType.Default))
            .Field(f => f.Name("d").DataType(Date32Type.Default))
            .Field(f => f.Name("ts").DataType(new TimestampType(TimeUnit.Nanosecond, (string?)null)))
            .Build();
        const int rows = 200;
        var p = new Int32Array.Builder();
        var b = new BooleanArray.Builder();
        var i8 = new Int8Array.Builder();
        var i16 = new Int16Array.Builder();
        var i64 = new Int64Array.Builder();
        var u8 = new UInt8Array.Builder();
        var u32 = new UInt32Array.Builder();
        var f = new FloatArray.Builder();
        var dec = new Decimal128Array.Builder(new Decimal128Type(18, 3));
        var bin = new BinaryArray.Builder();
        var d = new Date32Array.Builder();
        var ts = new TimestampArray.Builder(new TimestampType(TimeUnit.Nanosecond, (string?)null));
        for (var i = 0; i < rows; i++)
        {
            p.Append(i % 3);
            var isNull = i % 7 == 0;
            if (isNull)
            {
                b.AppendNull();
                i8.AppendNull();
                i16.AppendNull();
                i64.AppendNull();
                u8.AppendNull();
                u32.AppendNull();
                f.AppendNull();
                dec.AppendNull();
                bin.AppendNull();
                d.AppendNull();
                ts.AppendNull();
                continue;
            }

            b.Append(i % 2 == 0);
            i8.Append((sbyte)(i - 100));
            i16.Append((short)(i * 100));
            i64.Append(i * 1_000_000_007L);
            u8.Append((byte)i);
            u32.Append((uint)i * 3_000_000u);
            f.Append(i / 4f);
            dec.Append(i * 1.125m);
            bin.Append([(byte)i, 0, 255]);
            d.Append(new DateTime(2000, 1, 1).AddDays(i));
            ts.Append(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(i * 1234567L));
        }

        var batch = new RecordBatch(schema, [p.Build(), b.Build(), i8.Build(), i16.Build(), i64.Build(), u8.Build(), u32.Build(), f.Build(), dec.Build(), bin.Build(), d.Build(), ts.Build()], rows);
        var options = LakeTestData.Options(PartitionSpec.Identity("p"));
        options.RowGroupSize = 17;
        await LakeTestData.WriteAsync(temp.Root, options, schema, [batch]);

        var result = Duck.Query($"SELECT p, b, i8, i16, i64, u8, u32, f, dec, bin, d, ts FROM {Duck.Glob(temp.Root)} ORDER BY i64 NULLS FIRST, p");
        Assert.Equal(rows, result.Count);
        var nonNull = result.Where(r => r[4] is not null).ToList();
        Assert.Equal(rows - ((rows + 6) / 7), nonNull.Count);
        Assert.Equal((rows + 6) / 7, result.Count(r => r[1] is null && r[2] is null && r[9] is null && r[11] is null));
        foreach (var r in nonNull)
        {
            var i = (int)(Convert.ToInt64(r[4], CultureInfo.InvariantCulture) / 1_000_000_007L);
            Assert.Equal((long)(i % 3), Convert.ToInt64(r[0], CultureInfo.InvariantCulture));
            Assert.Equal(i % 2 == 0, r[1]);
            Assert.Equal((sbyte)(i - 100), r[2]);
            Assert.Equal((short)(i * 100), r[3]);
            Assert.Equal((byte)i, r[5]);
            Assert.Equal((uint)i * 3_000_000u, r[6]);
            Assert.Equal(i / 4f, r[7]);
            Assert.Equal(i * 1.125m, r[8]);
            Assert.Equal(new byte[] { (byte)i, 0, 255 }, (byte[])r[9]!);
            Assert.Equal(DateOnly.FromDateTime(new DateTime(2000, 1, 1).AddDays(i)), r[10]);
        }
    }

    [Fact]
    public async Task WriteAsync_Append_AddsToExistingData()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 300)], run: 1);
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(300, 300)], run: 2);
        Assert.Equal(600, Duck.Count(temp.Root));
        Assert.Equal(600L, Convert.ToInt64(Duck.Scalar($"SELECT count(DISTINCT id) FROM {Duck.Glob(temp.Root)}"), CultureInfo.InvariantCulture));
        Assert.Equal(60, temp.ParquetFiles().Count);
    }

    [Fact]
    public async Task WriteAsync_OverwritePartitions_ReplacesOnlyTouchedPartitionsAndDeletesOldFiles()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 100, days: 10)], run: 1);
        var before = temp.ParquetFiles();

        // Days 5..14 (ids 1000.. with id % 10 → days 0..9, shifted by writing 15 days and keeping days ≥ 5).
        options.Mode = LakeWriteMode.OverwritePartitions;
        var second = LakeTestData.OrdersBatch(1000, 150, days: 15);
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [second], run: 2);

        var rows = Duck.Query($"SELECT dt, min(id), count(*) FROM {Duck.Glob(temp.Root)} GROUP BY dt ORDER BY dt");
        Assert.Equal(15, rows.Count);
        Assert.All(rows, r => Assert.Equal(10L, Convert.ToInt64(r[2], CultureInfo.InvariantCulture)));
        Assert.All(rows, r => Assert.True(Convert.ToInt64(r[1], CultureInfo.InvariantCulture) >= 1000, "every day 0..9 was overwritten by run 2 and days 10..14 are new"));
        Assert.All(before, f => Assert.False(File.Exists(Path.Combine(temp.Root, f))));

        var dataset = await Core.Lake.OpenAsync(temp.Root);
        Assert.Equal(LakeOperation.Overwrite, dataset.Commits[1].Operation);
        Assert.Equal(10, dataset.Commits[1].FilesRemoved);
        Assert.Equal(15, dataset.Latest!.Files.Count);
    }

    [Fact]
    public async Task WriteAsync_OverwriteSomePartitions_KeepsTheOthers()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("currency"));
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 100)], run: 1);
        options.Mode = LakeWriteMode.OverwritePartitions;

        // ids 100..104 cover every currency once; keep only EUR (id % 5 == 0) → one partition replaced.
        var only = LakeTestData.OrdersBatch(100, 1);
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [only], run: 2);

        var counts = Duck.Query($"SELECT currency, count(*) FROM {Duck.Glob(temp.Root)} GROUP BY currency ORDER BY currency").ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));
        Assert.Equal(1L, counts["EUR"]);
        Assert.Equal(20L, counts["USD"]);
        Assert.Equal(20L, counts["GBP"]);
    }

    [Fact]
    public async Task OpenAsync_ErrorIfExistsWithData_FailsBeforeWritingAnything()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 10)], run: 1);
        var options = new LakeWriteOptions { Mode = LakeWriteMode.ErrorIfExists };
        var sink = Core.Lake.Write(temp.Root, options);
        var e = await Assert.ThrowsAsync<DataEngException>(async () => await sink.OpenAsync(LakeTestData.Orders, LakeTestData.Context(run: 2)));
        Assert.Contains("ErrorIfExists", e.Message, StringComparison.Ordinal);
        Assert.Single(temp.ParquetFiles());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Root, "_dataeng", "staging")));

        // An empty folder is fine.
        using var empty = new TempLake();
        await LakeTestData.WriteAsync(empty.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 10)]);
        Assert.Equal(10, Duck.Count(empty.Root));
    }

    [Fact]
    public async Task OpenAsync_SchemaPolicyFail_ListsEveryDifference()
    {
        using var temp = new TempLake();
        var schema = new Schema.Builder().Field(f => f.Name("a").DataType(Int32Type.Default)).Field(f => f.Name("b").DataType(StringType.Default)).Build();
        await LakeTestData.WriteAsync(temp.Root, null, schema, [new RecordBatch(schema, [new Int32Array.Builder().Append(1).Build(), new StringArray.Builder().Append("x").Build()], 1)]);
        var other = new Schema.Builder().Field(f => f.Name("a").DataType(Int64Type.Default)).Field(f => f.Name("c").DataType(StringType.Default)).Build();
        var e = await Assert.ThrowsAsync<SchemaMismatchException>(async () => await Core.Lake.Write(temp.Root).OpenAsync(other, LakeTestData.Context(run: 2)));
        Assert.Equal(2, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("'a'", StringComparison.Ordinal) && p.Contains("int64", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(e.Problems, p => p.Contains("'c'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_SchemaPolicyEvolve_AddsNullableColumnsAndWidens()
    {
        using var temp = new TempLake();
        var v1 = new Schema.Builder().Field(f => f.Name("id").DataType(Int32Type.Default).Nullable(false)).Field(f => f.Name("x").DataType(FloatType.Default)).Build();
        await LakeTestData.WriteAsync(temp.Root, null, v1, [new RecordBatch(v1, [new Int32Array.Builder().Append(1).Append(2).Build(), new FloatArray.Builder().Append(0.5f).AppendNull().Build()], 2)], run: 1);
        var v2 = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false)).Field(f => f.Name("x").DataType(DoubleType.Default)).Field(f => f.Name("extra").DataType(StringType.Default).Nullable(false)).Build();
        var batch = new RecordBatch(v2, [new Int64Array.Builder().Append(5_000_000_000L).Build(), new DoubleArray.Builder().Append(2.25).Build(), new StringArray.Builder().Append("new").Build()], 1);
        await LakeTestData.WriteAsync(temp.Root, new LakeWriteOptions { SchemaPolicy = LakeSchemaPolicy.Evolve }, v2, [batch], run: 2);

        // A third write with the old schema still fits (int32 widens, the missing column is null).
        await LakeTestData.WriteAsync(temp.Root, new LakeWriteOptions { SchemaPolicy = LakeSchemaPolicy.Evolve }, v1, [new RecordBatch(v1, [new Int32Array.Builder().Append(3).Build(), new FloatArray.Builder().Append(1.5f).Build()], 1)], run: 3);

        var dataset = await Core.Lake.OpenAsync(temp.Root);
        var snapshot = dataset.Latest!;
        Assert.Equal("(id: int64, x: double?, extra: utf8?)", SchemaText.Describe(snapshot.Schema));

        var batches = await LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root));
        var rows = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => (((Int64Array)b.Column(0)).GetValue(i), ((DoubleArray)b.Column(1)).GetValue(i), ((StringArray)b.Column(2)).GetString(i)))).OrderBy(r => r.Item1).ToList();
        Assert.Equal([(1L, 0.5, null), (2L, null, null), (3L, 1.5, null), (5_000_000_000L, 2.25, "new")], rows);
        batches.ForEach(b => b.Dispose());

        // DuckDB reads the evolved files by name.
        Assert.Equal(4L, Convert.ToInt64(Duck.Scalar($"SELECT count(*) FROM read_parquet('{temp.Root}/**/*.parquet', union_by_name = true)"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task OpenAsync_SchemaPolicyEvolve_RefusesNarrowingAndOtherChanges()
    {
        using var temp = new TempLake();
        var v1 = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false)).Field(f => f.Name("s").DataType(StringType.Default)).Build();
        await LakeTestData.WriteAsync(temp.Root, null, v1, [new RecordBatch(v1, [new Int64Array.Builder().Append(1).Build(), new StringArray.Builder().Append("a").Build()], 1)]);
        var bad = new Schema.Builder().Field(f => f.Name("s").DataType(Int32Type.Default)).Build();
        var e = await Assert.ThrowsAsync<SchemaMismatchException>(async () => await Core.Lake.Write(temp.Root, new LakeWriteOptions { SchemaPolicy = LakeSchemaPolicy.Evolve }).OpenAsync(bad, LakeTestData.Context(run: 2)));
        Assert.Equal(2, e.Problems.Count);
    }

    [Fact]
    public async Task WriteAsync_MaxRowsPerFile_RollsFilesWithDeterministicNames()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("currency"));
        options.MaxRowsPerFile = 1000;
        options.RowGroupSize = 300;
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 12_000), LakeTestData.OrdersBatch(12_000, 15_500)], pipeline: "roll", run: 7);

        var dataset = await Core.Lake.OpenAsync(temp.Root);
        var eur = dataset.Latest!.Files.Where(f => f.PartitionPath == "currency=EUR").ToList();
        Assert.Equal(6, eur.Count);
        Assert.Equal([1000L, 1000, 1000, 1000, 1000, 500], eur.Select(f => f.RowCount));
        Assert.Equal(Enumerable.Range(0, 6).Select(n => $"currency=EUR/part-roll-00007-{n:D5}.parquet"), eur.Select(f => f.Path));
        Assert.All(dataset.Latest.Files, f => Assert.True(f.RowCount <= 1000));
        Assert.Equal(27_500, Duck.Count(temp.Root));
        Assert.Equal(4L, Convert.ToInt64(Duck.Scalar($"SELECT max(row_group_id) + 1 FROM parquet_metadata('{eur[0].FullPath}')"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WriteAsync_TargetFileSize_RollsBySize()
    {
        using var temp = new TempLake();
        var options = new LakeWriteOptions { TargetFileSizeBytes = 40_000, RowGroupSize = 2_000 };
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 30_000)]);
        var files = (await Core.Lake.OpenAsync(temp.Root)).Latest!.Files;
        Assert.True(files.Count > 3, $"expected several files, got {files.Count}");
        Assert.All(files.SkipLast(1), f => Assert.True(f.SizeBytes >= 40_000, $"{f.Path} is {f.SizeBytes} bytes"));
        Assert.Equal(30_000, files.Sum(f => f.RowCount));
        Assert.Equal(30_000, Duck.Count(temp.Root));
    }

    [Fact]
    public async Task WriteAsync_MaxOpenFiles_ClosesLeastRecentlyUsedFiles()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        options.MaxOpenFiles = 2;
        options.RowGroupSize = 50;
        var batches = Enumerable.Range(0, 10).Select(i => LakeTestData.OrdersBatch(i * 600L, 600, days: 6)).ToList();
        var writer = await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, batches);

        Assert.InRange(writer.PeakOpenFiles, 1, 2);
        var files = (await Core.Lake.OpenAsync(temp.Root)).Latest!.Files;
        Assert.True(files.Count > 6, "partitions reopened after an LRU close start new files");
        Assert.Equal(6000, Duck.Count(temp.Root));
        Assert.Equal(6000L, Convert.ToInt64(Duck.Scalar($"SELECT count(DISTINCT id) FROM {Duck.Glob(temp.Root)} WHERE dt = DATE '2024-03-01' + CAST(id % 6 AS INTEGER)"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WriteAsync_MaxPartitionsPerRun_FailsBeforeWritingPastTheLimit()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        options.MaxPartitionsPerRun = 5;
        var sink = Core.Lake.Write(temp.Root, options);
        var writer = await sink.OpenAsync(LakeTestData.Orders, LakeTestData.Context());
        await using (writer)
        {
            using (var ok = LakeTestData.OrdersBatch(0, 50, days: 5))
            {
                await writer.WriteAsync(ok);
            }

            using var tooMany = LakeTestData.OrdersBatch(50, 50, days: 10);
            var e = await Assert.ThrowsAsync<DataEngException>(async () => await writer.WriteAsync(tooMany));
            Assert.Contains("MaxPartitionsPerRun", e.Message, StringComparison.Ordinal);
            Assert.Contains("5 partitions", e.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<DataEngException>(async () => await writer.PrepareAsync(new SinkCommit("test", 1, "r", new Dictionary<string, string>())));
        }

        Assert.Empty(temp.ParquetFiles());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Root, "_dataeng", "staging")));
    }

    [Fact]
    public async Task CommitAsync_SameRunTwice_IsANoOp()
    {
        using var temp = new TempLake();
        var props = new Dictionary<string, string> { ["watermark"] = "2024-03-31" };
        await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 100)], pipeline: "p", run: 3, properties: props);

        // Same writer: CommitAsync again is a no-op.
        var sink = Core.Lake.Write(temp.Root);
        var context = LakeTestData.Context("p", 4);
        await using (var writer = await sink.OpenAsync(LakeTestData.Orders, context))
        {
            using var batch = LakeTestData.OrdersBatch(100, 10);
            await writer.WriteAsync(batch);
            await writer.PrepareAsync(new SinkCommit("p", 4, context.RunId, props));
            await writer.CommitAsync();
            await writer.CommitAsync();
        }

        // Another writer for a committed run (a retry after an ambiguous commit): nothing is added.
        var retry = await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 100)], pipeline: "p", run: 3, properties: props);
        Assert.Null(retry.Published);

        Assert.Equal(110, Duck.Count(temp.Root));
        var dataset = await Core.Lake.OpenAsync(temp.Root);
        Assert.Equal(2, dataset.Version);
        var last = await dataset.GetLastCommitAsync("p");
        Assert.Equal(4, last!.RunNumber);
        Assert.Equal("2024-03-31", last.Properties["watermark"]);
        Assert.True(await dataset.IsCommittedAsync("p", 3));
        Assert.Null(await dataset.GetLastCommitAsync("other"));
    }

    [Fact]
    public async Task CommitAsync_NoRows_StillCommitsTheRunAndItsProperties()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [], pipeline: "p", run: 1, properties: new Dictionary<string, string> { ["w"] = "1" });
        var dataset = await Core.Lake.OpenAsync(temp.Root);
        Assert.Equal(1, dataset.Version);
        Assert.Empty(dataset.Latest!.Files);
        Assert.Equal("1", (await dataset.GetLastCommitAsync("p"))!.Properties["w"]);
    }

    [Fact]
    public async Task AbortAsync_RemovesEverythingTheRunWrote()
    {
        using var temp = new TempLake();
        var sink = Core.Lake.Write(temp.Root, LakeTestData.Options(PartitionSpec.Identity("dt")));
        await using (var writer = await sink.OpenAsync(LakeTestData.Orders, LakeTestData.Context()))
        {
            using var batch = LakeTestData.OrdersBatch(0, 1000);
            await writer.WriteAsync(batch);
            await writer.PrepareAsync(new SinkCommit("test", 1, "r", new Dictionary<string, string>()));
            await writer.AbortAsync();
        }

        Assert.Empty(temp.ParquetFiles());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Root, "_dataeng", "staging")));
        Assert.Equal(0, (await Core.Lake.OpenAsync(temp.Root)).Version);
    }

    [Fact]
    public async Task WriteAsync_BatchesAreBorrowed_CallerDisposesEverything()
    {
        using var temp = new TempLake();
        var allocator = new CountingMemoryAllocator();
        var sink = Core.Lake.Write(temp.Root, LakeTestData.Options(PartitionSpec.Identity("currency")));
        await using (var writer = await sink.OpenAsync(TestSchema, LakeTestData.Context()))
        {
            for (var i = 0; i < 5; i++)
            {
                using var batch = Build(allocator, i * 1000, 1000);
                await writer.WriteAsync(batch);
            }

            await writer.PrepareAsync(new SinkCommit("test", 1, "r", new Dictionary<string, string>()));
            await writer.CommitAsync();
        }

        Assert.Equal(0, allocator.LiveAllocations);
        Assert.Equal(5000, Duck.Count(temp.Root));
    }

    [Fact]
    public async Task OpenAsync_LeftoversOfACrashedCommit_AreRemovedBeforeWriting()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 60)], run: 1);

        // A crashed commit: a staging folder (no lock holder) with a staged file and a plan naming a file that was
        // renamed into a partition but never made it into a manifest; plus a stale lock without a folder.
        var staging = Path.Combine(temp.Root, "_dataeng", "staging", "crashed-1234");
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, "000001.inprogress"), "half a file");
        File.WriteAllText(Path.Combine(staging, "plan.json"), "[\"dt=2024-03-02/part-test-00009-00000.parquet\",\"dt=2099-01-01/part-test-00009-00000.parquet\"]");
        File.WriteAllText(staging + ".lock", "");
        File.WriteAllText(Path.Combine(temp.Root, "_dataeng", "staging", "other.lock"), "");
        var orphan = Path.Combine(temp.Root, "dt=2024-03-02", "part-test-00009-00000.parquet");
        File.Copy(Path.Combine(temp.Root, temp.ParquetFiles()[0]), orphan);
        Assert.Equal(62, Duck.Count(temp.Root));

        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(60, 60)], run: 2);

        Assert.False(File.Exists(orphan));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Root, "_dataeng", "staging")));
        Assert.Equal(120, Duck.Count(temp.Root));
        Assert.Equal(120L, Convert.ToInt64(Duck.Scalar($"SELECT count(DISTINCT id) FROM {Duck.Glob(temp.Root)}"), CultureInfo.InvariantCulture));
    }

    public static TheoryData<LakeCommitStep> Steps => [.. Enum.GetValues<LakeCommitStep>().Where(static s => s != LakeCommitStep.FileVacuumed)]; // a vacuum-only step

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task CommitObserver_CrashAtEveryStep_NextOpenShowsEachCommittedRowOnce(LakeCommitStep step)
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        options.MaxRowsPerFile = 40;
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 300, days: 5)], run: 1);

        // Run 2 overwrites two days (so removals are exercised) and crashes at the step.
        var crashing = LakeTestData.Options(PartitionSpec.Identity("dt"));
        crashing.Mode = LakeWriteMode.OverwritePartitions;
        crashing.MaxRowsPerFile = 40;
        crashing.CheckpointInterval = 1;
        crashing.CommitObserver = s =>
        {
            if (s == step)
            {
                throw new InvalidOperationException("simulated crash at " + s);
            }
        };
        var crashed = false;
        try
        {
            await LakeTestData.WriteAsync(temp.Root, crashing, LakeTestData.Orders, [LakeTestData.OrdersBatch(1000, 100, days: 2)], run: 2);
        }
        catch (DataEngException e) when (e.InnerException is InvalidOperationException)
        {
            crashed = true;
        }

        Assert.True(crashed);
        var committed = step >= LakeCommitStep.ManifestPublished;

        // The next open (a writer of run 3) recovers, then adds its own rows.
        await LakeTestData.WriteAsync(temp.Root, LakeTestData.Options(PartitionSpec.Identity("dt")), LakeTestData.Orders, [LakeTestData.OrdersBatch(5000, 50, days: 5)], run: 3);

        var expected = new List<long>();
        expected.AddRange(Enumerable.Range(0, 300).Select(i => (long)i).Where(id => !committed || id % 5 >= 2));
        if (committed)
        {
            expected.AddRange(Enumerable.Range(1000, 100).Select(i => (long)i));
        }

        expected.AddRange(Enumerable.Range(5000, 50).Select(i => (long)i));
        var ids = Duck.Query($"SELECT id FROM {Duck.Glob(temp.Root)} ORDER BY id").Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(expected.Order(), ids);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Root, "_dataeng", "staging")));
        Assert.Empty(Directory.EnumerateFiles(temp.Root, "*.inprogress", SearchOption.AllDirectories));

        // A manifest-aware reader agrees with the glob.
        var batches = await LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root));
        Assert.Equal(expected.Order(), batches.SelectMany(b => ((Int64Array)b.Column("id")).Values.ToArray()).Order());
        batches.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task WriteAsync_TenMillionRowsOver30Days_DuckDbAgreesOnCountSumAndPartitions()
    {
        using var temp = new TempLake();
        const int batches = 10;
        const int rows = 1_000_000;
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        options.Parquet.Compression = ParquetCompression.Snappy;
        var sink = Core.Lake.Write(temp.Root, options);
        var context = LakeTestData.Context("ten-million");
        await using (var writer = await sink.OpenAsync(BenchSchema, context))
        {
            for (var b = 0; b < batches; b++)
            {
                using var batch = BenchBatch(b * (long)rows, rows);
                await writer.WriteAsync(batch);
            }

            await writer.PrepareAsync(new SinkCommit("ten-million", 1, context.RunId, new Dictionary<string, string>()));
            await writer.CommitAsync();
        }

        var row = Duck.Query($"SELECT count(*), sum(id), count(DISTINCT dt), sum(amount), count(note) FROM {Duck.Glob(temp.Root)}")[0];
        const long total = (long)batches * rows;
        Assert.Equal(total, Convert.ToInt64(row[0], CultureInfo.InvariantCulture));
        Assert.Equal(total * (total - 1) / 2, Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
        Assert.Equal(30L, Convert.ToInt64(row[2], CultureInfo.InvariantCulture));
        Assert.Equal(total - (total / 5), Convert.ToInt64(row[4], CultureInfo.InvariantCulture));
        var snapshot = (await Core.Lake.OpenAsync(temp.Root)).Latest!;
        Assert.Equal(total, snapshot.RowCount);
        Assert.Equal(30, snapshot.Partitions.Count);
    }

    internal static readonly Schema TestSchema = new Schema.Builder()
        .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
        .Field(f => f.Name("currency").DataType(StringType.Default))
        .Field(f => f.Name("note").DataType(StringType.Default))
        .Build();

    internal static RecordBatch Build(Apache.Arrow.Memory.MemoryAllocator allocator, long first, int rows)
    {
        var ids = new Int64Array.Builder();
        var currency = new StringArray.Builder();
        var note = new StringArray.Builder();
        for (var i = 0; i < rows; i++)
        {
            ids.Append(first + i);
            currency.Append(LakeTestData.Currencies[(first + i) % 5]);
            if (i % 3 == 0)
            {
                note.AppendNull();
            }
            else
            {
                note.Append("n" + i.ToString(CultureInfo.InvariantCulture));
            }
        }

        return new RecordBatch(TestSchema, [ids.Build(allocator), currency.Build(allocator), note.Build(allocator)], rows);
    }

    internal static readonly Schema BenchSchema = new Schema.Builder()
        .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
        .Field(f => f.Name("ts").DataType(new TimestampType(TimeUnit.Microsecond, "UTC")).Nullable(false))
        .Field(f => f.Name("dt").DataType(Date32Type.Default).Nullable(false))
        .Field(f => f.Name("customer_id").DataType(Int32Type.Default).Nullable(false))
        .Field(f => f.Name("amount").DataType(DoubleType.Default).Nullable(false))
        .Field(f => f.Name("currency").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("note").DataType(StringType.Default).Nullable(true))
        .Build();

    /// <summary>The benchmark dataset's shape, built fast straight into Arrow buffers.</summary>
    internal static RecordBatch BenchBatch(long first, int rows)
    {
        var ids = new ArrowBuffer.Builder<long>(rows);
        var ts = new ArrowBuffer.Builder<long>(rows);
        var dt = new ArrowBuffer.Builder<int>(rows);
        var customers = new ArrowBuffer.Builder<int>(rows);
        var amounts = new ArrowBuffer.Builder<double>(rows);
        var currencyOffsets = new ArrowBuffer.Builder<int>(rows + 1);
        var currencyData = new ArrowBuffer.Builder<byte>(rows * 3);
        var noteOffsets = new ArrowBuffer.Builder<int>(rows + 1);
        var noteData = new ArrowBuffer.Builder<byte>(rows * 16);
        var noteValidity = new ArrowBuffer.BitmapBuilder(rows);
        var firstDay = LakeTestData.FirstDay.DayNumber - 719162;
        currencyOffsets.Append(0);
        noteOffsets.Append(0);
        var currencyBytes = LakeTestData.Currencies.Select(System.Text.Encoding.ASCII.GetBytes).ToArray();
        Span<byte> note = stackalloc byte[24];
        var noteLength = 0;
        for (var i = 0; i < rows; i++)
        {
            var id = first + i;
            var day = (int)(id % 30);
            ids.Append(id);
            ts.Append(((firstDay + day) * 86_400L * 1_000_000) + (id % 86_400_000_000L));
            dt.Append(firstDay + day);
            customers.Append((int)((id * 2654435761L) % 100_000));
            amounts.Append((id % 10_000) * 0.01);
            currencyData.Append(currencyBytes[id % 5]);
            currencyOffsets.Append(currencyData.Length);
            if (id % 5 == 0)
            {
                noteValidity.Append(false);
            }
            else
            {
                noteLength = 8 + (int)(id % 17);
                note[..noteLength].Fill((byte)('a' + (id % 26)));
                noteData.Append(note[..noteLength]);
                noteValidity.Append(true);
            }

            noteOffsets.Append(noteData.Length);
        }

        IArrowArray[] arrays =
        [
            new Int64Array(ids.Build(), ArrowBuffer.Empty, rows, 0, 0),
            new TimestampArray(new TimestampType(TimeUnit.Microsecond, "UTC"), ts.Build(), ArrowBuffer.Empty, rows, 0, 0),
            new Date32Array(dt.Build(), ArrowBuffer.Empty, rows, 0, 0),
            new Int32Array(customers.Build(), ArrowBuffer.Empty, rows, 0, 0),
            new DoubleArray(amounts.Build(), ArrowBuffer.Empty, rows, 0, 0),
            new StringArray(rows, currencyOffsets.Build(), currencyData.Build(), ArrowBuffer.Empty, 0, 0),
            new StringArray(rows, noteOffsets.Build(), noteData.Build(), noteValidity.Build(), noteValidity.UnsetBitCount, 0),
        ];
        return new RecordBatch(BenchSchema, arrays, rows);
    }
}
