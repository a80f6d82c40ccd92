using System.Runtime.CompilerServices;
using Apache.Arrow;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.TypedRows;

public class RowsSourceTests
{
    private static Order MakeOrder(int i) => new(i, "customer " + i, i * 1.25m, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i), i % 4 == 0 ? null : "note");

    [Fact]
    public async Task From_Enumerable_YieldsFullBatchesThenTheRest_OnTheRunAllocator()
    {
        var allocator = new CountingMemoryAllocator();
        var source = Rows.From(Enumerable.Range(0, 25).Select(MakeOrder), batchSize: 10);
        var context = new RunContext("p", 1, "r", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System, default) { Allocator = allocator };

        var batches = new List<RecordBatch>();
        await foreach (var batch in source.ReadAsync(context))
        {
            batches.Add(batch);
        }

        Assert.Equal([10, 10, 5], batches.Select(b => b.Length));
        Assert.All(batches, b => Assert.Same(source.Schema, b.Schema));
        Assert.Equal(Enumerable.Range(0, 25).Select(MakeOrder), batches.SelectMany(b => Rows.ToList<Order>(b)));
        Assert.True(allocator.LiveAllocations > 0);
        batches.ForEach(b => b.Dispose());
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task From_Enumerable_EveryRunEnumeratesTheSequenceAgain()
    {
        var enumerations = 0;
        IEnumerable<Order> Orders()
        {
            enumerations++;
            for (var i = 0; i < 3; i++)
            {
                yield return MakeOrder(i);
            }
        }

        var sink = Rows.Collect<Order>();
        var pipeline = Pipeline.Create("twice").Extract(Rows.From(Orders(), name: "orders")).Load(sink).Build();

        var first = await pipeline.RunAsync();
        await pipeline.RunAsync();

        Assert.Equal(2, enumerations);
        Assert.Equal(6, sink.Count);
        Assert.Equal("orders", first.Stages[0].Name);
        Assert.Equal(3, first.RowsRead);
    }

    [Fact]
    public async Task From_BadValueInALaterBatch_FailsTheRunNamingStageAbsoluteRowAndProperty_NoLeaks()
    {
        var allocator = new CountingMemoryAllocator();
        var rows = Enumerable.Range(0, 30).Select(i => i == 23 ? MakeOrder(i) with { Amount = decimal.MaxValue } : MakeOrder(i));
        var source = Rows.From(rows, batchSize: 10);
        var context = new RunContext("p", 1, "r", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System, default) { Allocator = allocator };
        var batches = new List<RecordBatch>();

        var error = await Assert.ThrowsAsync<DataFormatException>(async () =>
        {
            await foreach (var batch in source.ReadAsync(context))
            {
                batches.Add(batch);
            }
        });

        Assert.Equal(24, error.Row);
        Assert.Equal("Amount", error.Column);
        Assert.Equal("rows<Order>", error.Source);
        Assert.Equal(2, batches.Count);
        batches.ForEach(b => b.Dispose());
        Assert.Equal(0, allocator.LiveAllocations);

        var pipelineError = await Assert.ThrowsAsync<PipelineStageException>(() => Pipeline.Create("bad").Extract(source).Load(new NullSink()).Build().RunAsync());
        Assert.Equal("rows<Order>", pipelineError.StageName);
        Assert.IsType<DataFormatException>(pipelineError.InnerException);
    }

    [Fact]
    public async Task From_AsyncEnumerable_YieldsBatchesAndPassesTheRunToken()
    {
        CancellationToken seen = default;
        async IAsyncEnumerable<Order> Orders([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            seen = cancellationToken;
            for (var i = 0; i < 7; i++)
            {
                await Task.Yield();
                yield return MakeOrder(i);
            }
        }

        using var cts = new CancellationTokenSource();
        var source = Rows.From(Orders(), batchSize: 3);
        var context = RunContext.CreateStandalone(cancellationToken: cts.Token);
        var lengths = new List<int>();
        await foreach (var batch in source.ReadAsync(context, cts.Token))
        {
            lengths.Add(batch.Length);
            batch.Dispose();
        }

        Assert.Equal([3, 3, 1], lengths);
        Assert.True(seen.CanBeCanceled);
    }

    [Fact]
    public async Task From_AsyncEnumerable_CancelledWhileWaitingForRows_StopsAndReleasesEverything()
    {
        var allocator = new CountingMemoryAllocator();
        var firstBatchSeen = new TaskCompletionSource();
        async IAsyncEnumerable<Order> Endless([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < 5; i++)
            {
                yield return MakeOrder(i);
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield return MakeOrder(99);
        }

        using var cts = new CancellationTokenSource();
        var source = Rows.From(Endless(), batchSize: 4);
        var context = new RunContext("p", 1, "r", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System, cts.Token) { Allocator = allocator };
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var batch in source.ReadAsync(context, cts.Token))
            {
                received += batch.Length;
                batch.Dispose();
                await cts.CancelAsync();
            }
        });

        Assert.Equal(4, received);
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task From_AsyncEnumerable_PipelineCancelledMidStream_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        async IAsyncEnumerable<Order> Orders([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; ; i++)
            {
                if (i == 50)
                {
                    await cts.CancelAsync();
                }

                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return MakeOrder(i);
            }
        }

        var sink = Rows.Collect<Order>();
        var pipeline = Pipeline.Create("cancel").Extract(Rows.From(Orders(), batchSize: 8)).Load(sink).Build();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(cts.Token));
        Assert.Equal(0, sink.Count);
    }

    [Fact]
    public void From_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Rows.From(new[] { MakeOrder(1) }, batchSize: 0));
        Assert.Throws<ArgumentNullException>(() => Rows.From((IEnumerable<Order>)null!));
        Assert.Throws<SchemaMismatchException>(() => Rows.From(new[] { new WithUnsupported() }));
    }
}
