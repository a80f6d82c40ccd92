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
