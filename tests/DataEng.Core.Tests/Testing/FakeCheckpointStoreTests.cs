using DataEng.Core.Testing;
using DataEng.Core.Tests.Checkpoints;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Testing;

/// <summary>The fake passes the contract every checkpoint store passes.</summary>
public sealed class FakeCheckpointStoreContractTests : CheckpointStoreContractTests
{
    protected override (ICheckpointStore First, ICheckpointStore Second) CreateStores()
    {
        var store = new FakeCheckpointStore(Time, LeaseDuration);
        return (store, store);
    }
}

public class FakeCheckpointStoreTests
{
    private static readonly DateTimeOffset Noon = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static CommittedRun Run(long number) => new(number, $"run-{number}", new Dictionary<string, string> { ["n"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    [Fact]
    public async Task History_ListsEveryWrittenRun_OldestFirst_PerPipeline()
    {
        var store = new FakeCheckpointStore();
        foreach (var (pipeline, number) in new[] { ("a", 1L), ("b", 1L), ("a", 2L) })
        {
            await using var lease = await store.AcquireLeaseAsync(pipeline);
            await store.WriteAsync(lease, Run(number));
        }

        Assert.Equal([1L, 2L], store.History("a").Select(static r => r.RunNumber));
        Assert.Equal([1L], store.History("b").Select(static r => r.RunNumber));
        Assert.Empty(store.History("c"));
        Assert.Equal(3, store.WriteCalls);
        Assert.Equal(3, store.LeaseCalls);
    }

    [Fact]
    public async Task FailWrites_ScheduledWriteFails_Transiently_AndChangesNothing()
    {
        var store = new FakeCheckpointStore { FailWrites = FlakySchedule.OnCalls(2) };
        await using var lease = await store.AcquireLeaseAsync("p");
        await store.WriteAsync(lease, Run(1));

        var failure = await Assert.ThrowsAsync<TransientDataEngException>(async () => await store.WriteAsync(lease, Run(2)));
        await store.WriteAsync(lease, Run(3));

        Assert.True(failure.IsTransient);
        Assert.Contains("write call 2", failure.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 3L], store.History("p").Select(static r => r.RunNumber));
        Assert.Equal(1, store.Failures);
    }

    [Fact]
    public async Task FailLeases_ScheduledLeaseFails_AndTheNextOneIsGranted()
    {
        var store = new FakeCheckpointStore { FailLeases = FlakySchedule.FirstCalls(1) };

        await Assert.ThrowsAsync<TransientDataEngException>(async () => await store.AcquireLeaseAsync("p"));
        Assert.False(store.IsLeased("p"));
        await using var lease = await store.AcquireLeaseAsync("p");

        Assert.True(store.IsLeased("p"));
        Assert.Equal(2, store.LeaseCalls);
    }

    [Fact]
    public async Task IsLeased_IsFalseOnceTheLeaseIsReleased()
    {
        var store = new FakeCheckpointStore();
        var lease = await store.AcquireLeaseAsync("p");
        Assert.True(store.IsLeased("p"));

        await lease.DisposeAsync();

        Assert.False(store.IsLeased("p"));
        await using var again = await store.AcquireLeaseAsync("p");
    }

    [Fact]
    public async Task SeedAsync_SetsTheStateAnIncrementalRunStartsFrom_WithoutAHistoryEntry()
    {
        var store = new FakeCheckpointStore();
        await store.SeedAsync("p", Run(41));

        Assert.Equal(41, (await store.ReadAsync("p"))!.RunNumber);
        Assert.Empty(store.History("p"));
        Assert.Equal(0, store.WriteCalls);
    }

    [Fact]
    public async Task WriteAsync_LeaseOfAnotherStore_IsRejected()
    {
        var store = new FakeCheckpointStore();
        await using var foreign = await new InMemoryCheckpointStore().AcquireLeaseAsync("p");

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.WriteAsync(foreign, Run(1)));
    }

    [Fact]
    public async Task IncrementalRun_LeaseTakenBySomeoneElse_FailsWithPipelineLocked()
    {
        var clock = new FakeTimeProvider(Noon);
        var store = new FakeCheckpointStore(clock);
        using var events = Events();
        var source = DataEng.Core.Incremental.Over(new InMemorySource(events.Schema, [events]), new IncrementalOptions { CursorColumn = "at", KeyColumns = ["id"] });
        await using var other = await store.AcquireLeaseAsync("test");

        var locked = await Assert.ThrowsAsync<PipelineLockedException>(() => TestRun.IncrementalAsync(source, store, options: new TestRunOptions { TimeProvider = clock }));

        Assert.Contains(other.Holder, locked.Message, StringComparison.Ordinal);
        Assert.Empty(store.History("test"));
    }

    [Fact]
    public async Task IncrementalRun_StoreWriteFails_RunFails_AndTheNextRunReadsTheSameRangeAgain()
    {
        // The in-memory sink of TestRun keeps no checkpoints, so the store holds the only state: a lost write means
        // the next run starts from the previous state (at-least-once), which is what this test pins down.
        var clock = new FakeTimeProvider(Noon);
        var store = new FakeCheckpointStore(clock) { FailWrites = FlakySchedule.OnCalls(1) };
        using var events = Events();
        var source = DataEng.Core.Incremental.Over(new InMemorySource(events.Schema, [events]), new IncrementalOptions { CursorColumn = "at", KeyColumns = ["id"] });
        var options = new TestRunOptions { TimeProvider = clock };

        await Assert.ThrowsAsync<TransientDataEngException>(() => TestRun.IncrementalAsync(source, store, options: options));
        using var retry = await TestRun.IncrementalAsync(source, store, options: options);

        Assert.Equal(2, retry.RowCount);
        Assert.Equal(1, retry.Result.RunNumber);
        Assert.Equal([1L], store.History("test").Select(static r => r.RunNumber));
        Assert.False(store.IsLeased("test"));
    }

    private static Apache.Arrow.RecordBatch Events() => TestBatch.Parse("""
        id:int64 | at:timestamp
        1        | 2030-01-01T11:00:00Z
        2        | 2030-01-01T11:30:00Z
        """);
}
