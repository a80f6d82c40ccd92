using System.Data;
using System.Data.Common;

namespace DataEng.Core;

/// <summary>
/// One way to get an open connection per run, whatever the user gave: an async opener, a factory of (closed)
/// connections, or a <see cref="DbDataSource"/>. The connection it returns belongs to the caller, who disposes it.
/// </summary>
/// <param name="OpenAsync">Returns an open connection, owned by the caller.</param>
/// <param name="Secrets">Secret values of the connection string known before opening (passwords, tokens), to redact
/// from messages.</param>
internal sealed record SqlConnectionFactory(Func<CancellationToken, ValueTask<DbConnection>> OpenAsync, Func<IReadOnlyList<string>> Secrets)
{
    /// <summary>Wraps an opener; a connection it returns closed is opened.</summary>
    /// <param name="open">The user's opener.</param>
    /// <returns>The factory.</returns>
    public static SqlConnectionFactory FromOpener(Func<CancellationToken, ValueTask<DbConnection>> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return new SqlConnectionFactory(
            async ct =>
            {
                var connection = await open(ct).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("The connection opener returned null.");
                return await EnsureOpenAsync(connection, ct).ConfigureAwait(false);
            },
            static () => []);
    }

    /// <summary>Wraps a factory of connections; each is opened by the source.</summary>
    /// <param name="create">The user's factory; it must return a new connection on every call.</param>
    /// <returns>The factory.</returns>
    public static SqlConnectionFactory FromFactory(Func<DbConnection> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        List<string> secrets = [];
        return new SqlConnectionFactory(
            async ct =>
            {
                var connection = create() ?? throw new InvalidOperationException("The connection factory returned null.");
                lock (secrets)
                {
                    secrets.Clear();
                    secrets.AddRange(SqlErrors.SecretsOf(connection.ConnectionString));
                }

                return await EnsureOpenAsync(connection, ct).ConfigureAwait(false);
            },
            () =>
            {
                lock (secrets)
                {
                    return [.. secrets];
                }
            });
    }

    /// <summary>Wraps a data source.</summary>
    /// <param name="dataSource">The data source.</param>
    /// <returns>The factory.</returns>
    public static SqlConnectionFactory FromDataSource(DbDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return new SqlConnectionFactory(
            async ct => await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false),
            () => SqlErrors.SecretsOf(dataSource.ConnectionString));
    }

    private static async ValueTask<DbConnection> EnsureOpenAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (connection.State == ConnectionState.Open)
        {
            return connection;
        }

        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
