using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace DataEng.Core.Checkpoints;

/// <summary>
/// The base of checkpoint stores in a relational database (the SQLite and PostgreSQL stores): the committed state of
/// each pipeline in <c>dataeng_checkpoints</c> and pipeline leases with expiry in <c>dataeng_leases</c>. Every change is
/// one transaction; a write checks (and extends) the lease in the same transaction, so a run that lost its lease cannot
/// write.
/// </summary>
/// <remarks>
/// <para>A derived store supplies only its dialect: how a connection is opened, with the two tables created on first
/// use (<see cref="OpenConnectionAsync"/>). The statements are shared: named parameters written <c>@name</c> and
/// <c>INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING</c> (SQLite 3.35 and later, PostgreSQL 9.5 and later).</para>
/// <para>Tables: <c>dataeng_checkpoints (pipeline TEXT PRIMARY KEY, run_number 64-bit integer, run_id TEXT,
/// properties TEXT (a JSON object), updated_at TEXT)</c> and <c>dataeng_leases (pipeline TEXT PRIMARY KEY, holder TEXT,
/// expires_at 64-bit integer (UTC ticks))</c>.</para>
/// </remarks>
public abstract class DbCheckpointStore : ICheckpointStore
{
    private const string AcquireSql = """
        INSERT INTO dataeng_leases (pipeline, holder, expires_at) VALUES (@pipeline, @holder, @expires)
        ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE dataeng_leases.expires_at <= @now
        RETURNING holder
        """;

    private const string ReadSql = "SELECT run_number, run_id, properties FROM dataeng_checkpoints WHERE pipeline = @pipeline";

    private const string WriteSql = """
        INSERT INTO dataeng_checkpoints (pipeline, run_number, run_id, properties, updated_at)
        VALUES (@pipeline, @run, @id, @properties, @now)
        ON CONFLICT (pipeline) DO UPDATE SET run_number = excluded.run_number, run_id = excluded.run_id,
            properties = excluded.properties, updated_at = excluded.updated_at
        """;

    private const string ExtendSql = "UPDATE dataeng_leases SET expires_at = @expires WHERE pipeline = @pipeline AND holder = @holder AND expires_at > @now";

    private const string ReadLeaseSql = "SELECT holder, expires_at FROM dataeng_leases WHERE pipeline = @pipeline";

    private const string ReleaseSql = "DELETE FROM dataeng_leases WHERE pipeline = @pipeline AND holder = @holder";

    private readonly TimeProvider _time;

    /// <summary>Initializes the store.</summary>
    /// <param name="name">The description of the store for errors and logs (it must hold no secret).</param>
    /// <param name="timeProvider">The clock for lease expiry, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="leaseDuration">How long a lease lasts without renewal, or <see langword="null"/> for five minutes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="leaseDuration"/> is not positive.</exception>
    protected DbCheckpointStore(string name, TimeProvider? timeProvider, TimeSpan? leaseDuration)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (leaseDuration is { } d && d <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(leaseDuration), d, "The lease duration must be positive.");
        }

        Name = name;
        _time = timeProvider ?? TimeProvider.System;
        LeaseDuration = leaseDuration ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>Gets how long a lease lasts without renewal.</summary>
    /// <value>The default value is five minutes.</value>
    public TimeSpan LeaseDuration { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async ValueTask<CheckpointLease> AcquireLeaseAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        var holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var now = _time.GetUtcNow();
            var command = Command(connection, null, AcquireSql, ("pipeline", pipelineName), ("holder", holder), ("expires", (now + LeaseDuration).UtcTicks), ("now", now.UtcTicks));
            await using (command.ConfigureAwait(false))
            {
                var taken = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
                if (taken != holder)
                {
                    var (other, expires) = await ReadLeaseAsync(connection, null, pipelineName, cancellationToken).ConfigureAwait(false);
                    throw new PipelineLockedException(pipelineName, Name, other, expires);
                }
            }
        }

        return new Lease(this, pipelineName, holder);
    }

    /// <inheritdoc />
    public async ValueTask<CommittedRun?> ReadAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, null, ReadSql, ("pipeline", pipelineName));
            await using (command.ConfigureAwait(false))
            {
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
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(CheckpointLease lease, CommittedRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(run);
        var own = Own(lease);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await CheckHeldAsync(connection, transaction, own, cancellationToken).ConfigureAwait(false);
                var command = Command(
                    connection,
                    transaction,
                    WriteSql,
                    ("pipeline", own.PipelineName),
                    ("run", run.RunNumber),
                    ("id", run.RunId),
                    ("properties", JsonSerializer.Serialize(run.Properties)),
                    ("now", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)));
                await using (command.ConfigureAwait(false))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Opens a new connection to the store's database, creating the two tables on first use.</summary>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>The open connection; the caller disposes it.</returns>
    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task<(string? Holder, DateTimeOffset? ExpiresAt)> ReadLeaseAsync(DbConnection connection, DbTransaction? transaction, string pipelineName, CancellationToken cancellationToken)
    {
        var command = Command(connection, transaction, ReadLeaseSql, ("pipeline", pipelineName));
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? (reader.GetString(0), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero))
                    : (null, null);
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

    /// <summary>Checks that the lease is still held, and extends it.</summary>
    private async Task CheckHeldAsync(DbConnection connection, DbTransaction? transaction, Lease lease, CancellationToken cancellationToken)
    {
        if (lease.IsReleased)
        {
            throw new ObjectDisposedException(nameof(CheckpointLease), $"The lease of pipeline '{lease.PipelineName}' was released.");
        }

        var now = _time.GetUtcNow();
        var command = Command(connection, transaction, ExtendSql, ("pipeline", lease.PipelineName), ("holder", lease.Holder), ("now", now.UtcTicks), ("expires", (now + LeaseDuration).UtcTicks));
        await using (command.ConfigureAwait(false))
        {
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return;
            }
        }

        var (other, _) = await ReadLeaseAsync(connection, transaction, lease.PipelineName, cancellationToken).ConfigureAwait(false);
        throw new PipelineLockedException(
            $"The lease of pipeline '{lease.PipelineName}' in {Name} was lost (it expired{(other is null || other == lease.Holder ? "" : $" and '{other}' took it")}); this run must not commit. Renew leases more often than {LeaseDuration}.");
    }

    private sealed class Lease(DbCheckpointStore store, string pipelineName, string holder) : CheckpointLease(pipelineName, holder)
    {
        public DbCheckpointStore Store => store;

        public override async ValueTask RenewAsync(CancellationToken cancellationToken = default)
        {
            var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await store.CheckHeldAsync(connection, null, this, cancellationToken).ConfigureAwait(false);
            }
        }

        protected override async ValueTask ReleaseAsync()
        {
            var connection = await store.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = Command(connection, null, ReleaseSql, ("pipeline", PipelineName), ("holder", Holder));
                await using (command.ConfigureAwait(false))
                {
                    await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
    }
}
