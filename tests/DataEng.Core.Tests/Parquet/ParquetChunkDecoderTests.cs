using System.Globalization;
using Apache.Arrow;
using DataEng.Core.ParquetFormat;
using ParquetSharp;
using PsColumn = ParquetSharp.Column;

namespace DataEng.Core.Tests.Parquet;

/// <summary>
/// The reader's own page decoder (<see cref="ParquetChunkDecoder"/>) on files written by others: ParquetSharp (Arrow
/// C++) with small pages, dictionaries that fall back to PLAIN within a chunk, nulls, v1 and v2 pages and every codec
/// the decoder claims; DuckDB files checked against DuckDB's own reading of them.
/// </summary>
public sealed class ParquetChunkDecoderTests : IDisposable
{
    private const int Rows = 20_000;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dataeng-decoder-" + Guid.NewGuid().ToString("N"));

    public ParquetChunkDecoderTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, string> CodecsAndPageVersions()
    {
        var data = new TheoryData<string, string>();
        foreach (var codec in new[] { "Uncompressed", "Snappy", "Gzip", "Zstd" })
        {
            data.Add(codec, "V1");
            data.Add(codec, "V2");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CodecsAndPageVersions))]
    public async Task ReadAsync_ParquetSharpFileWithSmallPagesAndDictionaryFallback_ReadsEveryValue(string codec, string pageVersion)
    {
        var path = Path.Combine(_directory, $"ps-{codec}-{pageVersion}.parquet");
        WriteWithParquetSharp(path, Enum.Parse<Compression>(codec), Enum.Parse<ParquetDataPageVersion>(pageVersion));
        AssertManyDataPages(path, "note");

        var batches = await ParquetTestData.ReadAllAsync(path);
        try
        {
            Assert.Equal(2, batches.Count);
            var row = 0;
            foreach (var batch in batches)
            {
                var id = (Int64Array)batch.Column("id");
                var small = (Int32Array)batch.Column("small");
                var amount = (DoubleArray)batch.Column("amount");
                var ratio = (FloatArray)batch.Column("ratio");
                var currency = (StringArray)batch.Column("currency");
                var note = (StringArray)batch.Column("note");
                for (var i = 0; i < batch.Length; i++, row++)
                {
                    Assert.Equal(row, id.GetValue(i));
                    Assert.Equal(Small(row), small.GetValue(i));
                    Assert.Equal(Amount(row), amount.GetValue(i));
                    Assert.Equal(Ratio(row), ratio.GetValue(i));
                    Assert.Equal(Currency(row), currency.GetString(i));
                    Assert.Equal(Note(row), note.GetString(i));
                }
            }

            Assert.Equal(Rows, row);
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    [Theory]
    [InlineData("uncompressed", "V1")]
    [InlineData("snappy", "V1")]
    [InlineData("gzip", "V1")]
    [InlineData("zstd", "V1")]
    [InlineData("snappy", "V2")]
    [InlineData("zstd", "V2")]
    public async Task ReadAsync_DuckDbFileWithNullsAndDictionaries_MatchesDuckDb(string codec, string version)
    {
        var path = Path.Combine(_directory, $"duck-{codec}-{version}.parquet");
        Duck.Query($"""
            COPY (SELECT i::BIGINT AS id,
                         (i * 7 % 1000)::INTEGER AS small,
                         CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1.25 END AS amount,
                         CASE WHEN i % 7 = 0 THEN NULL ELSE 'cur' || (i % 5) END AS currency,
                         CASE WHEN i % 4 = 0 THEN NULL ELSE md5(i::VARCHAR)[1:8 + i % 17] END AS note,
                         DATE '2024-01-01' + (i % 30)::INTEGER AS dt,
                         TIMESTAMP '2024-01-01' + to_microseconds(i * 1000) AS ts
                  FROM range(150000) t(i))
            TO '{path}' (FORMAT parquet, COMPRESSION {codec}, PARQUET_VERSION {version}, ROW_GROUP_SIZE 100000)
            """);

        var batches = await ParquetTestData.ReadAllAsync(path);
        try
        {
            var fields = batches[0].Schema.FieldsList;
            var expected = Duck.Query($"SELECT {string.Join(", ", fields.Select(ArrowValues.DuckDbExpression))} FROM read_parquet('{path}')")
                .Select(r => r.Select(ArrowValues.RenderDuckDb).ToArray())
                .ToList();
            var actual = ArrowValues.Rows(batches);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i], actual[i]);
            }
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task ReadAsync_CorruptDictionaryIndex_ThrowsParquetFileExceptionNamingTheColumn()
    {
        var path = Path.Combine(_directory, "corrupt.parquet");
        WriteWithParquetSharp(path, Compression.Uncompressed, ParquetDataPageVersion.V1);
        var bytes = await File.ReadAllBytesAsync(path);
        var chunk = Duck.Query($"SELECT data_page_offset, total_compressed_size, coalesce(dictionary_page_offset, data_page_offset) FROM parquet_metadata('{path}') WHERE path_in_schema = 'currency' AND row_group_id = 0")[0];
        var dataPage = Convert.ToInt32(chunk[0], CultureInfo.InvariantCulture);
        Assert.True(ThriftCompactValidator.TryReadPageHeader(bytes.AsSpan(dataPage), out var header, out var error), error);
        // After the 4-byte level length and the levels comes the bit width of the indices: make it 31 so indices
        // point far outside the 5-entry dictionary.
        var body = dataPage + header.Length;
        var levels = BitConverter.ToInt32(bytes, body);
        bytes[body + 4 + levels] = 31;
        await File.WriteAllBytesAsync(path, bytes);

        var e = await Assert.ThrowsAsync<ParquetFileException>(() => ParquetTestData.ReadAllAsync(path));

        Assert.Equal("currency", e.Column);
        Assert.Equal(0, e.RowGroup);
    }

    private static int? Small(int row) => row % 11 == 0 ? null : row % 37;

    private static double? Amount(int row) => row % 13 == 0 ? null : row * 0.5;

    private static float Ratio(int row) => row % 3 / 4f;

    private static string? Currency(int row) => row % 9 == 0 ? null : "C" + (row % 5).ToString(CultureInfo.InvariantCulture);

    private static string? Note(int row) => row % 5 == 0 ? null : "n" + (row * 2654435761L % 1_000_003).ToString(CultureInfo.InvariantCulture) + new string('x', row % 17);

    private static void WriteWithParquetSharp(string path, Compression compression, ParquetDataPageVersion version)
    {
        using var properties = new WriterPropertiesBuilder()
            .Compression(compression)
            .DataPageVersion(version)
            .DataPagesize(4096)
            .DictionaryPagesizeLimit(2048)
            .Build();
        PsColumn[] columns =
        [
            new Column<long>("id"), new Column<int?>("small"), new Column<double?>("amount"), new Column<float>("ratio"),
            new Column<string>("currency"), new Column<string>("note"),
        ];
        using var writer = new ParquetFileWriter(path, columns, properties);
        foreach (var (start, count) in new[] { (0, 12_000), (12_000, Rows - 12_000) })
        {
            var rows = Enumerable.Range(start, count).ToArray();
            using var rowGroup = writer.AppendRowGroup();
            using (var w = rowGroup.NextColumn().LogicalWriter<long>())
            {
                w.WriteBatch(rows.Select(r => (long)r).ToArray());
            }

            using (var w = rowGroup.NextColumn().LogicalWriter<int?>())
            {
                w.WriteBatch(rows.Select(Small).ToArray());
            }

            using (var w = rowGroup.NextColumn().LogicalWriter<double?>())
            {
                w.WriteBatch(rows.Select(Amount).ToArray());
            }

            using (var w = rowGroup.NextColumn().LogicalWriter<float>())
            {
                w.WriteBatch(rows.Select(Ratio).ToArray());
            }

            using (var w = rowGroup.NextColumn().LogicalWriter<string?>())
            {
                w.WriteBatch(rows.Select(Currency).ToArray());
            }

            using (var w = rowGroup.NextColumn().LogicalWriter<string?>())
            {
                w.WriteBatch(rows.Select(Note).ToArray());
            }
        }

        writer.Close();
    }

    private static void AssertManyDataPages(string path, string column)
    {
        var bytes = File.ReadAllBytes(path);
        var chunk = Duck.Query($"SELECT coalesce(dictionary_page_offset, data_page_offset), total_compressed_size FROM parquet_metadata('{path}') WHERE path_in_schema = '{column}' AND row_group_id = 0")[0];
        var position = Convert.ToInt64(chunk[0], CultureInfo.InvariantCulture);
        var end = position + Convert.ToInt64(chunk[1], CultureInfo.InvariantCulture);
        var dataPages = 0;
        while (position < end)
        {
            Assert.True(ThriftCompactValidator.TryReadPageHeader(bytes.AsSpan((int)position, (int)(end - position)), out var header, out var error), error);
            dataPages += header.Type is 0 or 3 ? 1 : 0;
            position += header.Length + header.CompressedSize;
        }

        Assert.True(dataPages > 3, $"column '{column}' has {dataPages} data pages");
    }
}
