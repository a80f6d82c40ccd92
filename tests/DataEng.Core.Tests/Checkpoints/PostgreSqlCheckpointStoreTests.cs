namespace DataEng.Core.Tests.Checkpoints;

[RequiresPostgres]
public sealed class PostgreSqlCheckpointStoreTests : CheckpointStoreContractTests
{
    protected override (ICheckpointStore First, ICheckpointStore Second) CreateStores()
        => (new PostgreSqlCheckpointStore(PostgresFactAttribute.ConnectionString, Time, LeaseDuration), new PostgreSqlCheckpointStore(PostgresFactAttribute.ConnectionString, Time, LeaseDuration));

    [PostgresFact]
    public void Name_NeverHoldsThePassword()
    {
        const string canary = "Canary-Pw-7f3e1";
        var store = new PostgreSqlCheckpointStore($"Host=127.0.0.1;Port=1;Username=u;Password={canary};Database=d");
        Assert.DoesNotContain(canary, store.Name, StringComparison.Ordinal);
    }
}
