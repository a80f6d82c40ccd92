using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// A query over ADO.NET as a source: per run, opens a connection, executes the command with bound parameters, streams
/// the reader through a <see cref="DataReaderBatchReader"/> and disposes reader, command and connection at the end.
/// </summary>
internal sealed class SqlQuerySource : ISource
{
    private readonly SqlConnectionFactory _connections;
    private readonly string _sql;
    private readonly IReadOnlyList<KeyValuePair<string, object?>> _parameters;
    private readonly SqlSourceOptions _options;
    private readonly object _schemaGate = new();
    private Schema? _derived;

    public SqlQuerySource(SqlConnectionFactory connections, string sql, IReadOnlyList<KeyValuePair<string, object?>> parameters, SqlSourceOptions options)
    {
        _connections = connections;
        _sql = sql;
        _parameters = parameters;
        _options = options;
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    /// <remarks>Without <see cref="SqlSourceOptions.Schema"/>, the first access opens a connection and executes the
    /// query with <see cref="CommandBehavior.SchemaOnly"/> (synchronously), unless a run already derived it from its
    /// reader.</remarks>
    public Schema Schema
    {
        get
        {
            if ((_options.Schema ?? Volatile.Read(ref _derived)) is { } known)
            {
                return known;
            }

            lock (_schemaGate)
            {
                return _derived ??= DeriveSchema();
            }
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = context.TimeProvider.GetTimestamp();
        Log.SqlQueryStarted(context.Logger, Name, context.RunNumber);

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = CreateCommand(connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await ExecuteAsync(command, CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    // A source read without being built first derives its schema from this run's reader: no extra round trip.
                    var schema = _options.Schema ?? Volatile.Read(ref _derived) ?? Remember(SqlTypeMapping.DeriveSchema(reader, Name, ColumnTypes(), connection));
                    var batches = new DataReaderBatchReader(reader, schema, Name, context.Allocator, _options.BatchSize);
                    var count = 0;
                    while (await NextAsync(batches, cancellationToken).ConfigureAwait(false) is { } batch)
                    {
                        count++;
                        yield return batch;
                    }

                    Log.SqlQueryCompleted(context.Logger, Name, context.RunNumber, batches.RowsRead, count, context.TimeProvider.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }
    }

    private Schema DeriveSchema()
    {
        // ISource.Schema is synchronous; run the async discovery off any synchronization context.
        return Task.Run(async () =>
        {
            var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = CreateCommand(connection);
                await using (command.ConfigureAwait(false))
                {
                    var reader = await ExecuteAsync(command, CommandBehavior.SchemaOnly, CancellationToken.None).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        return SqlTypeMapping.DeriveSchema(reader, Name, ColumnTypes(), connection);
                    }
                }
            }
        }).GetAwaiter().GetResult();
    }

    private Dictionary<string, Apache.Arrow.Types.IArrowType>? ColumnTypes()
        => _options.ColumnTypes.Count == 0 ? null : new(_options.ColumnTypes, StringComparer.OrdinalIgnoreCase);

    private Schema Remember(Schema schema)
    {
        lock (_schemaGate)
        {
            return _derived ??= schema;
        }
    }

    private async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not DataEngException)
        {
            throw SqlErrors.Wrap(e, Name, "open a connection", _connections.Secrets());
        }
    }

    private DbCommand CreateCommand(DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = _sql;
        if (_options.CommandTimeout is { } timeout)
        {
            command.CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds);
        }

        SqlParameters.Bind(command, _parameters);
        return command;
    }

    private async ValueTask<DbDataReader> ExecuteAsync(DbCommand command, CommandBehavior behavior, CancellationToken cancellationToken)
    {
        try
        {
            return await command.ExecuteReaderAsync(behavior, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not DataEngException)
        {
            throw SqlErrors.Wrap(e, Name, "execute its query", _connections.Secrets());
        }
    }

    private async ValueTask<RecordBatch?> NextAsync(DataReaderBatchReader batches, CancellationToken cancellationToken)
    {
        try
        {
            return await batches.ReadBatchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not DataEngException)
        {
            throw SqlErrors.Wrap(e, Name, "read its result", _connections.Secrets());
        }
    }
}
