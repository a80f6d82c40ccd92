using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace DataEng.Core;

/// <summary>
/// A checkpoint store in a SQLite database: the committed state of each pipeline in <c>dataeng_checkpoints</c> and
/// pipeline leases with expiry in <c>dataeng_leases</c>. Every change is one transaction; writes check the lease in
/// the same transaction, so a run that lost its lease cannot write.
/// </summary>
public sealed class SqliteCheckpointStore : ICheckpointStore
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private int _created;

    /// <summary>Creates a store.</summary>
    /// <param name="connectionString">The SQLite connection string (for example <c>Data Source=checkpoints.db</c>).</param>
    /// <param name="timeProvider">The clock for lease expiry, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="leaseDuration">How long a lease lasts without renewal, or <see langword="null"/> for five minutes.</param>
    public SqliteCheckpointStore(string connectionString, TimeProvider? timeProvider = null, TimeSpan? leaseDuration = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        if (leaseDuration is { } d && d <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(leaseDuration), d, "The lease duration must be positive.");
        }

        _connectionString = connectionString;
        _time = timeProvider ?? TimeProvider.System;
        LeaseDuration = leaseDuration ?? TimeSpan.FromMinutes(5);
        Name = $"the SQLite checkpoint store '{new SqliteConnectionStringBuilder(connectionString).DataSource}'";
    }

    /// <summary>Gets how long a lease lasts without renewal.</summary>
    public TimeSpan LeaseDuration { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async ValueTask<CheckpointLease> AcquireLeaseAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        var holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var now = _time.GetUtcNow();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO dataeng_leases (pipeline, holder, expires_at) VALUES ($pipeline, $holder, $expires)
                ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE dataeng_leases.expires_at <= $now
                RETURNING holder
                """;
            command.Parameters.AddWithValue("$pipeline", pipelineName);
            command.Parameters.AddWithValue("$holder", holder);
            command.Parameters.AddWithValue("$expires", (now + LeaseDuration).UtcTicks);
            command.Parameters.AddWithValue("$now", now.UtcTicks);
            var taken = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            if (taken != holder)
            {
                var (other, expires) = await ReadLeaseAsync(connection, pipelineName, cancellationToken).ConfigureAwait(false);
                throw new PipelineLockedException(pipelineName, Name, other, expires);
            }
        }

        return new Lease(this, pipelineName, holder);
    }

    /// <inheritdoc />
    public async ValueTask<CommittedRun?> ReadAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT run_number, run_id, properties FROM dataeng_checkpoints WHERE pipeline = $pipeline";
            command.Parameters.AddWithValue("$pipeline", pipelineName);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                return new CommittedRun(reader.GetInt64(0), reader.GetString(1), Properties(reader.GetString(2), pipelineName));
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(CheckpointLease lease, CommittedRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(run);
        var own = Own(lease);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await CheckHeldAsync(connection, own, extend: true, cancellationToken).ConfigureAwait(false);
                using var command = connection.CreateCommand();
                command.CommandText = """
                    INSERT INTO dataeng_checkpoints (pipeline, run_number, run_id, properties, updated_at)
                    VALUES ($pipeline, $run, $id, $properties, $now)
                    ON CONFLICT (pipeline) DO UPDATE SET run_number = excluded.run_number, run_id = excluded.run_id,
                        properties = excluded.properties, updated_at = excluded.updated_at
                    """;
                command.Parameters.AddWithValue("$pipeline", own.PipelineName);
                command.Parameters.AddWithValue("$run", run.RunNumber);
                command.Parameters.AddWithValue("$id", run.RunId);
                command.Parameters.AddWithValue("$properties", JsonSerializer.Serialize(run.Properties));
                command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Dictionary<string, string> Properties(string json, string pipelineName)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"{Name}, pipeline '{pipelineName}'", null, "properties", "the checkpoint is not valid JSON; restore it or delete the row to start over.", e);
        }
    }

    private Lease Own(CheckpointLease lease) => lease is Lease own && ReferenceEquals(own.Store, this)
        ? own
        : throw new ArgumentException("The lease was not taken from this store.", nameof(lease));

    private async Task CheckHeldAsync(SqliteConnection connection, Lease lease, bool extend, CancellationToken cancellationToken)
    {
        if (lease.IsReleased)
        {
            throw new ObjectDisposedException(nameof(CheckpointLease), $"The lease of pipeline '{lease.PipelineName}' was released.");
        }

        var now = _time.GetUtcNow();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE dataeng_leases SET expires_at = $expires WHERE pipeline = $pipeline AND holder = $holder AND expires_at > $now";
        command.Parameters.AddWithValue("$pipeline", lease.PipelineName);
        command.Parameters.AddWithValue("$holder", lease.Holder);
        command.Parameters.AddWithValue("$now", now.UtcTicks);
        command.Parameters.AddWithValue("$expires", extend ? (now + LeaseDuration).UtcTicks : now.UtcTicks + 1);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            var (other, _) = await ReadLeaseAsync(connection, lease.PipelineName, cancellationToken).ConfigureAwait(false);
            throw new PipelineLockedException(
                $"The lease of pipeline '{lease.PipelineName}' in {Name} was lost (it expired{(other is null || other == lease.Holder ? "" : $" and '{other}' took it")}); this run must not commit. Renew leases more often than {LeaseDuration}.");
        }
    }

    private static async Task<(string? Holder, DateTimeOffset? ExpiresAt)> ReadLeaseAsync(SqliteConnection connection, string pipelineName, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT holder, expires_at FROM dataeng_leases WHERE pipeline = $pipeline";
        command.Parameters.AddWithValue("$pipeline", pipelineName);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? (reader.GetString(0), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero))
                : (null, null);
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
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

    private sealed class Lease(SqliteCheckpointStore store, string pipelineName, string holder) : CheckpointLease(pipelineName, holder)
    {
        public SqliteCheckpointStore Store => store;

        public override async ValueTask RenewAsync(CancellationToken cancellationToken = default)
        {
            var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await store.CheckHeldAsync(connection, this, extend: true, cancellationToken).ConfigureAwait(false);
            }
        }

        protected override async ValueTask ReleaseAsync()
        {
            var connection = await store.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var command = connection.CreateCommand();
                command.CommandText = "DELETE FROM dataeng_leases WHERE pipeline = $pipeline AND holder = $holder";
                command.Parameters.AddWithValue("$pipeline", PipelineName);
                command.Parameters.AddWithValue("$holder", Holder);
                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
