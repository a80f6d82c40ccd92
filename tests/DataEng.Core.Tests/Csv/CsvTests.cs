using System.Globalization;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using static DataEng.Core.Tests.Csv.CsvTestFiles;

namespace DataEng.Core.Tests.Csv;

public class CsvTests
{
    private static readonly Schema TwoStrings = new Schema.Builder()
        .Field(f => f.Name("a").DataType(StringType.Default))
        .Field(f => f.Name("b").DataType(StringType.Default))
        .Build();

    [Fact]
    public async Task File_QuotedFieldsWithDelimitersQuotesAndLineBreaks_AreReadVerbatim()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("q.csv", "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"line1\nline2\r\nline3\",plain\r\n");

        var rows = await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings }));

        Assert.Equal(2, rows.Count);
        AssertRow(["x, y", "say \"hi\""], rows[0]);
        AssertRow(["line1\nline2\r\nline3", "plain"], rows[1]);
    }

    [Fact]
    public async Task File_WithoutHeader_NamesColumnsColumn1ToN()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("n.csv", "1,x\n2,y\n");

        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { HasHeader = false });

        Assert.Equal("(column1: int64, column2: utf8)", SchemaText.Describe(source.Schema));
        Assert.Equal([["1", "x"], ["2", "y"]], await ReadRowsAsync(source));
    }

    [Fact]
    public async Task File_WithoutHeaderAndWithSchema_NamesColumnsFromTheSchema()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("n.csv", "1,x\n");

        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { HasHeader = false, Schema = TwoStrings });

        AssertRow(["1", "x"], Assert.Single(await ReadRowsAsync(source)));
        Assert.Equal("a", source.Schema.FieldsList[0].Name);
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    public async Task File_OtherDelimiter_SplitsFieldsOnIt(char delimiter)
    {
        using var files = new CsvTestFiles();
        var d = delimiter.ToString();
        var path = files.Write("d.csv", $"a{d}b\n1,5{d}\"x{d}y\"\n");

        var rows = await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Delimiter = delimiter, Schema = TwoStrings }));

        AssertRow(["1,5", $"x{d}y"], Assert.Single(rows));
    }

    [Fact]
    public void Schema_Inferred_TypesEveryColumnFromTheSample()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("i.csv", """
            flag,n,x,day,at,utc,text,empty,sparse
            true,1,1.5,2024-01-31,2024-01-31 10:00:00,2024-01-31T10:00:00Z,a,,7
            FALSE,-2,1e3,2024-02-29,2024-02-29T10:00:00.123456,2024-02-29T12:00:00+02:00,1,,
            true,3,NaN,1999-12-31,1999-12-31,1999-12-31T00:00:00-05:30,2024-01-01,,8
            """);

        var schema = DataEng.Core.Csv.File(path).Schema;

        Assert.Equal(
            "(flag: bool, n: int64, x: double, day: date32, at: timestamp[microsecond], utc: timestamp[microsecond, UTC], text: utf8, empty: utf8?, sparse: int64?)",
            SchemaText.Describe(schema));
    }

    [Fact]
    public async Task File_InferredSchema_ParsesTheValues()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("i.csv", "at,utc\n2024-01-31 10:00:00.5,2024-01-31T10:00:00+01:00\n");

        var rows = await ReadRowsAsync(DataEng.Core.Csv.File(path));

        var expectedAt = (new DateTime(2024, 1, 31, 10, 0, 0, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks) / 10 + 500_000;
        var expectedUtc = (new DateTime(2024, 1, 31, 9, 0, 0, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks) / 10;
        AssertRow([expectedAt.ToString(CultureInfo.InvariantCulture), expectedUtc.ToString(CultureInfo.InvariantCulture)], Assert.Single(rows));
    }

    [Fact]
    public void Schema_InferredWithMixedOffsets_StaysText()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("i.csv", "at\n2024-01-31T10:00:00Z\n2024-01-31T10:00:00\n");

        Assert.Equal("(at: utf8)", SchemaText.Describe(DataEng.Core.Csv.File(path).Schema));
    }

    [Fact]
    public void Schema_InferredOnlyFromTheSample_IgnoresLaterRows()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("i.csv", "n\n1\n2\nthree\n");

        Assert.Equal("(n: int64)", SchemaText.Describe(DataEng.Core.Csv.File(path, new CsvSourceOptions { InferenceRows = 2 }).Schema));
        Assert.Equal("(n: utf8)", SchemaText.Describe(DataEng.Core.Csv.File(path, new CsvSourceOptions { InferenceRows = 3 }).Schema));
    }

    [Fact]
    public async Task File_InferDecimals_TypesPlainNumbersAsExactDecimals()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("m.csv", "amount,ratio\n12.50,1e-3\n-0.125,2\n99999999999999999999999999.5,3\n");

        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { InferDecimals = true });

        Assert.Equal("(amount: decimal128(38, 3), ratio: double)", SchemaText.Describe(source.Schema));
        var rows = await ReadRowsAsync(source);
        Assert.Equal(["12.500", "-0.125", "99999999999999999999999999.500"], rows.Select(r => r[0]));
    }

    [Fact]
    public async Task File_ExplicitSchema_MatchesHeaderByNameInAnyOrderAndCase()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("e.csv", "ignored,AMOUNT,id\nzzz,1.25,7\nyyy,,8\n");
        var schema = new Schema.Builder()
            .Field(f => f.Name("id").DataType(Int32Type.Default).Nullable(false))
            .Field(f => f.Name("amount").DataType(new Decimal128Type(10, 2)))
            .Build();

        var rows = await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = schema }).WithInt32AsText());

        Assert.Equal([["7", "1.25"], ["8", null]], rows);
    }

    [Fact]
    public async Task File_ExplicitSchemaColumnMissingFromHeader_ThrowsNamingFileAndColumn()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("e.csv", "a,c\n1,2\n");

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings })));

        Assert.Equal(path, error.Source);
        Assert.Equal(1, error.Row);
        Assert.Equal("b", error.Column);
    }

    [Fact]
    public async Task File_DifferentCurrentCulture_ParsesWithTheInvariantCulture()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("c.csv", "x,d\n1.5,2024-03-01\n1000.25,2024-12-31\n");
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var source = DataEng.Core.Csv.File(path);

            Assert.Equal("(x: double, d: date32)", SchemaText.Describe(source.Schema));
            Assert.Equal([["1.5", "2024-03-01"], ["1000.25", "2024-12-31"]], await ReadRowsAsync(source));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public async Task File_GivenCulture_ParsesNumbersWithIt()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("c.csv", "x;m\n1,5;2,25\n-3;4\n");
        var schema = new Schema.Builder().Field(f => f.Name("x").DataType(DoubleType.Default)).Field(f => f.Name("m").DataType(new Decimal128Type(5, 2))).Build();

        var rows = await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Delimiter = ';', Culture = new CultureInfo("de-DE"), Schema = schema }));

        Assert.Equal([["1.5", "2.25"], ["-3", "4.00"]], rows);
    }

    [Fact]
    public async Task File_UnterminatedQuote_ThrowsNamingFileLineAndColumn()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("u.csv", "a,b\n1,2\n3,\"open\n4,5\n");

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings })));

        Assert.Equal(path, error.Source);
        Assert.Equal(3, error.Row);
        Assert.Equal("b", error.Column);
        Assert.Contains("malformed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_WrongFieldCount_ThrowsNamingThePhysicalLine()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("w.csv", "a,b\n\"multi\nline\",1\n\n2\n");

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings })));

        Assert.Equal(5, error.Row);
        Assert.Equal("b", error.Column);
        Assert.Contains("has 1 fields, expected 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_TooManyFields_Throws()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("w.csv", "a,b\n1,2,3\n");

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings })));

        Assert.Equal(2, error.Row);
        Assert.Contains("has 3 fields, expected 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_ValueThatDoesNotParse_ThrowsNamingFileLineAndColumn()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("v.csv", "id,note,amount\n1,\"two\nlines\",1.5\n2,ok,abc\n");

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { InferenceRows = 1 })));

        Assert.Equal(path, error.Source);
        Assert.Equal(4, error.Row);
        Assert.Equal("amount", error.Column);
        Assert.Equal($"{path}, row 4, column 'amount': 'abc' is not a valid double", error.Message);
    }

    [Fact]
    public async Task File_NullInColumnInferredNotNullable_Throws()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("n.csv", "n\n1\n2\n\"\"\n");

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { InferenceRows = 2 })));

        Assert.Equal(4, error.Row);
        Assert.Contains("not nullable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_EmptyFile_WithSchemaYieldsNothingAndWithoutOneFailsToBuild()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("empty.csv", "");

        Assert.Empty(await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings })));
        Assert.Empty(await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings, HasHeader = false })));
        var error = Assert.Throws<PipelineValidationException>(() => Pipeline.Create("p").Extract(DataEng.Core.Csv.File(path)).Load(new NullSink()).Build());
        Assert.Contains("empty", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_HeaderOnly_InfersNullableTextAndYieldsNothing()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("h.csv", "a,b\n");

        var source = DataEng.Core.Csv.File(path);

        Assert.Equal("(a: utf8?, b: utf8?)", SchemaText.Describe(source.Schema));
        Assert.Empty(await ReadRowsAsync(source));
    }

    [Fact]
    public async Task File_Utf8ByteOrderMark_IsSkipped()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("bom.csv", "name,n\nZoë,1\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var source = DataEng.Core.Csv.File(path);

        Assert.Equal("name", source.Schema.FieldsList[0].Name);
        AssertRow(["Zoë", "1"], Assert.Single(await ReadRowsAsync(source)));
    }

    [Fact]
    public async Task File_Utf16WithByteOrderMark_IsDecodedByTheMark()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("u16.csv", "name\n日本\n", Encoding.Unicode);

        AssertRow(["日本"], Assert.Single(await ReadRowsAsync(DataEng.Core.Csv.File(path))));
    }

    [Fact]
    public async Task File_NullValues_AreConfigurable()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("n.csv", "a,b\nNULL,\n\\N,x\n");

        var withMarkers = await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings, NullValues = ["", "NULL", "\\N"] }));
        var noNulls = await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings, NullValues = [] }));

        Assert.Equal([[null, null], [null, "x"]], withMarkers);
        Assert.Equal([["NULL", ""], ["\\N", "x"]], noNulls);
    }

    [Fact]
    public async Task File_TrimWhitespace_TrimsEveryFieldBeforeParsing()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("t.csv", "n,s\n 1 ,  x \n2,\" \"\n");

        var trimmed = DataEng.Core.Csv.File(path, new CsvSourceOptions { TrimWhitespace = true });
        var strings = new Schema.Builder().Field(f => f.Name("n").DataType(StringType.Default)).Field(f => f.Name("s").DataType(StringType.Default)).Build();
        var kept = await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = strings }));

        Assert.Equal("(n: int64, s: utf8?)", SchemaText.Describe(trimmed.Schema));
        Assert.Equal([["1", "x"], ["2", null]], await ReadRowsAsync(trimmed));
        Assert.Equal([[" 1 ", "  x "], ["2", " "]], kept);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public async Task File_LoneCarriageReturnInTheFirstQuotedField_KeepsTheFileLineEndings(string newLine)
    {
        // Sylvan alone takes the first CR it sees (here inside quotes) as the file's line ending.
        using var files = new CsvTestFiles();
        var longValue = new string('x', 80);
        var path = files.Write("cr.csv", string.Join(newLine, "\"a\rb\",1", $"{longValue},2", "\"q\",3", "plain,4") + newLine);
        var schema = new Schema.Builder().Field(f => f.Name("s").DataType(StringType.Default)).Field(f => f.Name("n").DataType(Int64Type.Default)).Build();

        var rows = await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { HasHeader = false, Schema = schema }));

        Assert.Equal([["a\rb", "1"], [longValue, "2"], ["q", "3"], ["plain", "4"]], rows);
    }

    [Fact]
    public async Task File_CarriageReturnLineEndings_AreRecordEnds()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("mac.csv", "a,b\r\"x\ny\",1\r2,3\r");

        var rows = await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings }));

        Assert.Equal([["x\ny", "1"], ["2", "3"]], rows);
    }

    [Fact]
    public async Task File_BlankLinesBeforeTheHeaderAndBetweenRecords_AreSkippedButCounted()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("b.csv", "\n\r\na,b\n\n1,2\n\n\nx\n");

        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings });
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ReadRowsAsync(source));

        Assert.Equal(8, error.Row);
        Assert.Equal("b", error.Column);
    }

    [Fact]
    public async Task File_HashAtLineStart_IsDataNotAComment()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("h.csv", "a,b\n#1,2\n");

        AssertRow(["#1", "2"], Assert.Single(await ReadRowsAsync(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = TwoStrings }))));
    }

    [Fact]
    public async Task ReadAsync_BatchSize_SplitsRowsAndReleasesEveryBuffer()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("big.csv", "id,name\n" + string.Concat(Enumerable.Range(1, 2500).Select(i => $"{i},n{i}\n")));
        var allocator = new CountingMemoryAllocator();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { BatchSize = 1000 });

        var lengths = new List<int>();
        var ids = new List<long>();
        await foreach (var batch in source.ReadAsync(Context(allocator)))
        {
            using (batch)
            {
                lengths.Add(batch.Length);
                ids.AddRange(((Int64Array)batch.Column(0)).Values.ToArray());
            }
        }

        Assert.Equal([1000, 1000, 500], lengths);
        Assert.Equal(Enumerable.Range(1, 2500).Select(i => (long)i), ids);
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task ReadAsync_FailureAfterSomeBatches_LeaksNothing()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("bad.csv", "id\n" + string.Concat(Enumerable.Range(1, 2500).Select(i => i == 2400 ? "x\n" : $"{i}\n")));
        var allocator = new CountingMemoryAllocator();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { BatchSize = 1000, InferenceRows = 10 });

        var yielded = 0;
        var error = await Assert.ThrowsAsync<DataFormatException>(async () =>
        {
            await foreach (var batch in source.ReadAsync(Context(allocator)))
            {
                yielded++;
                batch.Dispose();
            }
        });

        Assert.Equal(2, yielded);
        Assert.Equal(2401, error.Row);
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task ReadAsync_CancelledMidRead_ThrowsAndLeaksNothing()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("big.csv", "id\n" + string.Concat(Enumerable.Range(1, 5000).Select(i => $"{i}\n")));
        var allocator = new CountingMemoryAllocator();
        using var cts = new CancellationTokenSource();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { BatchSize = 1000 });

        var batches = source.ReadAsync(Context(allocator), cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await batches.MoveNextAsync());
        batches.Current.Dispose();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await batches.MoveNextAsync());
        await batches.DisposeAsync();

        Assert.Equal(0, allocator.LiveAllocations);
        File.Delete(path); // the file was closed
    }

    [Fact]
    public async Task Files_ReadsEveryMatchingFileInOrdinalNameOrder()
    {
        using var files = new CsvTestFiles();
        files.Write("b.csv", "id,name\n3,c\n");
        files.Write("a.csv", "id,name\n1,a\n2,b\n");
        files.Write("B.csv", "name,id\nzero,0\n");
        files.Write("skip.txt", "id,name\n9,z\n");

        var source = DataEng.Core.Csv.Files(files.Directory);

        // B.csv sorts first (ordinal), so its header decides the inferred column order; the others are matched by name
        Assert.Equal("(name: utf8, id: int64)", SchemaText.Describe(source.Schema));
        Assert.Equal([["zero", "0"], ["a", "1"], ["b", "2"], ["c", "3"]], await ReadRowsAsync(source));
    }

    [Fact]
    public async Task Files_FileWithOtherColumns_ThrowsNamingTheFile()
    {
        using var files = new CsvTestFiles();
        files.Write("a.csv", "id,name\n1,a\n");
        var other = files.Write("b.csv", "id,title\n2,b\n");

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ReadRowsAsync(DataEng.Core.Csv.Files(files.Directory)));

        Assert.Equal(other, error.Source);
        Assert.Equal("name", error.Column);
    }

    [Fact]
    public void Files_NoMatchingFileWithoutSchema_FailsToBuild()
    {
        using var files = new CsvTestFiles();

        var error = Assert.Throws<PipelineValidationException>(() => Pipeline.Create("p").Extract(DataEng.Core.Csv.Files(files.Directory)).Load(new NullSink()).Build());

        Assert.Contains("no input matches", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_OpensAStreamPerReadAndDisposesIt()
    {
        var opened = new List<TrackingStream>();
        var source = DataEng.Core.Csv.Stream(
            () =>
            {
                var stream = new TrackingStream(Encoding.UTF8.GetBytes("id\n1\n2\n"));
                opened.Add(stream);
                return stream;
            },
            "s3://bucket/key.csv");

        Assert.Equal("(id: int64)", SchemaText.Describe(source.Schema));
        Assert.Equal([["1"], ["2"]], await ReadRowsAsync(source));
        Assert.Equal([["1"], ["2"]], await ReadRowsAsync(source));

        Assert.Equal(3, opened.Count);
        Assert.All(opened, s => Assert.True(s.Disposed));
    }

    [Fact]
    public async Task RunAsync_CsvThroughPipeline_NamesTheStageInFailures()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("p.csv", "id\n1\nnope\n");
        var pipeline = Pipeline.Create("p")
            .Extract(DataEng.Core.Csv.File(path, new CsvSourceOptions { Name = "orders-csv", Schema = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default)).Build() }))
            .Load(new NullSink())
            .Build();

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        Assert.Equal("orders-csv", error.StageName);
        var format = Assert.IsType<DataFormatException>(error.InnerException);
        Assert.Equal((path, 3L, "id"), (format.Source, format.Row!.Value, format.Column));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_CsvThroughPipeline_ReleasesEveryBuffer(bool failMidway)
    {
        using var files = new CsvTestFiles();
        var path = files.Write("p.csv", "id,name\n" + string.Concat(Enumerable.Range(1, 5000).Select(i => failMidway && i == 4321 ? "bad,x\n" : $"{i},n{i}\n")));
        var allocator = new CountingMemoryAllocator();
        var sink = new CollectingSink();
        var pipeline = Pipeline.Create("p")
            .Extract(DataEng.Core.Csv.File(path, new CsvSourceOptions { BatchSize = 500, InferenceRows = 100 }))
            .Load(sink)
            .Configure(o => o.Allocator = allocator)
            .Build();

        if (failMidway)
        {
            await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());
        }
        else
        {
            await pipeline.RunAsync();
            Assert.Equal(5000, sink.RowCount);
        }

        sink.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
        Assert.True(allocator.TotalAllocations > 0);
    }

    [Fact]
    public void File_InvalidOptions_ThrowsListingEveryProblem()
    {
        var options = new CsvSourceOptions { Delimiter = '"', BatchSize = 0, InferenceRows = 0, NullValues = null! };

        var error = Assert.Throws<DataEngValidationException>(() => DataEng.Core.Csv.File("x.csv", options));

        foreach (var name in new[] { "Delimiter", "BatchSize", "InferenceRows", "NullValues" })
        {
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void File_OptionsChangedAfterCreation_DoNotAffectTheSource()
    {
        using var files = new CsvTestFiles();
        var path = files.Write("o.csv", "a;b\n1;2\n");
        var options = new CsvSourceOptions { Delimiter = ';' };
        var source = DataEng.Core.Csv.File(path, options);

        options.Delimiter = ',';

        Assert.Equal(2, source.Schema.FieldsList.Count);
    }

    private static void AssertRow(IEnumerable<string?> expected, string?[] actual) => Assert.Equal(expected, actual);

    private sealed class TrackingStream(byte[] data) : MemoryStream(data)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}

internal static class SourceExtensions
{
    /// <summary>Wraps a source so int32 columns read back as text in <see cref="CsvTestFiles.ReadRowsAsync"/>.</summary>
    public static ISource WithInt32AsText(this ISource source) => new Int32AsText(source);

    private sealed class Int32AsText(ISource inner) : ISource
    {
        public string Name => inner.Name;

        public Schema Schema => new(inner.Schema.FieldsList.Select(f => f.DataType is Int32Type ? new Field(f.Name, StringType.Default, f.IsNullable) : f), null);

        public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var batch in inner.ReadAsync(context, cancellationToken))
            {
                using (batch)
                {
                    var columns = new List<IArrowArray>();
                    for (var c = 0; c < batch.ColumnCount; c++)
                    {
                        if (batch.Column(c) is Int32Array ints)
                        {
                            var builder = new StringArray.Builder();
                            for (var r = 0; r < ints.Length; r++)
                            {
                                builder.Append(ints.GetValue(r)?.ToString(CultureInfo.InvariantCulture));
                            }

                            columns.Add(builder.Build(context.Allocator));
                        }
                        else
                        {
                            columns.Add(batch.Column(c).Retain());
                        }
                    }

                    yield return new RecordBatch(Schema, columns, batch.Length);
                }
            }
        }
    }
}
