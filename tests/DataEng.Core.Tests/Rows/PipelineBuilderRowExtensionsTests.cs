using DataEng.Core.Testing;

namespace DataEng.Core.Tests.TypedRows;

public class PipelineBuilderRowExtensionsTests
{
    private static IEnumerable<Order> MakeOrders(int count) => Enumerable.Range(0, count)
        .Select(i => new Order(i, "c" + (i % 7), i * 0.5m, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(i), i % 3 == 0 ? null : "n" + i));

    public sealed record Discounted(long Id, decimal Amount, decimal Net);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Map_ProjectionRecordInAPipeline_MapsEveryRowInOrder(int parallelism)
    {
        var sink = Rows.Collect<Discounted>();
        var pipeline = Pipeline.Create("discount")
            .Extract(Rows.From(MakeOrders(1000), batchSize: 64))
            .Map((OrderAmount o) => new Discounted(o.Id, o.Amount, o.Amount * 0.9m))
            .Load(sink)
            .Configure(o => o.MaxDegreeOfParallelism = parallelism)
            .Build();

        var result = await pipeline.RunAsync();

        Assert.Equal(MakeOrders(1000).Select(o => new Discounted(o.Id, o.Amount, o.Amount * 0.9m)), sink.Rows);
        Assert.Equal("map<OrderAmount,Discounted>", result.Stages[1].Name);
        Assert.Equal(StageKind.BatchTransform, result.Stages[1].Kind);
        Assert.Equal(Rows.SchemaOf<Discounted>(), pipeline.OutputSchema);
    }

    [Fact]
    public async Task FlatMap_ExpandsAndDropsRows_KeepingOrder_IntoACollectingSink()
    {
        using var sink = new CollectingSink();
        var pipeline = Pipeline.Create("lines")
            .Extract(Rows.From(MakeOrders(100), batchSize: 10))
            .FlatMap((Order o) => Enumerable.Range(1, (int)(o.Id % 3)).Select(line => new OrderLine(o.Id, line, $"sku-{o.Id}-{line}")))
            .Load(sink)
            .Configure(o => o.MaxDegreeOfParallelism = 3)
            .Build();

        var result = await pipeline.RunAsync();

        var expected = MakeOrders(100).SelectMany(o => Enumerable.Range(1, (int)(o.Id % 3)).Select(line => new OrderLine(o.Id, line, $"sku-{o.Id}-{line}"))).ToList();
        Assert.Equal(expected, sink.Batches.SelectMany(b => Rows.ToList<OrderLine>(b)));
        Assert.Equal(expected.Count, result.RowsWritten);
        Assert.Equal("flat-map<Order,OrderLine>", result.Stages[1].Name);
    }

    [Fact]
    public async Task FlatMap_ManyResultsPerRow_GrowsItsBuffer()
    {
        var sink = Rows.Collect<OrderLine>();
        await Pipeline.Create("grow")
            .Extract(Rows.From(MakeOrders(3), batchSize: 3))
            .FlatMap((OrderAmount o) => Enumerable.Range(0, 1000).Select(i => new OrderLine(o.Id, i, "")))
            .Load(sink)
            .Build()
            .RunAsync();

        Assert.Equal(3000, sink.Count);
        Assert.Equal(999, sink.Rows[^1].Line);
    }

    [Fact]
    public void Build_InputRowTypeWithMissingAndIncompatibleColumns_ListsEveryProperty()
    {
        var builder = Pipeline.Create("bad-map")
            .Extract(Rows.From(MakeOrders(1)))
            .Map((BadInput b) => new OrderAmount(b.Id, 0m), name: "check")
            .Load(new NullSink());

        var error = Assert.Throws<PipelineValidationException>(builder.Build);

        Assert.Equal(3, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("check: ") && p.Contains("'BadInput.Missing'") && p.Contains("no column 'Missing'"));
        Assert.Contains(error.Problems, p => p.Contains("'BadInput.Customer' (int)") && p.Contains("column 'Customer' is utf8"));
        Assert.Contains(error.Problems, p => p.Contains("'BadInput.Amount' (double)") && p.Contains("decimal128(38, 18)"));
    }

    [Fact]
    public async Task Map_FunctionThrows_FailsTheRunNamingTheStage()
    {
        var pipeline = Pipeline.Create("throws")
            .Extract(Rows.From(MakeOrders(100), batchSize: 10))
            .Map((OrderAmount o) => o.Id == 42 ? throw new InvalidOperationException("no 42") : o, name: "picky")
            .Load(new NullSink())
            .Build();

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        Assert.Equal("picky", error.StageName);
        Assert.Equal("no 42", error.InnerException!.Message);
    }

    [Fact]
    public void Apply_BuildsTheOutputOnTheRunAllocator_AndReleasesEverythingOnFailure()
    {
        var allocator = new CountingMemoryAllocator();
        var context = new RunContext("p", 1, "r", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System, default) { Allocator = allocator };
        using var input = Rows.ToBatch(MakeOrders(10));
        var transform = (IBatchTransform)Pipeline.Create("t").Map((OrderAmount o) => new Discounted(o.Id, o.Amount, o.Id == 7 ? decimal.MaxValue : o.Amount), name: "t").TransformsForTest()[0];

        var error = Assert.Throws<DataFormatException>(() => transform.Apply(input, context));
        Assert.Equal(8, error.Row);
        Assert.Equal("Net", error.Column);
        Assert.Equal("t (output)", error.Source);
        Assert.Equal(0, allocator.LiveAllocations);

        using var good = input.Slice(0, 5);
        var output = transform.Apply(good, context);
        Assert.Equal(5, output.Length);
        Assert.True(allocator.LiveAllocations > 0);
        output.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void Map_NullArguments_Throw()
    {
        var builder = Pipeline.Create("x");

        Assert.Throws<ArgumentNullException>(() => builder.Map<Order, Order>(null!));
        Assert.Throws<ArgumentNullException>(() => builder.FlatMap<Order, Order>(null!));
        Assert.Throws<SchemaMismatchException>(() => builder.Map((WithUnsupported w) => w.Id));
    }

    public sealed record BadInput(long Id, int Customer, double Amount, string Missing);
}

internal static class PipelineBuilderTestExtensions
{
    /// <summary>Builds with a trivial source and sink to get at the transforms the builder holds.</summary>
    public static IReadOnlyList<ITransform> TransformsForTest(this PipelineBuilder builder)
        => builder.Extract(Rows.From(System.Array.Empty<Order>())).Load(new NullSink()).Build().Transforms;
}
