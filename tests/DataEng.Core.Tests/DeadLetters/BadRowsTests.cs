using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.DeadLetters;

public sealed class BadRowsTests : IDisposable
{
    private static readonly Schema OrdersSchema = new(
        [new Field("id", Int64Type.Default, false), new Field("amount", DoubleType.Default, true), new Field("note", StringType.Default, true)],
        null);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dataeng-dead-letters-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Rows whose amount is negative are bad.</summary>
    private static string? NegativeAmount(RecordBatch batch, int row)
        => ((DoubleArray)batch.Column(1)).GetValue(row) is < 0 ? "amount must not be negative" : null;

    private static RecordBatch Orders(long firstId, double[] amounts, MemoryAllocator? allocator = null)
    {
        var ids = new Int64Array.Builder();
        var values = new DoubleArray.Builder();
        var notes = new StringArray.Builder();
        for (var i = 0; i < amounts.Length; i++)
        {
            ids.Append(firstId + i);
            values.Append(amounts[i]);
            notes.Append($"it's ‘{firstId + i}’");
        }

        return new RecordBatch(OrdersSchema, [ids.Build(allocator), values.Build(allocator), notes.Build(allocator)], amounts.Length);
    }

    private static Pipeline Build(IStreamTransform transform, ISink sink, params RecordBatch[] batches)
        => Pipeline.Create("bad-rows").Extract(new InMemorySource(OrdersSchema, batches)).Transform(transform).Load(sink).Build();

    [Fact]
    public async Task Validate_DefaultPolicy_FailsOnTheFirstBadRowNamingIt()
    {
        using var sink = new CollectingSink();
        var pipeline = Build(BadRows.Validate(NegativeAmount, new BadRowValidationOptions { Name = "check" }), sink, Orders(1, [1, -2, 3]));

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        Assert.Equal("check", e.StageName);
        var inner = Assert.IsType<DataFormatException>(e.InnerException);
        Assert.Contains("row 2", inner.Message, StringComparison.Ordinal);
        Assert.Equal(0, sink.RowCount);
    }

    [Fact]
    public async Task Validate_Skip_DropsBadRowsAndKeepsTheRest()
    {
        using var sink = new CollectingSink();
        var policy = new BadRowPolicy { Action = BadRowAction.Skip, MaxRatio = 0.5 };
        var pipeline = Build(BadRows.Validate(NegativeAmount, new BadRowValidationOptions { Name = "check", Policy = policy }), sink, Orders(1, [1, -2, 3, -4, 5]), Orders(6, [6, 7]));

        await pipeline.RunAsync();

        Assert.Equal([1L, 3, 5, 6, 7], sink.Batches.SelectMany(b => ((Int64Array)b.Column(0)).Values.ToArray()));
    }

    [Fact]
    public async Task Validate_MoreBadRowsThanMaxCount_FailsTheRun()
    {
        using var sink = new CollectingSink();
        var policy = new BadRowPolicy { Action = BadRowAction.Skip, MaxCount = 1, MaxRatio = 1 };
        var pipeline = Build(BadRows.Validate(NegativeAmount, new BadRowValidationOptions { Name = "check", Policy = policy }), sink, Orders(1, [1, -2, 3, -4]));

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        Assert.Contains("more than 1 rows", e.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(0, sink.RowCount);
    }

    [Fact]
    public async Task Validate_BadRatioAboveMaxRatio_FailsTheRun()
    {
        using var sink = new CollectingSink();
        var policy = new BadRowPolicy { Action = BadRowAction.Skip, MaxRatio = 0.2 };
        var pipeline = Build(BadRows.Validate(NegativeAmount, new BadRowValidationOptions { Name = "check", Policy = policy }), sink, Orders(1, [1, -2, 3, -4]));

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        Assert.Contains("2 of 4 rows", e.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(0, sink.RowCount);
    }

    [Fact]
    public async Task Validate_DeadLetterToFolder_WritesRawValuesErrorStageRunAndPositionThatDuckDbReads()
    {
        using var sink = new CollectingSink();
        var policy = new BadRowPolicy { Action = BadRowAction.DeadLetter, MaxRatio = 0.5, Target = DataEng.Core.DeadLetters.ToFolder(_folder) };
        var pipeline = Build(BadRows.Validate(NegativeAmount, new BadRowValidationOptions { Name = "check", Policy = policy }), sink, Orders(1, [1, -2, 3]), Orders(4, [-4, 5]));

        var result = await pipeline.RunAsync();

        Assert.Equal(3, result.RowsWritten);
        var file = Assert.Single(Directory.GetFiles(_folder, "*.parquet", SearchOption.AllDirectories));
        Assert.EndsWith(Path.Combine("pipeline=bad-rows", "run-1-check.parquet"), file, StringComparison.Ordinal);
        var rows = Duck.Query($"SELECT pipeline, run_number, stage, position, error, json_extract_string(raw, '$.id'), json_extract_string(raw, '$.note') FROM read_parquet({Duck.Literal(file)}) ORDER BY position")
            .Select(static r => string.Join('|', r.Select(static v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();

        Assert.Equal(
            [
                "bad-rows|1|check|row 2 of the run|amount must not be negative|2|it's ‘2’",
                "bad-rows|1|check|row 4 of the run|amount must not be negative|4|it's ‘4’",
            ],
            rows);
    }

    [Fact]
    public async Task Validate_DeadLetterToSink_CommitsTheRowsThere()
    {
        using var sink = new CollectingSink();
        using var letters = new CollectingSink("letters");
        var policy = new BadRowPolicy { Action = BadRowAction.DeadLetter, MaxRatio = 1, Target = DataEng.Core.DeadLetters.ToSink(letters) };
        var pipeline = Build(BadRows.Validate(NegativeAmount, new BadRowValidationOptions { Name = "check", Policy = policy }), sink, Orders(1, [-1, -2, 3]));

        await pipeline.RunAsync();

        Assert.Equal(1, sink.RowCount);
        Assert.Equal(2, letters.RowCount);
        var commit = Assert.Single(letters.Commits);
        Assert.Equal("bad-rows.dead-letters.check", commit.PipelineName);
        Assert.Equal("{\"id\":\"1\",\"amount\":\"-1\",\"note\":\"it\\u0027s \\u20181\\u2019\"}", ((StringArray)letters.Batches[0].Column("raw")).GetString(0));
    }

    [Fact]
    public async Task Validate_FilteredBatches_ReleaseEveryBuffer()
    {
        var allocator = new CountingMemoryAllocator();
        var context = new RunContext("leaks", 1, "r", NullLogger.Instance, TimeProvider.System, default) { Allocator = allocator };
        var transform = BadRows.Validate(NegativeAmount, new BadRowValidationOptions { Name = "check", Policy = new BadRowPolicy { Action = BadRowAction.Skip, MaxRatio = 1 } });

        await foreach (var batch in transform.ApplyAsync(Input(), context))
        {
            batch.Dispose();
        }

        Assert.Equal(0, allocator.LiveAllocations);

        async IAsyncEnumerable<RecordBatch> Input()
        {
            await Task.Yield();
            yield return Orders(1, [1, -2, 3], allocator);
            yield return Orders(4, [-4, -5], allocator);
            yield return Orders(6, [6, 7], allocator);
            yield return Orders(8, [-8, 9, 10], allocator);
        }
    }

    [Fact]
    public void Policy_DeadLetterWithoutTarget_IsRejectedWhenCreated()
    {
        var e = Assert.Throws<DataEngValidationException>(() => BadRows.Validate(NegativeAmount, new BadRowValidationOptions { Name = "check", Policy = new BadRowPolicy { Action = BadRowAction.DeadLetter } }));
        Assert.Contains(nameof(BadRowPolicy.Target), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidationOptions_BlankNameAndNullPolicy_AreListedTogether()
    {
        var e = Assert.Throws<DataEngValidationException>(() => BadRows.Validate(NegativeAmount, new BadRowValidationOptions { Name = "", Policy = null! }));

        Assert.Equal(2, e.Problems.Count);
    }

    [Fact]
    public void Validate_WithoutOptions_IsNamedValidate()
    {
        var transform = BadRows.Validate(NegativeAmount);

        Assert.Equal("validate", transform.Name);
    }
}
