using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using CsCheck;
using DataEng.Core.ParquetFormat;
using Parquet;

namespace DataEng.Core.Tests.Parquet;

/// <summary>The builtin Parquet engine (<see cref="ParquetChunkEncoder"/>): files read back by DuckDB, ParquetSharp,
/// Parquet.Net and our reader; footers identical to the Parquet.Net engine's; statistics checked by DuckDB.</summary>
public sealed class BuiltinParquetEncoderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dataeng-pqb-" + Guid.NewGuid().ToString("N"));

    public BuiltinParquetEncoderTests()
    {
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static ParquetWriteOptions Builtin(ParquetCompression codec = ParquetCompression.Snappy, int rowGroupSize = 1_048_576)
        => new() { Compression = codec, RowGroupSize = rowGroupSize };

    [Theory]
    [InlineData(ParquetCompression.None)]
    [InlineData(ParquetCompression.Snappy)]
    [InlineData(ParquetCompression.Zstd)]
    [InlineData(ParquetCompression.Gzip)]
    [InlineData(ParquetCompression.Lz4)]
    public async Task WriteAsync_EveryTypeEveryCodec_FourReadersReadSameValues(ParquetCompression codec)
    {
        // Up to 290 rows: the test dates run out of DateOnly's range after that.
        using var batch = ParquetTestData.AllTypesBatch(rows: 290);
        var path = await ParquetTestData.WriteFileAsync(PathOf("all.parquet"), [batch], batch.Schema, Builtin(codec, rowGroupSize: 100));

        await AssertOurReaderAsync(path, [batch]);
        AssertDuckDb(path, [batch]);
        AssertParquetSharp(path, [batch]);
        await AssertParquetNetAsync(path, [batch]);
        Assert.Equal(3, Duck.Query($"SELECT DISTINCT row_group_id FROM parquet_metadata('{path}')").Count);
    }

    [Fact]
    public async Task CompleteAsync_EveryType_DuckDbSeesTheDocumentedSchemaElements()
    {
        using var batch = ParquetTestData.AllTypesBatch();
        var metadata = new Dictionary<string, string> { ["k"] = "v" };
        var path = await ParquetTestData.WriteFileAsync(PathOf("b.parquet"), [batch], batch.Schema, Builtin(), metadata);

        // DuckDB's own footer parser: physical type, type length, repetition, converted type, scale, precision and
        // logical type of every column, as docs/parquet.md lists them.
        var elements = Duck.Query($"SELECT name, type, type_length, repetition_type, converted_type, scale, precision, logical_type FROM parquet_schema('{path}')")
            .Select(r => Normalize(string.Join("|", r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))))
            .ToList();
        string[] expected =
        [
            "root|||||||",
            "b|BOOLEAN||OPTIONAL||||",
            "i8|INT32||OPTIONAL|INT_8|||IntType(bitWidth=8, isSigned=1)",
            "i16|INT32||OPTIONAL|INT_16|||IntType(bitWidth=16, isSigned=1)",
            "i32|INT32||OPTIONAL|INT_32|||IntType(bitWidth=32, isSigned=1)",
            "i64|INT64||REQUIRED|INT_64|||IntType(bitWidth=64, isSigned=1)",
            "u8|INT32||OPTIONAL|UINT_8|||IntType(bitWidth=8, isSigned=0)",
            "u16|INT32||OPTIONAL|UINT_16|||IntType(bitWidth=16, isSigned=0)",
            "u32|INT32||OPTIONAL|UINT_32|||IntType(bitWidth=32, isSigned=0)",
            "u64|INT64||OPTIONAL|UINT_64|||IntType(bitWidth=64, isSigned=0)",
            "f32|FLOAT||OPTIONAL||||",
            "f64|DOUBLE||OPTIONAL||||",
            "d9|INT32||OPTIONAL|DECIMAL|2|9|DecimalType(scale=2, precision=9)",
            "d18|INT64||OPTIONAL|DECIMAL|4|18|DecimalType(scale=4, precision=18)",
            "d38|FIXED_LEN_BYTE_ARRAY|16|OPTIONAL|DECIMAL|10|38|DecimalType(scale=10, precision=38)",
            "s|BYTE_ARRAY||OPTIONAL|UTF8|||StringType()",
            "bin|BYTE_ARRAY||OPTIONAL||||",
            "date|INT32||OPTIONAL|DATE|||DateType()",
            "ts_s|INT64||OPTIONAL||||TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=MilliSeconds()))",
            "ts_ms|INT64||OPTIONAL||||TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=MilliSeconds()))",
            "ts_us|INT64||OPTIONAL||||TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MICROS=MicroSeconds()))",
            "ts_ns|INT64||OPTIONAL||||TimestampType(isAdjustedToUTC=0, unit=TimeUnit(NANOS=NanoSeconds()))",
            "tz_ms|INT64||OPTIONAL|TIMESTAMP_MILLIS|||TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=MilliSeconds()))",
            "tz_us|INT64||OPTIONAL|TIMESTAMP_MICROS|||TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MICROS=MicroSeconds()))",
            "tz_ns|INT64||OPTIONAL||||TimestampType(isAdjustedToUTC=1, unit=TimeUnit(NANOS=NanoSeconds()))",
        ];
        Assert.Equal(expected, elements);

        var (_, ourMeta, ourRows) = await FooterAsync(path);
        Assert.Equal(batch.Length, ourRows);
        Assert.Equal("v", ourMeta["k"]);
        Assert.Contains(ParquetSchemaMapping.ArrowTypesKey, ourMeta.Keys);

        // DuckDB prints the Thrift structs as they are: a bit width as its raw byte, unset union members as <null>.
        static string Normalize(string element)
        {
            element = System.Text.RegularExpressions.Regex.Replace(element, "bitWidth=(.)", m => "bitWidth=" + (int)m.Groups[1].Value[0]);
            element = System.Text.RegularExpressions.Regex.Replace(element, @"(, )?\w+=<null>", "").Replace("(, ", "(", StringComparison.Ordinal);
            return System.Text.RegularExpressions.Regex.Replace(element, "=true\\b", "=1").Replace("=false", "=0", StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WriteAsync_NoRows_FileHasSchemaAndNoRowGroups()
    {
        using var batch = ParquetTestData.AllTypesBatch(rows: 0);
        var path = await ParquetTestData.WriteFileAsync(PathOf("empty.parquet"), [batch], batch.Schema, Builtin());

        Assert.Equal(batch.Schema.FieldsList.Count, Duck.Describe(path).Count);
        Assert.Equal(0L, Convert.ToInt64(Duck.Query($"SELECT count(*) FROM read_parquet('{path}')")[0][0], CultureInfo.InvariantCulture));
        var read = await ParquetTestData.ReadAllAsync(path);
        Assert.Equal(0, read.Sum(b => b.Length));
        read.ForEach(b => b.Dispose());
        AssertParquetSharp(path, [batch]);
    }

    [Fact]
    public async Task WriteAsync_AllNullColumns_ReadBackAsNullsWithNullCountStatistics()
    {
        var schema = new Schema.Builder()
            .Field(f => f.Name("i").DataType(Int32Type.Default).Nullable(true))
            .Field(f => f.Name("s").DataType(StringType.Default).Nullable(true))
            .Field(f => f.Name("b").DataType(BooleanType.Default).Nullable(true))
            .Build();
        using var batch = new RecordBatch(schema, [
            new Int32Array.Builder().AppendNull().AppendNull().AppendNull().Build(),
            new StringArray.Builder().AppendNull().AppendNull().AppendNull().Build(),
            new BooleanArray.Builder().AppendNull().AppendNull().AppendNull().Build(),
        ], 3);
        var path = await ParquetTestData.WriteFileAsync(PathOf("nulls.parquet"), [batch], schema, Builtin());

        AssertDuckDb(path, [batch]);
        AssertParquetSharp(path, [batch]);
        var stats = Duck.Query($"SELECT path_in_schema, stats_null_count, stats_min_value, stats_max_value FROM parquet_metadata('{path}')");
        Assert.All(stats, row =>
        {
            Assert.Equal(3L, Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
            Assert.Null(row[2]);
            Assert.Null(row[3]);
        });
    }

    [Fact]
    public async Task WriteAsync_LargeChunks_SplitIntoPagesOfAboutOneMebibyte()
    {
        const int Rows = 40_000;
        var schema = new Schema.Builder()
            .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
            .Field(f => f.Name("text").DataType(StringType.Default).Nullable(true))
            .Build();
        var ids = new Int64Array.Builder();
        var texts = new StringArray.Builder();
        for (var i = 0; i < Rows; i++)
        {
            ids.Append(i);
            if (i % 7 == 3)
            {
                texts.AppendNull();
            }
            else
            {
                texts.Append($"row {i:D8} " + new string((char)('a' + (i % 26)), 90));
            }
        }

        using var batch = new RecordBatch(schema, [ids.Build(), texts.Build()], Rows);
        var path = await ParquetTestData.WriteFileAsync(PathOf("pages.parquet"), [batch.Slice(0, 12_345), batch.Slice(12_345, Rows - 12_345)], schema, Builtin(ParquetCompression.None));

        // About 3.4 MB of strings: at least three data pages, so the chunk is far larger than one page.
        var size = Duck.Query($"SELECT total_uncompressed_size FROM parquet_metadata('{path}') WHERE path_in_schema = 'text'");
        Assert.True(Convert.ToInt64(size[0][0], CultureInfo.InvariantCulture) > 3 * ParquetChunkEncoder.PageSize);
        AssertDuckDb(path, [batch]);
        AssertParquetSharp(path, [batch]);
        await AssertOurReaderAsync(path, [batch]);
        await AssertParquetNetAsync(path, [batch]);
    }

    [Fact]
    public async Task WriteAsync_DictionaryHintsAndFallback_EncodingsAsChosen()
    {
        const int Rows = 30_000;
        var schema = new Schema.Builder()
            .Field(f => f.Name("low").DataType(StringType.Default).Nullable(true))
            .Field(f => f.Name("hinted").DataType(BinaryType.Default).Nullable(false))
            .Field(f => f.Name("unique").DataType(StringType.Default).Nullable(false))
            .Field(f => f.Name("huge").DataType(StringType.Default).Nullable(false))
            .Build();
        var low = new StringArray.Builder();
        var hinted = new BinaryArray.Builder();
        var unique = new StringArray.Builder();
        var huge = new StringArray.Builder();
        for (var i = 0; i < Rows; i++)
        {
            if (i % 11 == 0)
            {
                low.AppendNull();
            }
            else
            {
                low.Append(i % 100 < 50 ? "même" : "city " + (i % 5));
            }

            hinted.Append([(byte)(i % 300 / 3), (byte)i]);
            unique.Append("u" + i.ToString(CultureInfo.InvariantCulture));
            huge.Append(i.ToString("D6", CultureInfo.InvariantCulture) + new string('x', 100));
        }

        using var batch = new RecordBatch(schema, [low.Build(), hinted.Build(), unique.Build(), huge.Build()], Rows);
        var options = Builtin();
        options.DictionaryColumns.Add("hinted");
        options.DictionaryColumns.Add("huge");
        var path = await ParquetTestData.WriteFileAsync(PathOf("dict.parquet"), [batch], schema, options);

        var encodings = Duck.Query($"SELECT path_in_schema, encodings, dictionary_page_offset FROM parquet_metadata('{path}')")
            .ToDictionary(r => (string)r[0]!, r => ((string)r[1]!, r[2]));
        Assert.Contains("RLE_DICTIONARY", encodings["low"].Item1, StringComparison.Ordinal);
        Assert.Contains("RLE_DICTIONARY", encodings["hinted"].Item1, StringComparison.Ordinal);
        Assert.DoesNotContain("DICTIONARY", encodings["unique"].Item1, StringComparison.Ordinal);
        Assert.Null(encodings["unique"].Item2);

        // 3 MB of distinct values: the dictionary would exceed its limit, so the hinted column falls back to PLAIN.
        Assert.DoesNotContain("DICTIONARY", encodings["huge"].Item1, StringComparison.Ordinal);
        AssertDuckDb(path, [batch]);
        AssertParquetSharp(path, [batch]);
        await AssertOurReaderAsync(path, [batch]);
        await AssertParquetNetAsync(path, [batch]);
    }

    [Fact]
    public async Task WriteAsync_EveryFixedWidthTypeHinted_DictionaryEncodedWithPlainStatistics()
    {
        // 290 rows in row groups of 100: every column with nulls, extremes, NaN and both zeros, each type hinted.
        using var batch = ParquetTestData.AllTypesBatch(rows: 290);
        var hinted = Builtin(rowGroupSize: 100);
        hinted.DictionaryColumns.UnionWith(batch.Schema.FieldsList.Select(f => f.Name));
        var plain = Builtin(rowGroupSize: 100);
        plain.AutoDictionary = false;
        var path = await ParquetTestData.WriteFileAsync(PathOf("dict.parquet"), [batch], batch.Schema, hinted);
        var plainPath = await ParquetTestData.WriteFileAsync(PathOf("plain.parquet"), [batch], batch.Schema, plain);

        const string Footer = "SELECT row_group_id, path_in_schema, encodings, stats_null_count, stats_min_value, stats_max_value FROM parquet_metadata('{0}') ORDER BY row_group_id, column_id";
        var chunks = Duck.Query(string.Format(CultureInfo.InvariantCulture, Footer, path));
        var plainChunks = Duck.Query(string.Format(CultureInfo.InvariantCulture, Footer, plainPath));
        Assert.Equal(3 * batch.ColumnCount, chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            var column = (string)chunks[i][1]!;
            var encodings = (string)chunks[i][2]!;
            if (column is "b" or "d38")
            {
                // Booleans and 16-byte decimals have no dictionary encoding in the builtin engine.
                Assert.DoesNotContain("DICTIONARY", encodings, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(encodings.Contains("RLE_DICTIONARY", StringComparison.Ordinal), $"{column}: {encodings}");
            }

            // Statistics come from the dictionary's entries and equal those of the PLAIN file.
            Assert.Equal(plainChunks[i][3..], chunks[i][3..]);
        }

        AssertDuckDb(path, [batch]);
        AssertParquetSharp(path, [batch]);
        await AssertOurReaderAsync(path, [batch]);
        await AssertParquetNetAsync(path, [batch]);
    }

    [Fact]
    public async Task WriteAsync_AutoDictionary_LowCardinalityNumbersDictionaryUniqueNumbersPlain()
    {
        const int Rows = 20_000;
        var schema = new Schema.Builder()
            .Field(f => f.Name("dt").DataType(Date32Type.Default).Nullable(true))
            .Field(f => f.Name("price").DataType(DoubleType.Default).Nullable(false))
            .Field(f => f.Name("customer").DataType(Int32Type.Default).Nullable(false))
            .Field(f => f.Name("flag").DataType(Int8Type.Default).Nullable(true))
            .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
            .Field(f => f.Name("ts").DataType(new TimestampType(TimeUnit.Microsecond, "UTC")).Nullable(true))
            .Field(f => f.Name("amount").DataType(DoubleType.Default).Nullable(false))
            .Build();
        var random = new Random(42);
        double[] prices = [double.NaN, -0.0, 0.0, 9.99, -2.5];
        var dt = new Date32Array.Builder();
        var price = new DoubleArray.Builder();
        var customer = new Int32Array.Builder();
        var flag = new Int8Array.Builder();
        var id = new Int64Array.Builder();
        var ts = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, "UTC"));
        var amount = new DoubleArray.Builder();
        for (var i = 0; i < Rows; i++)
        {
            if (i % 7 == 3)
            {
                dt.AppendNull();
                flag.AppendNull();
            }
            else
            {
                dt.Append(new DateTime(2026, 11, 1).AddDays(random.Next(30)));
                flag.Append((sbyte)(random.Next(3) - 1));
            }

            price.Append(prices[random.Next(prices.Length)]);
            customer.Append(random.Next(2_000));
            id.Append(i);
            if (i % 5 == 0)
            {
                ts.AppendNull();
            }
            else
            {
                ts.Append(DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(0, 30L * 86_400_000_000) * 10));
            }

            amount.Append(random.Next(10_000_000) / 100.0);
        }

        using var batch = new RecordBatch(schema, [dt.Build(), price.Build(), customer.Build(), flag.Build(), id.Build(), ts.Build(), amount.Build()], Rows);
        var path = await ParquetTestData.WriteFileAsync(PathOf("auto.parquet"), [batch], schema, Builtin());

        var encodings = Duck.Query($"SELECT path_in_schema, encodings, dictionary_page_offset FROM parquet_metadata('{path}')")
            .ToDictionary(r => (string)r[0]!, r => ((string)r[1]!, r[2]));
        foreach (var column in new[] { "dt", "price", "customer", "flag" })
        {
            // customer: 2,000 values among 20,000 rows; the sample's repeats estimate a small dictionary.
            Assert.True(encodings[column].Item1.Contains("RLE_DICTIONARY", StringComparison.Ordinal), $"{column}: {encodings[column].Item1}");
        }

        foreach (var column in new[] { "id", "ts", "amount" })
        {
            Assert.DoesNotContain("DICTIONARY", encodings[column].Item1, StringComparison.Ordinal);
            Assert.Null(encodings[column].Item2);
        }

        var stats = Duck.Query($"SELECT path_in_schema, stats_null_count, stats_min_value, stats_max_value FROM parquet_metadata('{path}')").ToDictionary(r => (string)r[0]!, r => r[1..]);
        foreach (var column in new[] { "dt", "customer", "flag" })
        {
            var actual = Duck.Query($"SELECT count(*) - count(\"{column}\"), min(\"{column}\")::VARCHAR, max(\"{column}\")::VARCHAR FROM read_parquet('{path}')")[0];
            Assert.Equal(Convert.ToInt64(actual[0], CultureInfo.InvariantCulture), Convert.ToInt64(stats[column][0], CultureInfo.InvariantCulture));
            Assert.Equal(actual[1..], stats[column][1..]);
        }

        // price holds NaN: its chunk has no min/max (from the dictionary's entries as from PLAIN values).
        Assert.Null(stats["price"][1]);
        Assert.Null(stats["price"][2]);
        AssertDuckDb(path, [batch]);
        AssertParquetSharp(path, [batch]);
        await AssertOurReaderAsync(path, [batch]);
    }

    [Fact]
    public async Task WriteAsync_NumericDictionaryPastLimit_LaterRowGroupFallsBackToPlain()
    {
        // Row group 0: 1,000 distinct values; row group 1: 270,000 (2.1 MB of dictionary, past the 2 MiB limit). The
        // int64 keys span less than 2^20 values (looked up directly), the doubles do not (hashed).
        const int RowGroup = 270_000;
        var schema = new Schema.Builder()
            .Field(f => f.Name("k").DataType(Int64Type.Default).Nullable(true))
            .Field(f => f.Name("x").DataType(DoubleType.Default).Nullable(false))
            .Build();
        var keys = new Int64Array.Builder();
        var doubles = new DoubleArray.Builder();
        for (var i = 0; i < 2 * RowGroup; i++)
        {
            if (i % 1_000 == 999)
            {
                keys.AppendNull();
            }
            else
            {
                keys.Append(i < RowGroup ? (i % 1_000) - 500 : i * 3L);
            }

            doubles.Append(i < RowGroup ? (i % 1_000) / 8.0 : i * 1.5);
        }

        using var batch = new RecordBatch(schema, [keys.Build(), doubles.Build()], 2 * RowGroup);
        var options = Builtin(rowGroupSize: RowGroup);
        options.DictionaryColumns.UnionWith(["k", "x"]);
        var path = await ParquetTestData.WriteFileAsync(PathOf("fallback.parquet"), [batch], schema, options);

        var chunks = Duck.Query($"SELECT row_group_id, path_in_schema, encodings, dictionary_page_offset, stats_null_count, stats_min_value, stats_max_value FROM parquet_metadata('{path}') ORDER BY row_group_id, column_id");
        Assert.Equal(4, chunks.Count);
        foreach (var chunk in chunks)
        {
            var firstGroup = Convert.ToInt64(chunk[0], CultureInfo.InvariantCulture) == 0;
            Assert.Equal(firstGroup, ((string)chunk[2]!).Contains("RLE_DICTIONARY", StringComparison.Ordinal));
            Assert.Equal(firstGroup, chunk[3] is not null);
        }

        Assert.Equal([270L, "-500", "498"], [Convert.ToInt64(chunks[0][4], CultureInfo.InvariantCulture), chunks[0][5], chunks[0][6]]);
        Assert.Equal([270L, (RowGroup * 3L).ToString(CultureInfo.InvariantCulture), ((2L * RowGroup - 2) * 3).ToString(CultureInfo.InvariantCulture)], [Convert.ToInt64(chunks[2][4], CultureInfo.InvariantCulture), chunks[2][5], chunks[2][6]]);
        AssertDuckDb(path, [batch]);
        AssertParquetSharp(path, [batch]);
        await AssertOurReaderAsync(path, [batch]);
    }

    /// <summary>The sample is spread over the row group, not its first rows: a string column whose first 5,000 of 50,000
    /// values repeat one value but which is unique after that stays PLAIN (sampling the first 4,096 rows chose a
    /// dictionary of 45,001 entries for it).</summary>
    [Fact]
    public async Task WriteAsync_AutoDictionary_SamplesTheWholeRowGroupNotItsFirstRows()
    {
        const int Rows = 50_000;
        var schema = new Schema.Builder().Field(f => f.Name("clustered").DataType(StringType.Default).Nullable(false)).Build();
        var values = new StringArray.Builder();
        for (var i = 0; i < Rows; i++)
        {
            values.Append(i < 5_000 ? "same" : "unique-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var batch = new RecordBatch(schema, [values.Build()], Rows);
        var path = await ParquetTestData.WriteFileAsync(PathOf("clustered.parquet"), [batch], schema, Builtin());

        var encodings = (string)Duck.Query($"SELECT encodings FROM parquet_metadata('{path}')")[0][0]!;
        Assert.DoesNotContain("DICTIONARY", encodings, StringComparison.Ordinal);
        AssertDuckDb(path, [batch]);
    }

    [Fact]
    public async Task WriteAsync_Statistics_MatchWhatDuckDbComputes()
    {
        using var batch = ParquetTestData.AllTypesBatch(rows: 200);
        var path = await ParquetTestData.WriteFileAsync(PathOf("stats.parquet"), [batch], batch.Schema, Builtin(rowGroupSize: 64));

        var stats = Duck.Query($"SELECT row_group_id, path_in_schema, stats_null_count, stats_min_value, stats_max_value FROM parquet_metadata('{path}')");
        Assert.Equal(4 * batch.ColumnCount, stats.Count);
        var checkedMinMax = 0;
        foreach (var row in stats)
        {
            var group = Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
            var column = (string)row[1]!;
            var field = batch.Schema.GetFieldByName(column);
            var where = $"FROM read_parquet('{path}', file_row_number = true) WHERE file_row_number >= {group * 64} AND file_row_number < {(group + 1) * 64}";
            var actual = Duck.Query($"SELECT count(*) - count(\"{column}\"), min(\"{column}\")::VARCHAR, max(\"{column}\")::VARCHAR {where}")[0];
            Assert.Equal(Convert.ToInt64(actual[0], CultureInfo.InvariantCulture), Convert.ToInt64(row[2], CultureInfo.InvariantCulture));
            if (field.DataType is BinaryType or TimestampType or FloatType or DoubleType)
            {
                // DuckDB renders these statistics differently from the values (hex escapes, units, exponents).
                Assert.NotNull(row[3]);
                continue;
            }

            Assert.True(Equals(actual[1], row[3]), $"row group {group}, column {column}: min {actual[1]} but statistics say {row[3]}");
            Assert.True(Equals(actual[2], row[4]), $"row group {group}, column {column}: max {actual[2]} but statistics say {row[4]}");
            checkedMinMax++;
        }

        Assert.Equal(4 * 14, checkedMinMax);
    }

    [Fact]
    public async Task WriteAsync_FloatStatistics_NaNDropsMinMaxAndUnsignedCompareUnsigned()
    {
        var schema = new Schema.Builder()
            .Field(f => f.Name("d").DataType(DoubleType.Default).Nullable(false))
            .Field(f => f.Name("nan").DataType(DoubleType.Default).Nullable(false))
            .Field(f => f.Name("clean").DataType(DoubleType.Default).Nullable(false))
            .Field(f => f.Name("u").DataType(UInt64Type.Default).Nullable(false))
            .Field(f => f.Name("u32").DataType(UInt32Type.Default).Nullable(false))
            .Build();
        using var batch = new RecordBatch(schema, [
            new DoubleArray.Builder().Append(double.NaN).Append(2.5).Append(-1).Append(double.NaN).Build(),
            new DoubleArray.Builder().Append(double.NaN).Append(double.NaN).Append(double.NaN).Append(double.NaN).Build(),
            new DoubleArray.Builder().Append(0.5).Append(2.5).Append(-1).Append(1).Build(),
            new UInt64Array.Builder().Append(ulong.MaxValue).Append(1).Append(1UL << 63).Append(5).Build(),
            new UInt32Array.Builder().Append(uint.MaxValue).Append(7).Append(1u << 31).Append(9).Build(),
        ], 4);
        var path = await ParquetTestData.WriteFileAsync(PathOf("nan.parquet"), [batch], schema, Builtin());

        var stats = Duck.Query($"SELECT path_in_schema, stats_min_value, stats_max_value FROM parquet_metadata('{path}')").ToDictionary(r => (string)r[0]!, r => (r[1] as string, r[2] as string));
        Assert.Equal((null, null), stats["d"]);
        Assert.Equal((null, null), stats["nan"]);
        Assert.Equal(("-1.0", "2.5"), stats["clean"]);
        Assert.Equal(("1", ulong.MaxValue.ToString(CultureInfo.InvariantCulture)), stats["u"]);
        Assert.Equal(("7", uint.MaxValue.ToString(CultureInfo.InvariantCulture)), stats["u32"]);
        Assert.Equal(1L, Convert.ToInt64(Duck.Query($"SELECT count(*) FROM read_parquet('{path}') WHERE u > 9223372036854775808")[0][0], CultureInfo.InvariantCulture));
        AssertDuckDb(path, [batch]);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task WriteAsync_NaNMixedWithNumbers_DuckDbRowGroupSkippingReturnsEveryMatchingRow(bool single, bool dictionary)
    {
        // Row groups of 40 rows: some hold NaN among numbers (and infinities), some only finite numbers, one only NaN.
        // DuckDB orders NaN above every number (+inf included) and skips row groups by their min/max, so a chunk
        // holding NaN must have none.
        const int RowGroup = 40;
        double[] finite = [-2.5, -1, 0.5, 1, 3.5];
        double[] pool = [.. finite, double.PositiveInfinity, double.NegativeInfinity];
        var random = new Random(11);
        var values = new List<double>();
        for (var group = 0; group < 6; group++)
        {
            for (var i = 0; i < RowGroup; i++)
            {
                values.Add(group switch
                {
                    0 or 3 => finite[random.Next(finite.Length)],
                    4 => double.NaN,
                    _ => random.Next(5) == 0 ? double.NaN : pool[random.Next(pool.Length)],
                });
            }
        }

        var type = single ? (IArrowType)FloatType.Default : DoubleType.Default;
        var schema = new Schema.Builder().Field(f => f.Name("x").DataType(type).Nullable(false)).Build();
        IArrowArray array = single
            ? new FloatArray.Builder().AppendRange(values.Select(v => (float)v)).Build()
            : new DoubleArray.Builder().AppendRange(values).Build();
        using var batch = new RecordBatch(schema, [array], values.Count);
        var options = Builtin(rowGroupSize: RowGroup);
        options.AutoDictionary = false;
        if (dictionary)
        {
            options.DictionaryColumns.Add("x");
        }

        var path = await ParquetTestData.WriteFileAsync(PathOf("nan-mixed.parquet"), [batch], schema, options);

        var chunks = Duck.Query($"SELECT row_group_id, stats_min_value, stats_max_value, encodings FROM parquet_metadata('{path}') ORDER BY row_group_id");
        Assert.Equal(6, chunks.Count);
        foreach (var chunk in chunks)
        {
            var group = (int)Convert.ToInt64(chunk[0], CultureInfo.InvariantCulture);
            var hasNaN = values.Skip(group * RowGroup).Take(RowGroup).Any(double.IsNaN);
            Assert.True(hasNaN == (chunk[1] is null), $"row group {group}: NaN {hasNaN}, min {chunk[1]}");
            Assert.True(hasNaN == (chunk[2] is null), $"row group {group}: NaN {hasNaN}, max {chunk[2]}");
            Assert.Equal(dictionary, ((string)chunk[3]!).Contains("DICTIONARY", StringComparison.Ordinal));
        }

        var sqlType = single ? "FLOAT" : "DOUBLE";
        string[] constants = ["'-inf'", "-3", "-1", "0", "0.5", "1", "3.5", "4", "'inf'", "'NaN'"];
        string[] operators = [">=", ">", "=", "<=", "<", "<>"];
        var checkedQueries = 0;
        foreach (var text in constants)
        {
            var constant = text.Trim('\'') switch
            {
                "-inf" => double.NegativeInfinity,
                "inf" => double.PositiveInfinity,
                "NaN" => double.NaN,
                var number => double.Parse(number, CultureInfo.InvariantCulture),
            };
            foreach (var op in operators)
            {
                var expected = values.Count(v => Holds(DuckDbOrder(v, constant), op));
                var actual = Convert.ToInt64(Duck.Query($"SELECT count(*) FROM read_parquet('{path}') WHERE x {op} CAST({text} AS {sqlType})")[0][0], CultureInfo.InvariantCulture);
                Assert.True(expected == actual, $"x {op} {text} ({sqlType}): {actual} rows, expected {expected}");
                checkedQueries++;
            }
        }

        Assert.Equal(60, checkedQueries);

        // DuckDB's order: NaN equals NaN and is above every number, +inf included.
        static int DuckDbOrder(double value, double constant) => (double.IsNaN(value), double.IsNaN(constant)) switch
        {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => -1,
            _ => value.CompareTo(constant),
        };

        static bool Holds(int order, string op) => op switch
        {
            ">=" => order >= 0,
            ">" => order > 0,
            "=" => order == 0,
            "<=" => order <= 0,
            "<" => order < 0,
            _ => order != 0,
        };
    }

    [Fact]
    public async Task WriteAsync_NullInNonNullableColumn_ThrowsNamingColumn()
    {
        var schema = new Schema.Builder().Field(f => f.Name("a").DataType(Int32Type.Default).Nullable(true)).Build();
        var declared = new Schema.Builder().Field(f => f.Name("a").DataType(Int32Type.Default).Nullable(false)).Build();
        using var source = new RecordBatch(schema, [new Int32Array.Builder().Append(1).AppendNull().Build()], 2);
        using var batch = new RecordBatch(declared, [source.Column(0)], 2);

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ParquetTestData.WriteFileAsync(PathOf("bad.parquet"), [batch], declared, new ParquetWriteOptions()));
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
        Assert.Contains("non-nullable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_DecimalTooWideOrSecondsOutOfRange_ThrowsNamingColumn()
    {
        var schema = new Schema.Builder()
            .Field(f => f.Name("d").DataType(new Decimal128Type(9, 0)).Nullable(false))
            .Build();
        var wide = new byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteInt128LittleEndian(wide, 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt128LittleEndian(wide.AsSpan(16), 10_000_000_000);
        using var decimals = new RecordBatch(schema, [Raw(new Decimal128Type(9, 0), wide, 2)], 2);
        var decimalError = await Assert.ThrowsAsync<DataFormatException>(() => ParquetTestData.WriteFileAsync(PathOf("d.parquet"), [decimals], schema, new ParquetWriteOptions()));
        Assert.Contains("does not fit decimal128(9, 0)", decimalError.Message, StringComparison.Ordinal);
        Assert.Contains("'d'", decimalError.Message, StringComparison.Ordinal);

        var secondsType = new TimestampType(TimeUnit.Second, (string?)null);
        var timestamps = new Schema.Builder().Field(f => f.Name("t").DataType(secondsType).Nullable(true)).Build();
        using var seconds = new RecordBatch(timestamps, [Raw(secondsType, BitConverter.GetBytes(long.MaxValue / 10), 1)], 1);
        var timestampError = await Assert.ThrowsAsync<DataFormatException>(() => ParquetTestData.WriteFileAsync(PathOf("t.parquet"), [seconds], timestamps, new ParquetWriteOptions()));
        Assert.Contains("is out of range", timestampError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteAsync_RandomBatches_DuckDbAndOurReaderReadWhatWasWritten()
    {
        var kinds = new IArrowType[]
        {
            BooleanType.Default, Int8Type.Default, UInt16Type.Default, Int32Type.Default, UInt32Type.Default, Int64Type.Default, UInt64Type.Default,
            DoubleType.Default, new Decimal128Type(18, 3), new Decimal128Type(30, 5), StringType.Default, BinaryType.Default, Date32Type.Default,
            new TimestampType(TimeUnit.Microsecond, "UTC"),
        };
        var columnGen = Gen.Select(Gen.Int[0, kinds.Length - 1], Gen.Bool, Gen.Int[0, 3]);
        var gen = Gen.Select(columnGen.Array[1, 5], Gen.Int[0, 600], Gen.Int[1, 300], Gen.UInt, Gen.Int[0, 4]);
        var iteration = 0;
        gen.Sample(spec =>
        {
            var (columns, rows, rowGroup, seed, codec) = spec;
            var random = new Random((int)seed);
            var fields = columns.Select((c, i) => new Field("c" + i.ToString(CultureInfo.InvariantCulture), kinds[c.Item1], c.Item2 || c.Item3 > 0)).ToList();
            var schema = new Schema(fields, null);
            using var batch = RandomBatch(schema, columns.Select(c => c.Item3).ToArray(), rows, random);
            var path = PathOf($"random{iteration++}.parquet");
            var options = Builtin((ParquetCompression)codec, rowGroup);
            options.AutoDictionary = random.Next(2) == 0;
            if (random.Next(2) == 0)
            {
                options.DictionaryColumns.UnionWith(fields.Select(f => f.Name));
            }

            // Written as up to three slices at odd offsets, so row groups and pages span several Arrow arrays.
            var first = random.Next(rows + 1);
            var second = random.Next(first, rows + 1);
            RecordBatch[] slices = [batch.Slice(0, first), batch.Slice(first, second - first), batch.Slice(second, rows - second)];
            ParquetTestData.WriteFileAsync(path, slices, schema, options).GetAwaiter().GetResult();
            AssertDuckDb(path, [batch]);
            AssertOurReaderAsync(path, [batch]).GetAwaiter().GetResult();
            File.Delete(path);
        }, iter: 60, threads: 1);
    }

    private static IArrowArray Raw(IArrowType type, byte[] values, int length)
        => ArrowArrayFactory.BuildArray(new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(values)]));

    /// <summary>A batch of random values; <paramref name="nullModes"/> per column: 0 none, 1 some, 2 most, 3 all.</summary>
    private static RecordBatch RandomBatch(Schema schema, int[] nullModes, int rows, Random random)
    {
        var arrays = new IArrowArray[schema.FieldsList.Count];
        for (var c = 0; c < arrays.Length; c++)
        {
            var field = schema.FieldsList[c];
            var mode = field.IsNullable ? nullModes[c] : 0;
            bool IsNull() => mode switch
            {
                1 => random.Next(10) == 0,
                2 => random.Next(10) != 0,
                3 => true,
                _ => false,
            };
            var small = random.Next(2) == 0;
            long Next(long range) => small ? random.NextInt64(range) % 4 : random.NextInt64(range);
            arrays[c] = field.DataType switch
            {
                BooleanType => Build(new BooleanArray.Builder(), rows, IsNull, (b, _) => b.Append(random.Next(2) == 0)),
                Int8Type => Build(new Int8Array.Builder(), rows, IsNull, (b, _) => b.Append((sbyte)Next(256))),
                UInt16Type => Build(new UInt16Array.Builder(), rows, IsNull, (b, _) => b.Append((ushort)Next(65536))),
                Int32Type => Build(new Int32Array.Builder(), rows, IsNull, (b, _) => b.Append((int)Next(uint.MaxValue))),
                UInt32Type => Build(new UInt32Array.Builder(), rows, IsNull, (b, _) => b.Append((uint)Next(uint.MaxValue))),
                Int64Type => Build(new Int64Array.Builder(), rows, IsNull, (b, _) => b.Append(random.NextInt64(long.MinValue, long.MaxValue))),
                UInt64Type => Build(new UInt64Array.Builder(), rows, IsNull, (b, _) => b.Append((ulong)random.NextInt64(long.MinValue, long.MaxValue))),
                DoubleType => Build(new DoubleArray.Builder(), rows, IsNull, (b, _) => b.Append(random.Next(20) == 0 ? double.NaN : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 30)))),
                Decimal128Type { Precision: 18 } d => Build(new Decimal128Array.Builder(d), rows, IsNull, (b, _) => b.Append(Math.Round((decimal)((random.NextDouble() - 0.5) * 1e14), 3))),
                Decimal128Type d => Build(new Decimal128Array.Builder(d), rows, IsNull, (b, _) => b.Append(Math.Round((decimal)((random.NextDouble() - 0.5) * 1e22), 5))),
                StringType => Build(new StringArray.Builder(), rows, IsNull, (b, _) => b.Append(RandomText(random, small))),
                BinaryType => Build(new BinaryArray.Builder(), rows, IsNull, (b, _) => b.Append(System.Text.Encoding.UTF8.GetBytes(RandomText(random, small)).AsSpan())),
                Date32Type => Build(new Date32Array.Builder(), rows, IsNull, (b, _) => b.Append(new DateTime(1900, 1, 1).AddDays(random.Next(80_000)))),
                TimestampType t => Build(new TimestampArray.Builder(t), rows, IsNull, (b, _) => b.Append(DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(-10_000_000_000_000_000, 10_000_000_000_000_000) / 10 * 10))),
                _ => throw new NotSupportedException(field.DataType.Name),
            };
        }

        return new RecordBatch(schema, arrays, rows);
    }

    private static string RandomText(Random random, bool small)
    {
        string[] pieces = ["", "a", "é", "日本", "🎉", "x y", "\u0000", "longer text value"];
        if (small)
        {
            return pieces[random.Next(4)];
        }

        var text = new System.Text.StringBuilder();
        for (var i = random.Next(5); i > 0; i--)
        {
            text.Append(pieces[random.Next(pieces.Length)]);
        }

        return text.ToString();
    }

    private static IArrowArray Build<TBuilder>(TBuilder builder, int rows, Func<bool> isNull, Action<TBuilder, int> append)
        where TBuilder : IArrowArrayBuilder<IArrowArray, TBuilder>
    {
        for (var r = 0; r < rows; r++)
        {
            if (isNull())
            {
                builder.AppendNull();
            }
            else
            {
                append(builder, r);
            }
        }

        return builder.Build(null);
    }

    private static async Task AssertOurReaderAsync(string path, IReadOnlyList<RecordBatch> expected)
    {
        var read = await ParquetTestData.ReadAllAsync(path);
        try
        {
            Assert.Empty(SchemaComparer.Differences(expected[0].Schema, read.Count > 0 ? read[0].Schema : expected[0].Schema, compareNullability: true));
            ArrowValues.AssertBatchesEqual(expected, read);
        }
        finally
        {
            read.ForEach(b => b.Dispose());
        }
    }

    private static void AssertDuckDb(string path, IReadOnlyList<RecordBatch> expected)
    {
        var schema = expected[0].Schema;
        var select = string.Join(", ", schema.FieldsList.Select(ArrowValues.DuckDbExpression));
        var duck = Duck.Query($"SELECT {select} FROM read_parquet('{path}', file_row_number = true) ORDER BY file_row_number");
        var rows = ArrowValues.Rows(expected);
        Assert.Equal(rows.Count, duck.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < schema.FieldsList.Count; c++)
            {
                var want = rows[r][c];
                if (schema.FieldsList[c].DataType is TimestampType { Unit: TimeUnit.Nanosecond, Timezone: not null } && want is not null)
                {
                    // DuckDB reads time-zone-aware timestamps as TIMESTAMPTZ (microseconds).
                    want = (long.Parse(want, CultureInfo.InvariantCulture) / 1000 * 1000).ToString(CultureInfo.InvariantCulture);
                }

                var got = ArrowValues.RenderDuckDb(duck[r][c]);
                if (schema.FieldsList[c].DataType is DoubleType && want == "NaN" && got is "NaN" or "nan")
                {
                    continue;
                }

                Assert.True(want == got, $"row {r}, column '{schema.FieldsList[c].Name}': expected {want ?? "null"}, DuckDB read {got ?? "null"}");
            }
        }
    }

    private static void AssertParquetSharp(string path, IReadOnlyList<RecordBatch> expected)
    {
        using var reader = new ParquetSharp.Arrow.FileReader(path);
        using var stream = reader.GetRecordBatchReader();
        var batches = new List<RecordBatch>();
        try
        {
            while (stream.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult() is { } batch)
            {
                batches.Add(batch);
            }

            var rows = ArrowValues.Rows(batches);
            var want = ArrowValues.Rows(expected);
            Assert.Equal(want.Count, rows.Count);
            for (var r = 0; r < want.Count; r++)
            {
                Assert.Equal(want[r], rows[r]);
            }
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    private static async Task AssertParquetNetAsync(string path, IReadOnlyList<RecordBatch> expected)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var want = ArrowValues.Rows(expected);
        var fields = reader.Schema.GetDataFields();
        var offset = 0;
        var compared = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rowGroup = reader.OpenRowGroupReader(g);
            var rows = (int)rowGroup.RowCount;
            for (var c = 0; c < fields.Length; c++)
            {
                var values = await ReadParquetNetAsync(rowGroup, fields[c], rows);
                if (values is null)
                {
                    continue;
                }

                compared++;
                for (var r = 0; r < rows; r++)
                {
                    Assert.True(want[offset + r][c] == values[r], $"row group {g}, row {r}, column {fields[c].Name}: expected {want[offset + r][c] ?? "null"}, Parquet.Net read {values[r] ?? "null"}");
                }
            }

            offset += rows;
        }

        Assert.Equal(want.Count, offset);
        Assert.True(reader.RowGroupCount == 0 || compared > 0, "no column compared: " + string.Join(", ", fields.Select(f => f.Name + ":" + f.ClrType.Name)));
    }

    /// <summary>Reads a column with Parquet.Net, rendered like <see cref="ArrowValues.Render"/>, or null for types
    /// whose rendering differs (decimals, dates, timestamps, small integers).</summary>
    private static async Task<string?[]?> ReadParquetNetAsync(ParquetRowGroupReader rowGroup, global::Parquet.Schema.DataField field, int rows)
    {
        static string?[] Render<T>(T?[] values, Func<T, string> render)
            where T : struct => values.Select(v => v is { } x ? render(x) : null).ToArray();

        async Task<string?[]> ReadValuesAsync<T>(Func<T, string> render)
            where T : struct
        {
            if (field.IsNullable)
            {
                var nullable = new T?[rows];
                await rowGroup.ReadAsync(field, nullable.AsMemory(), null);
                return Render(nullable, render);
            }

            // A required column is read without definition levels.
            var values = new T[rows];
            await rowGroup.ReadAsync(field, values.AsMemory(), null);
            return values.Select(render).ToArray<string?>();
        }

        if (field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>))
        {
            var strings = new string?[rows];
            await rowGroup.ReadAsync(field, strings.AsMemory(), null);
            return strings;
        }

        if (field.ClrType == typeof(byte[]) || field.ClrType == typeof(ReadOnlyMemory<byte>))
        {
            var bytes = new byte[]?[rows];
            await rowGroup.ReadAsync(field, bytes.AsMemory(), null);
            return bytes.Select(b => b is null ? null : Convert.ToHexString(b)).ToArray();
        }

        if (field.ClrType == typeof(int) && field.Name is "i32" or "c3")
        {
            return await ReadValuesAsync<int>(static v => v.ToString(CultureInfo.InvariantCulture));
        }

        if (field.ClrType == typeof(long) && !field.Name.Contains("ts", StringComparison.Ordinal) && !field.Name.StartsWith('d'))
        {
            return await ReadValuesAsync<long>(static v => v.ToString(CultureInfo.InvariantCulture));
        }

        if (field.ClrType == typeof(bool))
        {
            return await ReadValuesAsync<bool>(static v => v ? "true" : "false");
        }

        if (field.ClrType == typeof(double))
        {
            return await ReadValuesAsync<double>(static v => v.ToString("R", CultureInfo.InvariantCulture));
        }

        return null;
    }

    private static async Task<(List<string> Schema, Dictionary<string, string> Metadata, long Rows)> FooterAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var meta = reader.Metadata!;
        var schema = meta.Schema.Select(e => string.Join("|",
            e.Name, e.Type, e.TypeLength, e.RepetitionType, e.NumChildren, e.ConvertedType, e.Scale, e.Precision,
            e.LogicalType?.STRING is not null, e.LogicalType?.DATE is not null, e.LogicalType?.UUID is not null,
            e.LogicalType?.INTEGER?.BitWidth, e.LogicalType?.INTEGER?.IsSigned,
            e.LogicalType?.DECIMAL?.Precision, e.LogicalType?.DECIMAL?.Scale,
            e.LogicalType?.TIMESTAMP?.IsAdjustedToUTC, e.LogicalType?.TIMESTAMP?.Unit?.MILLIS is not null,
            e.LogicalType?.TIMESTAMP?.Unit?.MICROS is not null, e.LogicalType?.TIMESTAMP?.Unit?.NANOS is not null)).ToList();
        return (schema, new Dictionary<string, string>(reader.CustomMetadata), meta.NumRows);
    }
}
