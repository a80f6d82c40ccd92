using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.TypedRows;

public class RowsSinkTests
{
    private static readonly Order[] Orders =
    [
        new(1, "ada", 10m, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), null),
        new(2, "bob", 20.5m, new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero), "rush"),
    ];

    private static SinkCommit Commit(long run) => new("p", run, "r" + run, new Dictionary<string, string>());

    [Fact]
    public async Task WriteAsync_RowsBecomeVisibleOnlyAfterCommit()
    {
        var sink = Rows.Collect<Order>();
        using var batch = Rows.ToBatch(Orders);
        await using var writer = await sink.OpenAsync(batch.Schema, RunContext.CreateStandalone());

        await writer.WriteAsync(batch);
        Assert.Empty(sink.Rows);
        await writer.PrepareAsync(Commit(1));
        Assert.Empty(sink.Rows);
        await writer.CommitAsync();

        Assert.Equal(Orders, sink.Rows);
        Assert.Equal(Orders, sink.ToList());
        Assert.Equal(2, sink.Count);
        Assert.Single(sink.Commits);
    }

    [Fact]
    public async Task AbortAsync_DiscardsTheRunsRows()
    {
        var sink = Rows.Collect<Order>();
        using var batch = Rows.ToBatch(Orders);
        var writer = await sink.OpenAsync(batch.Schema, RunContext.CreateStandalone());

        await writer.WriteAsync(batch);
        await writer.AbortAsync();
        await writer.DisposeAsync();

        Assert.Empty(sink.Rows);
        Assert.Empty(sink.Commits);
    }

    [Fact]
    public async Task CommitAsync_SameRunTwice_AddsItsRowsOnce()
    {
        var sink = Rows.Collect<Order>();
        using var batch = Rows.ToBatch(Orders);
        foreach (var _ in new[] { 1, 2 })
        {
            await using var writer = await sink.OpenAsync(batch.Schema, RunContext.CreateStandalone());
            await writer.WriteAsync(batch);
            await writer.PrepareAsync(Commit(1));
            await writer.CommitAsync();
            await writer.CommitAsync();
        }

        Assert.Equal(2, sink.Count);
    }

    [Fact]
    public async Task WriteAsync_BatchesFromOtherProducers_AreMatchedByNameAndCanBeReleased()
    {
        var allocator = new CountingMemoryAllocator();
        var schema = new Schema(
            [new Field("extra", StringType.Default, true), new Field("amount", new Decimal128Type(12, 2), false), new Field("id", Int32Type.Default, false)], null);
        var batch = new RecordBatch(schema,
        [
            new StringArray.Builder().Append("x").AppendNull().Build(allocator),
            new Decimal128Array.Builder(new Decimal128Type(12, 2)).Append(1.5m).Append(-2m).Build(allocator),
            new Int32Array.Builder().Append(10).Append(20).Build(allocator),
        ], 2);
        var sink = Rows.Collect<OrderAmount>();
        var pipeline = Pipeline.Create("other").Extract(new InMemorySource(schema, [batch])).Load(sink).Build();

        await pipeline.RunAsync();

        Assert.Equal([new OrderAmount(10, 1.5m), new OrderAmount(20, -2m)], sink.Rows);
        batch.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void Build_SinkRowTypeDoesNotFitTheSchema_ListsEveryProblem()
    {
        var builder = Pipeline.Create("mismatch").Extract(Rows.From(new[] { new OrderAmount(1, 1m) })).Load(Rows.Collect<OrderLine>());

        var error = Assert.Throws<PipelineValidationException>(builder.Build);

        Assert.Equal(3, error.Problems.Count);
        Assert.All(error.Problems, p => Assert.StartsWith("collect<OrderLine>: ", p));
        Assert.Contains(error.Problems, p => p.Contains("'OrderLine.Sku'"));
    }

    [Fact]
    public async Task WriteAsync_BadValueInSecondBatch_NamesTheRowAcrossTheRun()
    {
        var schema = new Schema([new Field("Id", Int64Type.Default, true), new Field("Amount", Int64Type.Default, false)], null);
        RecordBatch Batch(params long?[] ids)
        {
            var builder = new Int64Array.Builder();
            foreach (var id in ids)
            {
                builder.Append(id);
            }

            return new RecordBatch(schema, [builder.Build(), new Int64Array.Builder().AppendRange(ids.Select(_ => 1L)).Build()], ids.Length);
        }

        var sink = Rows.Collect<OrderAmount>(name: "amounts");
        using var first = Batch(1, 2, 3);
        using var second = Batch(4, null);
        await using var writer = await sink.OpenAsync(schema, RunContext.CreateStandalone());
        await writer.WriteAsync(first);

        var error = await Assert.ThrowsAsync<DataFormatException>(() => writer.WriteAsync(second).AsTask());

        Assert.Equal("amounts", error.Source);
        Assert.Equal(5, error.Row);
        Assert.Equal("Id", error.Column);
    }

    [Fact]
    public async Task Clear_ForgetsRowsAndCommits()
    {
        var sink = Rows.Collect<Order>(name: "orders");
        await Pipeline.Create("clear").Extract(Rows.From(Orders)).Load(sink).Build().RunAsync();

        sink.Clear();

        Assert.Equal("orders", sink.Name);
        Assert.Empty(sink.Rows);
        Assert.Empty(sink.Commits);
    }
}
