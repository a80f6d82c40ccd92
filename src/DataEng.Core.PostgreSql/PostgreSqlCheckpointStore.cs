using System.Data.Common;
using Npgsql;

namespace DataEng.Core.Checkpoints;

/// <summary>
/// A checkpoint store in a PostgreSQL database, shared by many processes on many machines: the committed state of each
/// pipeline in <c>dataeng_checkpoints</c> and pipeline leases with expiry in <c>dataeng_leases</c>. Every change is one
/// transaction; writes check the lease in the same transaction, so a run that lost its lease cannot write (the flow is
/// <see cref="DbCheckpointStore"/>'s).
/// </summary>
public sealed class PostgreSqlCheckpointStore : DbCheckpointStore
{
    private readonly string _connectionString;
    private int _created;

    /// <summary>Creates a store.</summary>
    /// <param name="connectionString">The Npgsql connection string. It never appears in logs, errors or <see cref="ICheckpointStore.Name"/>.</param>
    /// <param name="timeProvider">The clock for lease expiry, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="leaseDuration">How long a lease lasts without renewal, or <see langword="null"/> for five minutes.</param>
    public PostgreSqlCheckpointStore(string connectionString, TimeProvider? timeProvider = null, TimeSpan? leaseDuration = null)
        : base(Describe(connectionString), timeProvider, leaseDuration)
    {
        _connectionString = connectionString;
    }

    /// <inheritdoc />
    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref _created) == 0)
            {
                // Concurrent first uses serialise on a transaction-scoped advisory lock, so CREATE TABLE never races.
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var scope = transaction.ConfigureAwait(false);
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = """
                    SELECT pg_advisory_xact_lock(7240251339001);
                    CREATE TABLE IF NOT EXISTS dataeng_checkpoints (
                        pipeline TEXT PRIMARY KEY, run_number BIGINT NOT NULL, run_id TEXT NOT NULL,
                        properties TEXT NOT NULL, updated_at TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS dataeng_leases (
                        pipeline TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL);
                    """;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _created, 1);
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
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"the PostgreSQL checkpoint store '{builder.Host}:{builder.Port}/{builder.Database}'";
    }
}
