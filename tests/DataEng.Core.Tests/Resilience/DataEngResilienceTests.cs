using System.Data.Common;
using System.Net.Sockets;
using Apache.Arrow;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Resilience;

public class DataEngResilienceTests
{
    public static TheoryData<Exception, bool> Classified => new()
    {
        { new TransientDataEngException("lost"), true },
        { new DataFormatException("bad row"), false },
        { new SchemaMismatchException("schema"), false },
        { new PipelineLockedException("locked"), true },
        { new TimeoutException(), true },
        { new SocketException(), true },
        { new IOException("reset"), true },
        { new FileNotFoundException("gone"), false },
        { new IOException("No space left on device", 28), false },
        { new ProviderException(transient: true), true },
        { new ProviderException(transient: false), false },
        { new OperationCanceledException(), false },
        { new InvalidOperationException("bug"), false },
        { new Polly.Timeout.TimeoutRejectedException(), true },
    };

    [Theory]
    [MemberData(nameof(Classified))]
    public void IsTransient_ClassifiesTransientAndTerminalFailures(Exception exception, bool transient)
    {
        Assert.Equal(transient, TransientErrors.IsTransient(exception));
    }

    [Fact]
    public async Task CreateSourcePipeline_TransientFailures_AreRetriedOnThePipelineClock()
    {
        var time = new FakeTimeProvider();
        var pipeline = DataEngResilience.CreateSourcePipeline(time);
        var calls = 0;

        var task = pipeline.ExecuteAsync(_ =>
        {
            if (++calls < 3)
            {
                throw new TransientDataEngException("flaky");
            }

            return ValueTask.FromResult(calls);
        }).AsTask();

        Assert.False(task.IsCompleted);
        for (var i = 0; i < 2000 && !task.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(1);
        }

        Assert.Equal(3, await task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task CreateSourcePipeline_TerminalFailure_IsNeverRetried()
    {
        var pipeline = DataEngResilience.CreateSourcePipeline(new FakeTimeProvider());
        var calls = 0;

        await Assert.ThrowsAsync<DataFormatException>(async () => await pipeline.ExecuteAsync(_ =>
        {
            calls++;
            throw new DataFormatException("orders.csv", 3, "amount", "not a number");
        }));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task WithResilience_SinkWriteFailingTransiently_IsRetriedAndCommitsOnce()
    {
        var time = new FakeTimeProvider();
        var failures = 2;
        using var inner = new CollectingSink();
        var flaky = new FlakySink(inner, () => failures-- > 0);
        var pipeline = Pipeline.Create("retry-sink")
            .Extract(new InMemorySource(NumbersSchema, Numbers(5), "numbers"))
            .Load(flaky.WithResilience(DataEngResilience.CreateSinkPipeline(time)))
            .Configure(o => o.TimeProvider = time)
            .Build();

        var run = pipeline.RunAsync();
        for (var i = 0; i < 2000 && !run.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(1);
        }

        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(5, result.RowsWritten);
        Assert.Equal(5, inner.RowCount);
    }

    private static readonly Schema NumbersSchema = new([new Field("id", Apache.Arrow.Types.Int64Type.Default, false)], null);

    private static IEnumerable<RecordBatch> Numbers(int count)
    {
        var ids = new Int64Array.Builder();
        for (var i = 0; i < count; i++)
        {
            ids.Append(i);
        }

        yield return new RecordBatch(NumbersSchema, [ids.Build()], count);
    }

    private sealed class ProviderException(bool transient) : DbException("provider failure")
    {
        public override bool IsTransient => transient;
    }

    private sealed class FlakySink(ISink inner, Func<bool> fail) : ISink
    {
        public string Name => inner.Name;

        public void Validate(Schema input) => inner.Validate(input);

        public async ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
            => new Writer(await inner.OpenAsync(schema, context, cancellationToken), fail);

        private sealed class Writer(ISinkWriter inner, Func<bool> fail) : ISinkWriter
        {
            public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
                => fail() ? throw new TransientDataEngException("write lost") : inner.WriteAsync(batch, cancellationToken);

            public ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default) => inner.PrepareAsync(commit, cancellationToken);

            public ValueTask CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

            public ValueTask AbortAsync(CancellationToken cancellationToken = default) => inner.AbortAsync(cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
