using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Checkpoints;

/// <summary>The contract every <see cref="ICheckpointStore"/> passes; one derived class per store.</summary>
public abstract class CheckpointStoreContractTests
{
    protected static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(1);

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Creates two store instances over the same storage (as two processes would see it).</summary>
    protected abstract (ICheckpointStore First, ICheckpointStore Second) CreateStores();

    /// <summary>Gets a value indicating whether leases expire (the file store's OS lock lives as long as the process).</summary>
    protected virtual bool LeasesExpire => true;

    protected static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    protected static CommittedRun Run(long number, params (string Key, string Value)[] properties)
        => new(number, $"run-{number}", properties.ToDictionary(static p => p.Key, static p => p.Value));

    [StoreFact]
    public async Task ReadAsync_PipelineNeverWritten_ReturnsNull()
    {
        var (store, _) = CreateStores();
        Assert.Null(await store.ReadAsync(UniqueName("never")));
    }

    [StoreFact]
    public async Task WriteAsync_ThenRead_RoundTripsEveryPropertyExactly()
    {
        var (store, other) = CreateStores();
        var name = UniqueName("round-trip");
        var properties = new (string, string)[]
        {
            (IncrementalCommitKeys.Watermark, "ts:ns:1700000000123456789"),
            ("quote", "it's \"quoted\" ‘curly’ “double” `back`"),
            ("sql", "x'; DROP TABLE dataeng_checkpoints;--"),
            ("unicode", "日本語 🚀 \u0001 \n\t"),
            ("empty", string.Empty),
        };
        await using (var lease = await store.AcquireLeaseAsync(name))
        {
            await store.WriteAsync(lease, Run(7, properties));
        }

        var read = await other.ReadAsync(name);
        Assert.NotNull(read);
        Assert.Equal(7, read.RunNumber);
        Assert.Equal("run-7", read.RunId);
        Assert.Equal(properties.ToDictionary(static p => p.Item1, static p => p.Item2), read.Properties);
    }

    [StoreFact]
    public async Task WriteAsync_Twice_ReplacesTheState()
    {
        var (store, _) = CreateStores();
        var name = UniqueName("replace");
        await using var lease = await store.AcquireLeaseAsync(name);
        await store.WriteAsync(lease, Run(1, ("a", "1")));
        await store.WriteAsync(lease, Run(2, ("b", "2")));

        var read = await store.ReadAsync(name);
        Assert.Equal(2, read!.RunNumber);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "2" }, read.Properties);
    }

    [StoreFact]
    public async Task AcquireLeaseAsync_HeldByAnotherInstance_FailsClearly()
    {
        var (store, other) = CreateStores();
        var name = UniqueName("locked");
        await using var lease = await store.AcquireLeaseAsync(name);

        var e = await Assert.ThrowsAsync<PipelineLockedException>(async () => await other.AcquireLeaseAsync(name));

        Assert.Equal(name, e.PipelineName);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Contains("already running", e.Message, StringComparison.Ordinal);
        Assert.True(e.IsTransient);
    }

    [StoreFact]
    public async Task AcquireLeaseAsync_AfterRelease_Succeeds()
    {
        var (store, other) = CreateStores();
        var name = UniqueName("released");
        var lease = await store.AcquireLeaseAsync(name);
        await lease.DisposeAsync();
        await lease.DisposeAsync();

        await using var second = await other.AcquireLeaseAsync(name);
        await other.WriteAsync(second, Run(1));
        Assert.Equal(1, (await store.ReadAsync(name))!.RunNumber);
    }

    [StoreFact]
    public async Task Leases_OfDifferentPipelines_AreIndependent()
    {
        var (store, other) = CreateStores();
        await using var a = await store.AcquireLeaseAsync(UniqueName("a"));
        await using var b = await other.AcquireLeaseAsync(UniqueName("b"));
        Assert.NotEqual(a.Holder, b.Holder);
    }

    [StoreFact]
    public async Task WriteAsync_WithReleasedLease_Throws()
    {
        var (store, _) = CreateStores();
        var lease = await store.AcquireLeaseAsync(UniqueName("released-write"));
        await lease.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.WriteAsync(lease, Run(1)));
    }

    [StoreFact]
    public async Task Lease_Expired_IsTakenOverAndTheOldHolderCannotWrite()
    {
        if (!LeasesExpire)
        {
            return;
        }

        var (store, other) = CreateStores();
        var name = UniqueName("expired");
        await using var first = await store.AcquireLeaseAsync(name);
        Time.Advance(LeaseDuration - TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<PipelineLockedException>(async () => await other.AcquireLeaseAsync(name));

        Time.Advance(TimeSpan.FromSeconds(2));
        await using var second = await other.AcquireLeaseAsync(name);
        await other.WriteAsync(second, Run(2));

        var lost = await Assert.ThrowsAsync<PipelineLockedException>(async () => await store.WriteAsync(first, Run(1)));
        Assert.Contains("lost", lost.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PipelineLockedException>(async () => await first.RenewAsync());
        Assert.Equal(2, (await store.ReadAsync(name))!.RunNumber);
    }

    [StoreFact]
    public async Task Lease_RenewedBeforeExpiry_StaysHeld()
    {
        if (!LeasesExpire)
        {
            return;
        }

        var (store, other) = CreateStores();
        var name = UniqueName("renewed");
        await using var lease = await store.AcquireLeaseAsync(name);
        for (var i = 0; i < 3; i++)
        {
            Time.Advance(LeaseDuration / 2);
            await lease.RenewAsync();
        }

        await Assert.ThrowsAsync<PipelineLockedException>(async () => await other.AcquireLeaseAsync(name));
        await store.WriteAsync(lease, Run(1));
    }

    [StoreFact]
    public async Task PipelineNames_WithQuotesAndSeparators_AreDistinct()
    {
        var (store, _) = CreateStores();
        var suffix = Guid.NewGuid().ToString("N");
        string[] names = [$"a/b-{suffix}", $"a%2Fb-{suffix}", $"../x'; DROP TABLE t;--{suffix}", $"‘a’-{suffix}", $"A/B-{suffix}"];
        for (var i = 0; i < names.Length; i++)
        {
            await using var lease = await store.AcquireLeaseAsync(names[i]);
            await store.WriteAsync(lease, Run(i + 1));
        }

        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal(i + 1, (await store.ReadAsync(names[i]))!.RunNumber);
        }
    }
}


public sealed class InMemoryCheckpointStoreTests : CheckpointStoreContractTests
{
    protected override (ICheckpointStore First, ICheckpointStore Second) CreateStores()
    {
        var store = new InMemoryCheckpointStore(Time, LeaseDuration);
        return (store, store);
    }
}
