using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using DataEng.Core.Tests.Kernels;

namespace DataEng.Core.Tests.Transforms;

public class PipelineBuilderTransformExtensionsTests
{
    private static readonly Schema OrdersSchema = new Schema.Builder()
        .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
        .Field(f => f.Name("customer_id").DataType(Int32Type.Default).Nullable(true))
        .Field(f => f.Name("amount").DataType(DoubleType.Default).Nullable(true))
        .Field(f => f.Name("currency").DataType(StringType.Default).Nullable(true))
        .Field(f => f.Name("ts").DataType(new TimestampType(TimeUnit.Microsecond, "UTC")).Nullable(true))
        .Build();

    private static RecordBatch Orders(long first, int rows, MemoryAllocator? allocator = null)
    {
        string?[] currencies = ["EUR", "USD", "GBP", null];
        var start = new DateTimeOffset(2024, 5, 1, 22, 30, 0, TimeSpan.Zero);
        return new RecordBatch(OrdersSchema,
        [
            KernelTestData.Build(Int64Type.Default, [.. Enumerable.Range(0, rows).Select(i => (object?)(first + i))], allocator),
            KernelTestData.Build(Int32Type.Default, [.. Enumerable.Range(0, rows).Select(i => i % 7 == 0 ? null : (object?)((int)(first + i) * 10))], allocator),
            KernelTestData.Build(DoubleType.Default, [.. Enumerable.Range(0, rows).Select(i => i % 5 == 0 ? null : (object?)((((first + i) % 3) - 1) * 12.5))], allocator),
            KernelTestData.Build(StringType.Default, [.. Enumerable.Range(0, rows).Select(i => (object?)currencies[(first + i) % 4])], allocator),
            KernelTestData.Build(new TimestampType(TimeUnit.Microsecond, "UTC"), [.. Enumerable.Range(0, rows).Select(i => (object?)((start.AddHours(first + i) - DateTimeOffset.UnixEpoch).Ticks / 10))], allocator),
        ], rows);
    }

    private static PipelineBuilder OrdersPipeline(ISource source, ISink sink) => Pipeline.Create("orders")
        .Extract(source)
        .Filter("amount", (double v) => v > 0)
        .Filter(RowPredicate.Column("currency").In("EUR", "USD"))
        .Derive("dt", "ts", (DateTimeOffset ts) => DateOnly.FromDateTime(ts.UtcDateTime))
        .Cast("customer_id", DataTypes.Int64)
        .Select("id", "customer_id", "dt", "amount")
        .Rename("amount", "amount_eur")
        .Load(sink);

    [Fact]
    public async Task UsageExample_FiltersDerivesCastsSelectsAndRenames()
    {
        using var batch = Orders(0, 40);
        using var sink = new CollectingSink();

        var pipeline = OrdersPipeline(new InMemorySource(OrdersSchema, [batch]), sink).Build();
        var result = await pipeline.RunAsync();

        Assert.Equal("(id: int64, customer_id: int64?, dt: date32?, amount_eur: double?)", SchemaText.Describe(pipeline.OutputSchema));
        var expected = Enumerable.Range(0, 40).Where(i => i % 5 != 0 && i % 3 == 2 && i % 4 < 2).ToList();
        var output = Assert.Single(sink.Batches);
        Assert.Equal(expected.Select(i => (object?)(long)i), KernelTestData.Values(output.Column(0)));
        Assert.Equal(expected.Select(i => i % 7 == 0 ? null : (object?)(i * 10L)), KernelTestData.Values(output.Column(1)));
        Assert.Equal(expected.Select(i => (object?)(DateOnly.FromDateTime(new DateTime(2024, 5, 1, 22, 30, 0).AddHours(i)).DayNumber - 719162)), KernelTestData.Values(output.Column(2)));
        Assert.All(KernelTestData.Values(output.Column(3)), v => Assert.Equal(12.5, v));
        Assert.Equal(expected.Count, result.RowsWritten);
    }

    [Fact]
    public void Build_EveryProblemOfAStage_IsReportedAtOnceWithTheStageName()
    {
        using var sink = new CollectingSink();

        var e = Assert.Throws<PipelineValidationException>(() => Pipeline.Create("bad")
            .Extract(new InMemorySource(OrdersSchema, []))
            .Filter(RowPredicate.Column("amont").GreaterThan(0) & RowPredicate.Column("currency").EqualTo(1) & RowPredicate.Column("ts").Where((DateOnly d) => true))
            .Select("id", "id")
            .Load(sink)
            .Build());

        // The builder cannot validate stages after one whose output schema is unknown, so only the filter reports.
        Assert.Equal(3, e.Problems.Count);
        Assert.All(e.Problems, p => Assert.StartsWith("filter (", p, StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("did you mean 'amount'", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("cannot compare a utf8 column with a int value", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("cannot be read as DateOnly (it can be read as DateTime, DateTimeOffset)", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_ProblemsOfALaterStage_AreReportedWithItsName()
    {
        using var sink = new CollectingSink();

        var e = Assert.Throws<PipelineValidationException>(() => Pipeline.Create("bad")
            .Extract(new InMemorySource(OrdersSchema, []))
            .Cast("currency", DataTypes.Date32)
            .Derive("day", "ts", (DateOnly d) => d)
            .Load(sink)
            .Build());

        Assert.Equal(["derive day from ts: column 'ts' has type timestamp[microsecond, UTC] and cannot be read as DateOnly (it can be read as DateTime, DateTimeOffset)"], e.Problems);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task FullPipeline_EveryBufferIsReleased(int parallelism)
    {
        var allocator = new CountingMemoryAllocator();
        var batches = Enumerable.Range(0, 12).Select(b => Orders(b * 100, 100, allocator)).ToList();
        using (var sink = new CollectingSink())
        {
            var pipeline = OrdersPipeline(new InMemorySource(OrdersSchema, batches), sink)
                .Configure(o =>
                {
                    o.Allocator = allocator;
                    o.MaxDegreeOfParallelism = parallelism;
                })
                .Build();

            await pipeline.RunAsync();
            batches.ForEach(b => b.Dispose());

            Assert.True(sink.RowCount > 0);
            Assert.True(allocator.LiveAllocations > 0);
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task FailingCast_NamesTheStageAndRow_AndLeaksNothing()
    {
        var allocator = new CountingMemoryAllocator();
        var good = Orders(0, 50, allocator);
        var bad = new RecordBatch(OrdersSchema,
        [
            KernelTestData.Build(Int64Type.Default, [1L, 3_000_000_000L], allocator),
            KernelTestData.Build(Int32Type.Default, [1, 2], allocator),
            KernelTestData.Build(DoubleType.Default, [1.0, 2.0], allocator),
            KernelTestData.Build(StringType.Default, ["EUR", "EUR"], allocator),
            KernelTestData.Build(new TimestampType(TimeUnit.Microsecond, "UTC"), [0L, 0L], allocator),
        ], 2);
        using (var sink = new CollectingSink())
        {
            var pipeline = Pipeline.Create("fails")
                .Extract(new InMemorySource(OrdersSchema, [good, bad]))
                .Filter("amount", (double v) => v > 0)
                .Cast("id", DataTypes.Int32)
                .Load(sink)
                .Configure(o => o.Allocator = allocator)
                .Build();

            var e = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

            Assert.Equal("cast id", e.StageName);
            var inner = Assert.IsType<DataFormatException>(e.InnerException);
            Assert.Equal(2, inner.Row);
            Assert.Equal("id", inner.Column);
            Assert.Contains("3000000000", inner.Message, StringComparison.Ordinal);
            Assert.Empty(sink.Batches);
        }

        good.Dispose();
        bad.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task SteadyState_FilterDeriveCastPipeline_ReusesPooledMemoryInsteadOfGrowing()
    {
        using var pool = new PooledMemoryAllocator();
        var counting = new CountingMemoryAllocator(pool);
        var batches = Enumerable.Range(0, 8).Select(b => Orders(b * 1000, 1000)).ToList();
        var pipeline = OrdersPipeline(new InMemorySource(OrdersSchema, batches), new NullSink())
            .Configure(o =>
            {
                o.Allocator = counting;
                o.MaxDegreeOfParallelism = 2;
            })
            .Build();

        var perRun = new List<long>();
        for (var run = 0; run < 20; run++)
        {
            var before = counting.TotalAllocations;
            await pipeline.RunAsync();
            perRun.Add(counting.TotalAllocations - before);
            Assert.Equal(0, counting.LiveAllocations);
            Assert.Equal(0, pool.OutstandingBytes);
        }

        batches.ForEach(b => b.Dispose());
        Assert.True(perRun[0] > 0);
        Assert.All(perRun, n => Assert.Equal(perRun[0], n));
        // Only the buffers in flight at the same time are ever fresh; every later allocation reuses one.
        Assert.True(pool.FreshAllocations <= 2 * perRun[0], $"fresh {pool.FreshAllocations}, per run {perRun[0]}");
        Assert.True(pool.ReusedAllocations >= 18 * perRun[0], $"reused {pool.ReusedAllocations}, per run {perRun[0]}");
    }
}
