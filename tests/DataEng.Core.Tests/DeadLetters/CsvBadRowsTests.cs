using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.Tests.DeadLetters;

/// <summary>The CSV source under a <see cref="BadRowPolicy"/>: bad records are skipped or dead-lettered with their raw fields.</summary>
public sealed class CsvBadRowsTests : IDisposable
{
    private static readonly Schema OrdersSchema = new([new Field("id", Int64Type.Default, false), new Field("amount", DoubleType.Default, true)], null);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dataeng-csv-bad-" + Guid.NewGuid().ToString("N"));

    public CsvBadRowsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteCsv(params string[] lines)
    {
        var path = Path.Combine(_folder, "orders.csv");
        File.WriteAllLines(path, ["id,amount", .. lines]);
        return path;
    }

    [Fact]
    public async Task CsvSource_DeadLetterPolicy_LoadsGoodRecordsAndDeadLettersBadOnesWithFileAndLine()
    {
        var path = WriteCsv("1,1.5", "2,oops", "3,3.5", "x,4.5", "5,5.5");
        var letters = Path.Combine(_folder, "dead");
        using var sink = new CollectingSink();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = OrdersSchema, BadRows = new BadRowPolicy { Action = BadRowAction.DeadLetter, MaxRatio = 0.5, Target = DataEng.Core.DeadLetters.ToFolder(letters) } });
        var result = await Pipeline.Create("csv-bad").Extract(source).Load(sink).Build().RunAsync();

        Assert.Equal(3, result.RowsWritten);
        Assert.Equal([1L, 3, 5], sink.Batches.SelectMany(static b => ((Int64Array)b.Column(0)).Values.ToArray()));
        var file = Assert.Single(Directory.GetFiles(letters, "*.parquet", SearchOption.AllDirectories));
        var rows = Duck.Query($"SELECT position, json_extract_string(raw, '$.id'), json_extract_string(raw, '$.amount'), error FROM read_parquet({Duck.Literal(file)}) ORDER BY position")
            .Select(static r => $"{Path.GetFileName((string)r[0]!)}|{r[1]}|{r[2]}|{((string)r[3]!).Contains("column", StringComparison.Ordinal)}")
            .ToList();

        Assert.Equal(["orders.csv:3|2|oops|True", "orders.csv:5|x|4.5|True"], rows);
    }

    [Fact]
    public async Task CsvSource_SkipPolicyAboveMaxRatio_FailsTheRun()
    {
        var path = WriteCsv("1,1.5", "2,oops", "3,bad");
        using var sink = new CollectingSink();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = OrdersSchema, BadRows = new BadRowPolicy { Action = BadRowAction.Skip, MaxRatio = 0.5 } });

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => Pipeline.Create("csv-ratio").Extract(source).Load(sink).Build().RunAsync());

        Assert.Contains("2 of 3 rows", e.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(0, sink.RowCount);
    }

    [Fact]
    public async Task CsvSource_NoPolicy_StillFailsOnTheFirstBadRecord()
    {
        var path = WriteCsv("1,1.5", "2,oops");
        using var sink = new CollectingSink();

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => Pipeline.Create("csv-fail").Extract(DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = OrdersSchema })).Load(sink).Build().RunAsync());

        var inner = Assert.IsType<DataFormatException>(e.InnerException);
        Assert.Equal(3, inner.Row);
    }

    [Fact]
    public async Task CsvSource_DeadLetterPolicy_DeadLettersRecordsWithTooFewOrTooManyFieldsWithFileAndLine()
    {
        var path = WriteCsv("1,1.5", "2", "3,3.5", "4,4.5,extra", "5,5.5");
        var letters = Path.Combine(_folder, "dead");
        using var sink = new CollectingSink();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = OrdersSchema, BadRows = new BadRowPolicy { Action = BadRowAction.DeadLetter, MaxRatio = 0.5, Target = DataEng.Core.DeadLetters.ToFolder(letters) } });
        var result = await Pipeline.Create("csv-count").Extract(source).Load(sink).Build().RunAsync();

        Assert.Equal([1L, 3, 5], sink.Batches.SelectMany(static b => ((Int64Array)b.Column(0)).Values.ToArray()));
        var file = Assert.Single(Directory.GetFiles(letters, "*.parquet", SearchOption.AllDirectories));
        var rows = Duck.Query($"SELECT position, raw, error FROM read_parquet({Duck.Literal(file)}) ORDER BY position")
            .Select(static r => (Position: (string)r[0]!, Raw: (string)r[1]!, Error: (string)r[2]!)).ToList();

        Assert.Equal([$"{path}:3", $"{path}:5"], rows.Select(static r => r.Position));
        Assert.Equal(["{\"id\":\"2\"}", "{\"id\":\"4\",\"amount\":\"4.5\",\"#3\":\"extra\"}"], rows.Select(static r => r.Raw));
        Assert.Contains("the record has 1 fields, expected 2", rows[0].Error, StringComparison.Ordinal);
        Assert.Contains("the record has 3 fields, expected 2", rows[1].Error, StringComparison.Ordinal);
        Assert.Equal(3, result.RowsWritten);
    }

    [Fact]
    public async Task CsvSource_SkipPolicyWithInferredSchema_SkipsRecordsWithWrongFieldCountsAndCountsThem()
    {
        var path = WriteCsv("1,1.5", "2", "3,3.5,x", "4,4.5");
        using var sink = new CollectingSink();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { BadRows = new BadRowPolicy { Action = BadRowAction.Skip, MaxRatio = 1 } });
        var result = await Pipeline.Create("csv-count-skip").Extract(source).Load(sink).Build().RunAsync();

        Assert.Equal([1L, 4], sink.Batches.SelectMany(static b => ((Int64Array)b.Column(0)).Values.ToArray()));
        Assert.Equal(2, result.RowsWritten);
    }

    [Fact]
    public async Task CsvSource_FailPolicy_FieldCountErrorNamesFileAndLine()
    {
        var path = WriteCsv("1,1.5", "2,2.5", "3");
        using var sink = new CollectingSink();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = OrdersSchema, BadRows = BadRowPolicy.Fail });

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => Pipeline.Create("csv-count-fail").Extract(source).Load(sink).Build().RunAsync());

        var inner = Assert.IsType<DataFormatException>(e.InnerException);
        Assert.Equal(path, inner.Source);
        Assert.Equal(4, inner.Row);
        Assert.Equal("amount", inner.Column);
        Assert.Contains("has 1 fields, expected 2", inner.Message, StringComparison.Ordinal);
        Assert.Equal(0, sink.RowCount);
    }

    [Fact]
    public async Task CsvSource_FailPolicy_ConversionErrorNamesFileLineAndColumn()
    {
        var path = WriteCsv("1,1.5", "2,oops");
        using var sink = new CollectingSink();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = OrdersSchema, BadRows = new BadRowPolicy { Action = BadRowAction.Fail } });

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => Pipeline.Create("csv-convert-fail").Extract(source).Load(sink).Build().RunAsync());

        var inner = Assert.IsType<DataFormatException>(e.InnerException);
        Assert.Equal((path, 3L, "amount"), (inner.Source, inner.Row, inner.Column));
    }

    [Fact]
    public async Task RunResult_BadRowsSkippedAndDeadLettered_AreReportedPerStageInTotalAndInALogWarning()
    {
        var path = WriteCsv("1,1.5", "2", "3,oops", "4,4.5", "5,-1", "6,6.5");
        var logs = new CapturingLoggerFactory();
        using var sink = new CollectingSink();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { Name = "orders-csv", Schema = OrdersSchema, BadRows = new BadRowPolicy { Action = BadRowAction.Skip, MaxRatio = 0.5 } });
        var check = DataEng.Core.BadRows.Validate(
            static (batch, i) => ((DoubleArray)batch.Column(1)).GetValue(i) < 0 ? "amount is negative" : null,
            new BadRowValidationOptions
            {
                Name = "non-negative",
                Policy = new BadRowPolicy { Action = BadRowAction.DeadLetter, MaxRatio = 0.5, Target = DataEng.Core.DeadLetters.ToFolder(Path.Combine(_folder, "dead")) },
            });
        var pipeline = Pipeline.Create("csv-counts").Extract(source).Transform(check).Load(sink).Configure(o => o.LoggerFactory = logs).Build();

        var result = await pipeline.RunAsync();

        Assert.Equal((2L, 0L), (result.Stages[0].RowsSkipped, result.Stages[0].RowsDeadLettered));
        Assert.Equal((0L, 1L), (result.Stages[1].RowsSkipped, result.Stages[1].RowsDeadLettered));
        Assert.Equal((0L, 0L), (result.Stages[2].RowsSkipped, result.Stages[2].RowsDeadLettered));
        Assert.Equal((2L, 1L), (result.RowsSkipped, result.RowsDeadLettered));
        Assert.Equal(3, result.RowsWritten);
        Assert.Contains("2 bad rows skipped, 1 dead-lettered", result.ToString(), StringComparison.Ordinal);
        var warning = Assert.Single(logs.Provider.Lines, static l => l.StartsWith("Warning 6 ", StringComparison.Ordinal));
        Assert.Contains("committed without 2 skipped and 1 dead-lettered bad rows: 'orders-csv' 2 skipped, 0 dead-lettered, 'non-negative' 0 skipped, 1 dead-lettered", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunResult_NoBadRows_ReportsZeroAndLogsNoWarning()
    {
        var path = WriteCsv("1,1.5", "2,2.5");
        var logs = new CapturingLoggerFactory();
        using var sink = new CollectingSink();
        var source = DataEng.Core.Csv.File(path, new CsvSourceOptions { Schema = OrdersSchema, BadRows = new BadRowPolicy { Action = BadRowAction.Skip } });

        var result = await Pipeline.Create("csv-clean").Extract(source).Load(sink).Configure(o => o.LoggerFactory = logs).Build().RunAsync();

        Assert.Equal((0L, 0L), (result.RowsSkipped, result.RowsDeadLettered));
        Assert.DoesNotContain(logs.Provider.Lines, static l => l.StartsWith("Warning 6 ", StringComparison.Ordinal));
        Assert.DoesNotContain("skipped,", result.ToString(), StringComparison.Ordinal);
    }
}
