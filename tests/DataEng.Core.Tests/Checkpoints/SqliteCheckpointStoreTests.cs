namespace DataEng.Core.Tests.Checkpoints;

public sealed class SqliteCheckpointStoreTests : CheckpointStoreContractTests, IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "dataeng-checkpoints-" + Guid.NewGuid().ToString("N") + ".db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    protected override (ICheckpointStore First, ICheckpointStore Second) CreateStores()
        => (new SqliteCheckpointStore($"Data Source={_path}", Time, LeaseDuration), new SqliteCheckpointStore($"Data Source={_path}", Time, LeaseDuration));
}

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
