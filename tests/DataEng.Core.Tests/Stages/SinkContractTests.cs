using System.Runtime.CompilerServices;
using Apache.Arrow;
using DataEng.Core.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.Stages;

/// <summary>
/// The contract every <see cref="ISink"/> keeps, run on each sink of the library by one derived class (as
/// dotnet/runtime's <c>ChannelTestBase</c> does for channels): it accepts its input schema before the run; nothing is
/// visible before the commit; a commit shows every row once, and repeating it changes nothing; an abort, a disposal
/// without a commit and a cancelled run leave nothing visible and no stray files; a written batch is only borrowed.
/// </summary>
public abstract class SinkContractTests : IDisposable
{
    protected SinkContractTests()
    {
        Folder = Path.Combine(Path.GetTempPath(), "dataeng-sink-contract", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    /// <summary>A folder for the derived class's files, deleted after the test.</summary>
    protected string Folder { get; }

    /// <summary>Creates the sink under test. One test creates one sink.</summary>
    protected abstract ISink CreateSink();

    /// <summary>
    /// The ids a reader sees now (what the sink has committed), or <see langword="null"/> for a sink that keeps
    /// nothing to read back (it discards).
    /// </summary>
    protected abstract ValueTask<IReadOnlyList<long>?> VisibleIdsAsync(ISink sink);

    /// <summary>Files the sink left behind that no reader should see (staging, temporary files); none by default.</summary>
    protected virtual IEnumerable<string> StrayFiles() => [];

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Validate_TheContractSchemaBeforeTheRun_Accepts()
    {
        var sink = CreateSink();
        try
        {
            sink.Validate(ContractData.Schema);
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task CommitAsync_AfterWriteAndPrepare_ShowsEveryRowOnlyThen()
    {
        var sink = CreateSink();
        try
        {
            await using var writer = await OpenAsync(sink);
            await WriteAllAsync(writer);
            await writer.PrepareAsync(Commit());
            await AssertVisibleAsync(sink, []);

            await writer.CommitAsync();

            await AssertVisibleAsync(sink, ContractData.AllIds);
            Assert.Empty(StrayFiles());
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task CommitAsync_Repeated_IsANoOp()
    {
        var sink = CreateSink();
        try
        {
            await using var writer = await OpenAsync(sink);
            await WriteAllAsync(writer);
            await writer.PrepareAsync(Commit());
            await writer.CommitAsync();

            await writer.CommitAsync();
            await writer.DisposeAsync();

            await AssertVisibleAsync(sink, ContractData.AllIds);
            Assert.Empty(StrayFiles());
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task AbortAsync_AfterPrepare_LeavesNothingAndMayBeRepeated()
    {
        var sink = CreateSink();
        try
        {
            await using var writer = await OpenAsync(sink);
            await WriteAllAsync(writer);
            await writer.PrepareAsync(Commit());

            await writer.AbortAsync();
            await writer.AbortAsync();
            await writer.DisposeAsync();

            await AssertVisibleAsync(sink, []);
            Assert.Empty(StrayFiles());
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task DisposeAsync_WithoutACommit_Aborts()
    {
        var sink = CreateSink();
        try
        {
            var writer = await OpenAsync(sink);
            await WriteAllAsync(writer);

            await writer.DisposeAsync();

            await AssertVisibleAsync(sink, []);
            Assert.Empty(StrayFiles());
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task WriteAsync_BatchDisposedRightAfterTheCall_IsCommittedIntactAndReleased()
    {
        var sink = CreateSink();
        var allocator = new CountingMemoryAllocator();
        try
        {
            await using (var writer = await OpenAsync(sink))
            {
                foreach (var batch in ContractData.Batches(allocator))
                {
                    await writer.WriteAsync(batch);
                    batch.Dispose();                                   // the caller's reference; the sink only borrowed it
                }

                await writer.PrepareAsync(Commit());
                await writer.CommitAsync();
            }

            await AssertVisibleAsync(sink, ContractData.AllIds);
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task RunAsync_CancelledMidRun_PublishesNothing()
    {
        var sink = CreateSink();
        try
        {
            using var cancellation = new CancellationTokenSource();
            var pipeline = Pipeline.Create("sink-contract")
                .Extract(new CancellingSource(cancellation))
                .Load(sink)
                .Build();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(cancellation.Token));

            await AssertVisibleAsync(sink, []);
            Assert.Empty(StrayFiles());
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task RunAsync_ThroughAPipeline_CommitsEveryRowOnce()
    {
        var sink = CreateSink();
        try
        {
            var batches = ContractData.Batches();
            var pipeline = Pipeline.Create("sink-contract")
                .Extract(new InMemorySource(ContractData.Schema, batches))
                .Load(sink)
                .Build();

            var result = await pipeline.RunAsync();

            Assert.Equal(ContractData.Rows, result.RowsWritten);
            await AssertVisibleAsync(sink, ContractData.AllIds);
            Assert.Empty(StrayFiles());
            batches.ForEach(static b => b.Dispose());
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }
    }

    private static async ValueTask<ISinkWriter> OpenAsync(ISink sink)
    {
        sink.Validate(ContractData.Schema);
        return await sink.OpenAsync(ContractData.Schema, Context());
    }

    private static async Task WriteAllAsync(ISinkWriter writer)
    {
        foreach (var batch in ContractData.Batches())
        {
            using (batch)
            {
                await writer.WriteAsync(batch);
            }
        }
    }

    private async Task AssertVisibleAsync(ISink sink, IReadOnlyList<long> expected)
    {
        var visible = await VisibleIdsAsync(sink);
        if (visible is not null)
        {
            Assert.Equal(expected, visible.Order());
        }
    }

    private static RunContext Context()
        => new("sink-contract", 1, "run-1", NullLogger.Instance, TimeProvider.System, CancellationToken.None);

    private static SinkCommit Commit() => new("sink-contract", 1, "run-1", new Dictionary<string, string>());

    /// <summary>Yields two contract batches, then cancels the run and waits for the cancellation.</summary>
    private sealed class CancellingSource(CancellationTokenSource cancellation) : ISource
    {
        public string Name => "cancelling";

        public Schema Schema => ContractData.Schema;

        public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var batches = ContractData.Batches(context.Allocator);
            try
            {
                yield return batches[0].Share();
                yield return batches[1].Share();
                await cancellation.CancelAsync();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                batches.ForEach(static b => b.Dispose());
            }
        }
    }
}
