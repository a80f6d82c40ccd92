using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Testing;

public class TestRunTests
{
    [Fact]
    public async Task TransformAsync_RunsTheTransformOverEveryBatch_InOrder()
    {
        var allocator = new CountingMemoryAllocator();
        using var first = TestBatch.Parse("id | amount\n1 | 10.0\n2 | null", allocator);
        using var second = TestBatch.Parse("id | amount\n3 | 30.0", allocator);
        using var expected = TestBatch.Parse("id? | amount? | gross?\n1 | 10.0 | 12.0\n2 | null | null\n3 | 30.0 | 36.0");

        using (var output = await TestRun.TransformAsync(new AddGross(0.2), [first, second]))
        {
            BatchAssert.Equal(expected, output, new BatchComparison { FloatingTolerance = 1e-9 });
            Assert.Equal(2, output.Result.Stages[1].Batches);
            Assert.Equal(3, output.RowCount);
            Assert.Equal([12.0, null, 36.0], output.Rows<(long Id, double? Amount, double? Gross)>().Select(r => r.Gross));
        }

        first.Dispose();
        second.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task TransformAsync_GivenAllocator_IsWhatTheTransformAllocatesFrom()
    {
        var allocator = new CountingMemoryAllocator();
        using var input = TestBatch.Parse("id | amount\n1 | 10.0");

        using (var output = await TestRun.TransformAsync(new AddGross(0.2), [input], new TestRunOptions { Allocator = allocator }))
        {
            Assert.True(allocator.LiveAllocations > 0);
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task TransformAsync_NoInput_NeedsASchema()
    {
        var schema = TestBatch.ParseSchema("id:int64 | amount:double");

        await Assert.ThrowsAsync<ArgumentException>(() => TestRun.TransformAsync(new AddGross(0.2), []));
        using var output = await TestRun.TransformAsync(new AddGross(0.2), [], new TestRunOptions { InputSchema = schema });

        Assert.Empty(output.Batches);
        Assert.Equal("(id: int64?, amount: double?, gross: double?)", SchemaText.Describe(output.Schema));
    }

    [Fact]
    public async Task TransformAsync_TransformThrows_SurfacesThePipelineError()
    {
        using var input = TestBatch.Parse("id | amount\n1 | -1.0");

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => TestRun.TransformAsync(new AddGross(0.2), [input]));

        Assert.Equal("add-gross", error.StageName);
        Assert.IsType<DataFormatException>(error.InnerException);
    }

    [Fact]
    public async Task TransformAsync_UsesTheGivenClock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var input = TestBatch.Parse("id\n1");
        using var expected = TestBatch.Parse("id:int64? | loaded_at:timestamp[us, UTC]!\n1 | 2030-01-02T03:04:05Z");

        using var output = await TestRun.TransformAsync(new StampLoadTime(), [input], new TestRunOptions { TimeProvider = clock });

        BatchAssert.Equal(expected, output, new BatchComparison { IgnoreNullability = true });
    }

    [Fact]
    public async Task TransformsAsync_RunsAChainInOrder()
    {
        using var input = TestBatch.Parse("id | amount\n1 | 10.0");

        using var output = await TestRun.TransformsAsync([new AddGross(0.5), new StampLoadTime()], [input]);

        Assert.Equal(["id", "amount", "gross", "loaded_at"], output.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(15.0, output.Rows<Dictionary<string, object?>>()[0]["gross"]);
    }

    [Fact]
    public async Task PipelineAsync_ReplacesTheSink_AndKeepsThePipelineName()
    {
        using var input = TestBatch.Parse("id | amount\n1 | 1.0\n2 | 2.0");
        var pipeline = Pipeline.Create("orders")
            .Extract(new InMemorySource(input.Schema, [input]))
            .Transform(new AddGross(1))
            .Load(new NullSink())
            .Build();

        using var output = await TestRun.PipelineAsync(pipeline);

        Assert.Equal("orders", output.Result.PipelineName);
        Assert.Equal([2.0, 4.0], output.Rows<(long, double, double Gross)>().Select(r => r.Gross));
    }

    [Fact]
    public async Task SourceAsync_CommitPropertiesOfTheRunAreVisible()
    {
        using var input = TestBatch.Parse("id\n1");
        var run = new RunOptions();
        run.CommitProperties["watermark"] = "42";

        using var output = await TestRun.SourceAsync(new InMemorySource(input.Schema, [input]), options: new TestRunOptions { Run = run });

        Assert.Equal("42", output.CommitProperties["watermark"]);
        Assert.Contains("1 row in 1 batch", output.ToString());
    }

    [Fact]
    public async Task IncrementalAsync_RunsWithTheGivenTransforms_AndANextRunWithoutNewRowsDeliversNothing()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var input = TestBatch.Parse("""
            id:int64 | amount:double | at:timestamp
            1        | 1.0           | 2030-01-01T10:00:00Z
            2        | 2.0           | 2030-01-01T11:00:00Z
            """);
        var source = DataEng.Core.Incremental.Over(new InMemorySource(input.Schema, [input]), new IncrementalOptions { CursorColumn = "at", KeyColumns = ["id"] });
        var store = new DataEng.Core.Testing.FakeCheckpointStore(clock);
        var options = new TestRunOptions { TimeProvider = clock, PipelineName = "orders" };

        using var first = await TestRun.IncrementalAsync(source, store, [new AddGross(1)], options);
        using var second = await TestRun.IncrementalAsync(source, store, [new AddGross(1)], options);

        Assert.Equal([2.0, 4.0], first.Rows<(long, double, DateTimeOffset, double Gross)>().Select(r => r.Gross));
        Assert.Null(first.Incremental!.Previous);
        Assert.Equal(0, second.RowCount);
        Assert.Equal(1, second.Incremental!.Previous!.RunNumber);
        Assert.Equal(first.Incremental.Watermark, second.Incremental.Watermark);
        Assert.Equal(2, store.History("orders").Count);
        using var plain = await TestRun.SourceAsync(new InMemorySource(input.Schema, [input]));
        Assert.Null(plain.Incremental);
    }

    /// <summary>A user transform: gross = amount * (1 + rate); rejects negative amounts.</summary>
    private sealed class AddGross(double rate) : IBatchTransform
    {
        public string Name => "add-gross";

        public Schema GetOutputSchema(Schema input)
            => new([.. input.FieldsList.Select(f => new Field(f.Name, f.DataType, true)), new Field("gross", DoubleType.Default, true)], null);

        public RecordBatch Apply(RecordBatch input, RunContext context)
        {
            var amounts = (DoubleArray)input.Column("amount");
            var gross = new DoubleArray.Builder();
            for (var i = 0; i < amounts.Length; i++)
            {
                var amount = amounts.GetValue(i);
                if (amount < 0)
                {
                    throw new DataFormatException("test", i + 1, "amount", "negative amount");
                }

                gross.Append(amount * (1 + rate));
            }

            var schema = GetOutputSchema(input.Schema);
            return new RecordBatch(schema, [.. Enumerable.Range(0, input.ColumnCount).Select(c => input.Column(c).Retain()), gross.Build(context.Allocator)], input.Length);
        }
    }

    /// <summary>A user transform that adds the run's clock time (a typical use of a fake clock in tests).</summary>
    private sealed class StampLoadTime : IBatchTransform
    {
        public string Name => "stamp";

        public Schema GetOutputSchema(Schema input)
            => new([.. input.FieldsList, new Field("loaded_at", new TimestampType(TimeUnit.Microsecond, "UTC"), false)], null);

        public RecordBatch Apply(RecordBatch input, RunContext context)
        {
            var now = context.TimeProvider.GetUtcNow();
            var stamps = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, "UTC"));
            for (var i = 0; i < input.Length; i++)
            {
                stamps.Append(now);
            }

            return new RecordBatch(GetOutputSchema(input.Schema), [.. Enumerable.Range(0, input.ColumnCount).Select(c => input.Column(c).Retain()), stamps.Build()], input.Length);
        }
    }
}
