using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.Stages;

/// <summary>
/// The contract every <see cref="ISource"/> keeps, run on each source of the library by one derived class (as
/// dotnet/runtime's <c>ChannelTestBase</c> does for channels): the schema is known before the run and describes every
/// batch; a source can be read again; a cancelled read stops with <see cref="OperationCanceledException"/>; an
/// abandoned or cancelled read releases what it allocated.
/// </summary>
/// <remarks>
/// A derived class serves <see cref="ContractData.Rows"/> rows (ids 1…n, in at least three batches) through
/// <see cref="CreateSource"/>; the columns are <see cref="ContractData.Schema"/>'s, possibly as other Arrow types.
/// </remarks>
public abstract class SourceContractTests : IDisposable
{
    protected SourceContractTests()
    {
        Folder = Path.Combine(Path.GetTempPath(), "dataeng-source-contract", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    /// <summary>A folder for the derived class's files, deleted after the test.</summary>
    protected string Folder { get; }

    /// <summary>Creates the source under test, serving <see cref="ContractData.Rows"/> rows.</summary>
    protected abstract ISource CreateSource();

    /// <summary>Prepares one run's read (an incremental source plans it here); the default does nothing.</summary>
    protected virtual ValueTask PrepareRunAsync(ISource source, RunContext context) => ValueTask.CompletedTask;

    /// <summary>Checks that a finished, cancelled or abandoned read released what it opened (connections, files).</summary>
    protected virtual void AssertResourcesReleased()
    {
    }

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
    public async Task Schema_BeforeTheFirstRead_DescribesEveryBatch()
    {
        var source = CreateSource();
        var schema = source.Schema;

        Assert.Equal(ContractData.Schema.FieldsList.Select(static f => f.Name), schema.FieldsList.Select(static f => f.Name));
        var batches = 0;
        await foreach (var batch in ReadAsync(source, Context()))
        {
            using (batch)
            {
                batches++;
                Assert.Equal(Describe(schema), Describe(batch.Schema));
            }
        }

        Assert.True(batches >= 3, $"the contract data should arrive in at least three batches, got {batches}");
    }

    [Fact]
    public async Task ReadAsync_TwoRuns_YieldEveryRowEachTime()
    {
        var source = CreateSource();

        for (var run = 1; run <= 2; run++)
        {
            var ids = new List<long>();
            await foreach (var batch in ReadAsync(source, Context(run)))
            {
                using (batch)
                {
                    ids.AddRange(ContractData.Ids(batch));
                }
            }

            ids.Sort();
            Assert.Equal(ContractData.AllIds, ids);
        }
    }

    [Fact]
    public async Task ReadAsync_TokenAlreadyCancelled_ThrowsOperationCanceledAndYieldsNothing()
    {
        var source = CreateSource();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var allocator = new CountingMemoryAllocator();

        var yielded = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var batch in ReadAsync(source, Context(allocator: allocator), cancelled.Token))
            {
                batch.Dispose();
                yielded++;
            }
        });

        Assert.Equal(0, yielded);
        Assert.Equal(0, allocator.LiveAllocations);
        AssertResourcesReleased();
    }

    [Fact]
    public async Task ReadAsync_CancelledAfterTheFirstBatch_StopsWithOperationCanceledAndReleasesMemory()
    {
        var source = CreateSource();
        using var cancellation = new CancellationTokenSource();
        var allocator = new CountingMemoryAllocator();

        long rows = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var batch in ReadAsync(source, Context(allocator: allocator), cancellation.Token))
            {
                rows += batch.Length;
                batch.Dispose();
                await cancellation.CancelAsync();
            }
        });

        Assert.True(rows < ContractData.Rows, $"the read went on to the end ({rows} rows) after it was cancelled");
        Assert.Equal(0, allocator.LiveAllocations);
        AssertResourcesReleased();
    }

    [Fact]
    public async Task ReadAsync_AbandonedAfterTheFirstBatch_ReleasesMemoryAndTheNextRunReadsEverything()
    {
        var source = CreateSource();
        var allocator = new CountingMemoryAllocator();
        var context = Context(allocator: allocator);
        await PrepareRunAsync(source, context);

        await using (var enumerator = source.ReadAsync(context).GetAsyncEnumerator())
        {
            Assert.True(await enumerator.MoveNextAsync());
            enumerator.Current.Dispose();
        }

        Assert.Equal(0, allocator.LiveAllocations);
        AssertResourcesReleased();
        long rows = 0;
        await foreach (var batch in ReadAsync(source, Context(run: 2, allocator: allocator)))
        {
            rows += batch.Length;
            batch.Dispose();
        }

        Assert.Equal(ContractData.Rows, rows);
        Assert.Equal(0, allocator.LiveAllocations);
        AssertResourcesReleased();
    }

    [Fact]
    public async Task RunAsync_IntoACollectingSink_CommitsEveryRow()
    {
        using var sink = new CollectingSink();
        var source = CreateSource();
        var pipeline = Pipeline.Create("source-contract").Extract(source).Load(sink).Build();

        if (source is IIncrementalSource)
        {
            await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = new FakeCheckpointStore() });
        }
        else
        {
            await pipeline.RunAsync();
        }

        Assert.Equal(ContractData.AllIds, sink.Batches.SelectMany(ContractData.Ids).Order());
    }

    private async IAsyncEnumerable<RecordBatch> ReadAsync(ISource source, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await PrepareRunAsync(source, context);
        await foreach (var batch in source.ReadAsync(context, cancellationToken))
        {
            yield return batch;
        }
    }

    private static RunContext Context(long run = 1, MemoryAllocator? allocator = null)
        => new("source-contract", run, $"run-{run}-{Guid.NewGuid():N}", NullLogger.Instance, TimeProvider.System, CancellationToken.None)
        {
            Allocator = allocator ?? PooledMemoryAllocator.Shared,
        };

    private static string Describe(Schema schema) => string.Join(", ", schema.FieldsList.Select(static f => $"{f.Name}:{f.DataType.Name}"));

}

/// <summary>The rows every contract test moves: ids 1…<see cref="Rows"/>, a nullable name and a nullable amount.</summary>
public static class ContractData
{
    public const int Rows = 2_500;

    /// <summary>Batch size that splits <see cref="Rows"/> into five batches.</summary>
    public const int BatchSize = 500;

    public static readonly Schema Schema = new Schema.Builder()
        .Field(f => f.Name("Id").DataType(Int64Type.Default).Nullable(false))
        .Field(f => f.Name("Name").DataType(StringType.Default).Nullable(true))
        .Field(f => f.Name("Amount").DataType(DoubleType.Default).Nullable(true))
        .Build();

    public static readonly IReadOnlyList<long> AllIds = [.. Enumerable.Range(1, Rows).Select(static i => (long)i)];

    public static IEnumerable<ContractRow> AllRows() => Enumerable.Range(1, Rows).Select(static i => Row(i));

    public static ContractRow Row(long id) => new(id, id % 7 == 0 ? null : $"name-{id}", id % 5 == 0 ? null : id * 0.5);

    /// <summary>The contract rows as batches of <see cref="BatchSize"/> rows.</summary>
    public static List<RecordBatch> Batches(MemoryAllocator? allocator = null)
        => [.. AllRows().Chunk(BatchSize).Select(chunk => Core.Rows.ToBatch(chunk, allocator: allocator))];

    /// <summary>The ids of a batch, whatever integer type the source gave the column.</summary>
    public static IEnumerable<long> Ids(RecordBatch batch)
    {
        var column = batch.Column("Id");
        for (var i = 0; i < column.Length; i++)
        {
            yield return column switch
            {
                Int64Array a => a.GetValue(i)!.Value,
                Int32Array a => a.GetValue(i)!.Value,
                _ => throw new InvalidOperationException($"unexpected id type {column.Data.DataType.Name}"),
            };
        }
    }
}

/// <summary>One contract row as a typed object.</summary>
public sealed record ContractRow(long Id, string? Name, double? Amount);
