using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Testing;

using Incremental = DataEng.Core.Incremental;

// The code shown in docs/testing.md: DocSnippetsTests checks that the page shows exactly these regions.
public class TestingGuideExamples
{
    // <snippet:transform>
    /// <summary>Adds gross = amount × (1 + VAT rate); keeps the input columns (without copying them).</summary>
    public sealed class AddGross(double vatRate) : IBatchTransform
    {
        public string Name => "add-gross";

        public Schema GetOutputSchema(Schema input)
            => new([.. input.FieldsList, new Field("gross", DoubleType.Default, nullable: true)], null);

        public RecordBatch Apply(RecordBatch input, RunContext context)
        {
            var amounts = (DoubleArray)input.Column("amount");
            var gross = new DoubleArray.Builder();
            for (var i = 0; i < amounts.Length; i++)
            {
                gross.Append(amounts.GetValue(i) * (1 + vatRate));
            }

            IArrowArray[] columns = [.. Enumerable.Range(0, input.ColumnCount).Select(c => input.Column(c).Retain()), gross.Build(context.Allocator)];
            return new RecordBatch(GetOutputSchema(input.Schema), columns, input.Length);
        }
    }
    // </snippet:transform>

    // <snippet:unit-test>
    [Fact]
    public async Task AddGross_AddsVat_AndKeepsNulls()
    {
        using var input = TestBatch.Parse("""
            id:int64 | customer:string | amount:double?
            1        | ann             | 10.0
            2        | null            | null
            """);

        using var output = await TestRun.TransformAsync(new AddGross(0.2), [input]);

        using var expected = TestBatch.Parse("""
            id:int64 | customer:string | amount:double? | gross:double?
            1        | ann             | 10.0           | 12.0
            2        | null            | null           | null
            """);
        BatchAssert.Equal(expected, output, new BatchComparison { FloatingTolerance = 1e-9 });
    }
    // </snippet:unit-test>

    [Fact]
    public async Task TypedRows_AndAnonymousInput()
    {
        // <snippet:typed-rows>
        using var input = TestBatch.From(new[]
        {
            new { id = 1L, amount = (double?)10.0 },
            new { id = 2L, amount = (double?)null },
        });

        using var output = await TestRun.TransformAsync(new AddGross(0.5), [input]);

        var rows = output.Rows<(long Id, double? Amount, double? Gross)>();
        Assert.Equal([(1L, 10.0, 15.0), (2L, null, null)], rows);
        // </snippet:typed-rows>
    }

    [Fact]
    public async Task FlakySource_And_FakeClock()
    {
        using var data = TestBatch.Parse("id | amount\n1 | 1.0");
        // <snippet:flaky>
        var source = new FlakySource(
            new InMemorySource(data.Schema, [data]),
            FlakySchedule.OnCalls(1).AfterBatches(0));

        var first = await Assert.ThrowsAsync<PipelineStageException>(() => TestRun.SourceAsync(source));
        Assert.True(first.IsTransient);                  // a retry policy would try again…
        using var second = await TestRun.SourceAsync(source);
        Assert.Equal(1, second.RowCount);                // …and the second read succeeds
        // </snippet:flaky>

        // <snippet:clock>
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var stamped = await TestRun.TransformAsync(new AddGross(0), [data], new TestRunOptions { TimeProvider = clock });
        Assert.Equal(clock.GetUtcNow(), stamped.Result.StartedAt);
        // </snippet:clock>
    }

    [Fact]
    public async Task NoLeaks()
    {
        // <snippet:no-leaks>
        var allocator = new CountingMemoryAllocator();
        using (var input = TestBatch.Parse("id | amount\n1 | 1.0\n2 | 2.0", allocator))
        using (var output = await TestRun.TransformAsync(new AddGross(0.2), [input]))
        {
            Assert.Equal(2, output.RowCount);
        }

        Assert.Equal(0, allocator.LiveAllocations);      // every buffer was released
        // </snippet:no-leaks>
    }

    [Fact]
    public async Task Lag_LeavesRowsYoungerThanTheLagToTheNextRun()
    {
        // <snippet:lag>
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var events = TestBatch.Parse("""
            id:int64 | at:timestamp
            1        | 2030-01-01T11:50:00Z
            2        | 2030-01-01T11:58:00Z
            """);
        var source = Incremental.Over(
            new InMemorySource(events.Schema, [events]),
            new IncrementalOptions { CursorColumn = "at", KeyColumns = ["id"], Lag = TimeSpan.FromMinutes(5) });
        var store = new FakeCheckpointStore(clock);
        var options = new TestRunOptions { TimeProvider = clock };

        using (var first = await TestRun.IncrementalAsync(source, store, options: options))
        {
            Assert.Equal([1L], first.Rows<(long Id, DateTimeOffset At)>().Select(r => r.Id));   // row 2 is too young
        }

        clock.Advance(TimeSpan.FromMinutes(5));                                                  // now 12:05
        using var second = await TestRun.IncrementalAsync(source, store, options: options);
        Assert.Equal([2L], second.Rows<(long Id, DateTimeOffset At)>().Select(r => r.Id));
        Assert.Equal([1L, 2L], store.History("test").Select(r => r.RunNumber));              // one commit per run
        // </snippet:lag>
    }
}
