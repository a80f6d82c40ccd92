using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace DataEng.Core.Checkpoints;

/// <summary>
/// A checkpoint store in a SQLite database: the committed state of each pipeline in <c>dataeng_checkpoints</c> and
/// pipeline leases with expiry in <c>dataeng_leases</c>. Every change is one transaction; writes check the lease in
/// the same transaction, so a run that lost its lease cannot write (the flow is <see cref="DbCheckpointStore"/>'s).
/// </summary>
/// <remarks>The database runs in WAL mode with <c>synchronous = FULL</c>, so a committed checkpoint survives a power
/// loss.</remarks>
public sealed class SqliteCheckpointStore : DbCheckpointStore
{
    private readonly string _connectionString;
    private int _created;

    /// <summary>Creates a store.</summary>
    /// <param name="connectionString">The SQLite connection string (for example <c>Data Source=checkpoints.db</c>).</param>
    /// <param name="timeProvider">The clock for lease expiry, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="leaseDuration">How long a lease lasts without renewal, or <see langword="null"/> for five minutes.</param>
    public SqliteCheckpointStore(string connectionString, TimeProvider? timeProvider = null, TimeSpan? leaseDuration = null)
        : base(Describe(connectionString), timeProvider, leaseDuration)
    {
        _connectionString = connectionString;
    }

    /// <inheritdoc />
    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref _created) == 0)
            {
                using var command = connection.CreateCommand();
                command.CommandText = """
                    PRAGMA journal_mode = WAL;
                    CREATE TABLE IF NOT EXISTS dataeng_checkpoints (
                        pipeline TEXT PRIMARY KEY, run_number INTEGER NOT NULL, run_id TEXT NOT NULL,
                        properties TEXT NOT NULL, updated_at TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS dataeng_leases (
                        pipeline TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);
                    """;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _created, 1);
            }

            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous = FULL;";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string Describe(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return $"the SQLite checkpoint store '{new SqliteConnectionStringBuilder(connectionString).DataSource}'";
    }
}
