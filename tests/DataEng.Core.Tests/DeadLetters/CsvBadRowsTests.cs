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
}
