using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Apache.Arrow;
using Polly;

namespace DataEng.Core;

/// <summary>
/// Reads a table (or a base query) incrementally by a cursor column: the range is fixed before reading, rows are read
/// in keyset pages ordered by (cursor, key…), each page under a resilience pipeline and resumed after the last row
/// delivered. Only parameterised SQL: values are bound, identifiers quoted by the provider's rules.
/// </summary>
internal sealed class IncrementalSqlSource : IIncrementalSource
{
    private readonly SqlConnectionFactory _connections;
    private readonly string? _table;
    private readonly string? _schemaName;
    private readonly string? _baseQuery;
    private readonly string _cursorColumn;
    private readonly string[] _keyColumns;
    private readonly IncrementalOptions _options;
    private readonly ConcurrentDictionary<string, IncrementalTracker> _plans = new(StringComparer.Ordinal);
    private readonly Lazy<Schema> _schema;

    public IncrementalSqlSource(SqlConnectionFactory connections, string? schemaName, string? table, string? baseQuery, string cursorColumn, IReadOnlyList<string> keyColumns, IncrementalOptions? options, string? name)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentException.ThrowIfNullOrEmpty(cursorColumn);
        ArgumentNullException.ThrowIfNull(keyColumns);
        if (keyColumns.Count == 0 || keyColumns.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("At least one key column is needed (the primary key), and none may be empty.", nameof(keyColumns));
        }

        _connections = connections;
        _schemaName = schemaName;
        _table = table;
        _baseQuery = baseQuery;
        _cursorColumn = cursorColumn;
        _keyColumns = [.. keyColumns];
        Name = name ?? "sql:" + (table ?? "query");
        _options = (options ?? new IncrementalOptions()).Clone();
        _options.ThrowIfInvalid(Name);
        _schema = new Lazy<Schema>(InferSchema, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name { get; }

    public Schema Schema => _schema.Value;

    public async ValueTask<IncrementalPlan> PlanAsync(IncrementalPlanContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var resilience = _options.Resilience ?? DataEngResilience.CreateSourcePipeline(context.TimeProvider, null, Name);
        var max = await resilience.ExecuteAsync(
            static async (self, ct) =>
            {
                var connection = await self.OpenAsync(ct).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var sql = SqlText.For(connection);
                    using var command = connection.CreateCommand();
                    command.CommandText = $"SELECT MAX({sql.Quote(self._cursorColumn)}) FROM {self.From(sql)}";
                    try
                    {
                        return CursorValue.FromClr(await command.ExecuteScalarAsync(ct).ConfigureAwait(false));
                    }
                    catch (Exception e) when (e is not OperationCanceledException and not DataEngException)
                    {
                        throw self.Wrap(e, "find the largest cursor");
                    }
                }
            },
            this,
            cancellationToken).ConfigureAwait(false);

        // The upper bound is fixed here, before anything is read; the read never goes past it.
        var tracker = IncrementalTracker.Plan(_options, Name, _cursorColumn, context.LastCommit, max, context.TimeProvider.GetUtcNow());
        _plans[context.RunId] = tracker;
        var runId = context.RunId;
        return new IncrementalPlan(tracker.Low?.Encode(), tracker.High?.Encode(), tracker.IsEmpty, () => _plans.TryRemove(runId, out _));
    }

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_plans.TryRemove(context.RunId, out var tracker))
        {
            throw new InvalidOperationException($"Source '{Name}' is incremental: run its pipeline with RunIncrementalAsync, which plans each run before reading.");
        }

        var schema = Schema;
        var resilience = _options.Resilience ?? DataEngResilience.CreateSourcePipeline(context.TimeProvider, null, Name);
        var reader = new PageReader(this, schema, tracker, resilience, context);
        try
        {
            if (_options.NullCursor == NullCursorPolicy.Fail)
            {
                await reader.CheckNoNullCursorsAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!tracker.IsEmpty)
            {
                object?[]? after = null;
                while (true)
                {
                    var page = await reader.ReadPageAsync(nullCursors: false, after, cancellationToken).ConfigureAwait(false);
                    if (page.Count == 0)
                    {
                        break;
                    }

                    after = page[^1];
                    var batch = reader.Deliver(page, nullCursors: false);
                    if (batch is not null)
                    {
                        yield return batch;
                    }

                    if (page.Count < _options.PageSize)
                    {
                        break;
                    }
                }
            }

            if (_options.NullCursor == NullCursorPolicy.Include)
            {
                object?[]? after = null;
                while (true)
                {
                    var page = await reader.ReadPageAsync(nullCursors: true, after, cancellationToken).ConfigureAwait(false);
                    if (page.Count == 0)
                    {
                        break;
                    }

                    after = page[^1];
                    var batch = reader.Deliver(page, nullCursors: true);
                    if (batch is not null)
                    {
                        yield return batch;
                    }

                    if (page.Count < _options.PageSize)
                    {
                        break;
                    }
                }
            }

            tracker.Complete(context.CommitProperties);
        }
        finally
        {
            await reader.DisposeAsync().ConfigureAwait(false);
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
            throw Wrap(e, "open a connection");
        }
    }

    /// <summary>Wraps a provider failure with the source and what it was doing, keeping connection secrets out.</summary>
    private DataEngException Wrap(Exception error, string action) => SqlErrors.Wrap(error, Name, action, _connections.Secrets());

    private string From(SqlText sql)
    {
        if (_baseQuery is not null)
        {
            return $"({_baseQuery}) q";
        }

        return _schemaName is null ? sql.Quote(_table!) : sql.Quote(_schemaName) + "." + sql.Quote(_table!);
    }

    private Schema InferSchema()
    {
        // ISource.Schema is synchronous; run the async discovery off any synchronization context.
        var schema = Task.Run(async () =>
        {
            var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    var sql = SqlText.For(connection);
                    var command = connection.CreateCommand();
                    await using (command.ConfigureAwait(false))
                    {
                        command.CommandText = $"SELECT * FROM {From(sql)} WHERE 1 = 0";
                        var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SchemaOnly).ConfigureAwait(false);
                        await using (reader.ConfigureAwait(false))
                        {
                            return DbRowBatchBuilder.InferSchema(reader, Name);
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException and not DataEngException)
                {
                    throw Wrap(e, "read the schema of its table");
                }
            }
        }).GetAwaiter().GetResult();
        var problems = new List<string>();
        foreach (var column in _keyColumns.Prepend(_cursorColumn))
        {
            if (schema.GetFieldIndex(column) < 0)
            {
                problems.Add($"Column '{column}' is not in the result of '{Name}' (columns: {string.Join(", ", schema.FieldsList.Select(static f => f.Name))}).");
            }
        }

        SchemaMismatchException.ThrowIfAny($"Source '{Name}' cannot read incrementally.", problems);
        return schema;
    }

    /// <summary>Reads pages for one run on one connection, reopening it after a failure.</summary>
    private sealed class PageReader(IncrementalSqlSource source, Schema schema, IncrementalTracker tracker, ResiliencePipeline resilience, RunContext context) : IAsyncDisposable
    {
        private readonly int _cursor = schema.GetFieldIndex(source._cursorColumn);
        private readonly int[] _keys = [.. source._keyColumns.Select(k => schema.GetFieldIndex(k))];
        private DbConnection? _connection;
        private long _rowsRead;
        private int _attempt;

        public async ValueTask CheckNoNullCursorsAsync(CancellationToken cancellationToken)
        {
            var count = await resilience.ExecuteAsync(
                static async (self, ct) =>
                {
                    var connection = await self.ConnectionAsync(ct).ConfigureAwait(false);
                    try
                    {
                        var sql = SqlText.For(connection);
                        using var command = connection.CreateCommand();
                        command.CommandText = $"SELECT COUNT(*) FROM {self.Source.From(sql)} WHERE {sql.Quote(self.Source._cursorColumn)} IS NULL";
                        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
                    }
                    catch (Exception e) when (e is not OperationCanceledException and not DataEngException)
                    {
                        await self.DropConnectionAsync().ConfigureAwait(false);
                        throw self.Source.Wrap(e, "count rows with a null cursor");
                    }
                    catch
                    {
                        await self.DropConnectionAsync().ConfigureAwait(false);
                        throw;
                    }
                },
                this,
                cancellationToken).ConfigureAwait(false);
            if (count > 0)
            {
                throw new DataFormatException(source.Name, null, source._cursorColumn, $"{count} rows have a null cursor. Set {nameof(IncrementalOptions.NullCursor)} to Exclude or Include to accept such rows.");
            }
        }

        private IncrementalSqlSource Source => source;

        /// <summary>Reads one page after <paramref name="after"/> (the last row of the previous page), as a whole:
        /// a transient failure drops the partial page and reads it again.</summary>
        public ValueTask<List<object?[]>> ReadPageAsync(bool nullCursors, object?[]? after, CancellationToken cancellationToken)
            => resilience.ExecuteAsync(
                static async (state, ct) =>
                {
                    var (self, nullCursors, after) = state;
                    if (self._attempt++ > 0)
                    {
                        Log.PageRetried(self.Context.Logger, null, self.Source.Name, self._attempt);
                    }

                    try
                    {
                        var page = await self.ReadPageOnceAsync(nullCursors, after, ct).ConfigureAwait(false);
                        self._attempt = 0;
                        return page;
                    }
                    catch (Exception e) when (e is not OperationCanceledException and not DataEngException)
                    {
                        await self.DropConnectionAsync().ConfigureAwait(false);
                        throw self.Source.Wrap(e, "read a page");
                    }
                    catch
                    {
                        await self.DropConnectionAsync().ConfigureAwait(false);
                        throw;
                    }
                },
                (this, nullCursors, after),
                cancellationToken);

        private RunContext Context => context;

        public RecordBatch? Deliver(List<object?[]> page, bool nullCursors)
        {
            var firstRow = _rowsRead + 1;
            var delivered = new List<object?[]>(page.Count);
            var keyValues = new object?[_keys.Length];
            foreach (var row in page)
            {
                _rowsRead++;
                for (var k = 0; k < _keys.Length; k++)
                {
                    keyValues[k] = row[_keys[k]];
                }

                var cursor = nullCursors ? null : CursorValue.FromClr(row[_cursor]);
                if (!nullCursors && cursor is null)
                {
                    continue; // a row whose cursor turned null between pages is not in the range any more
                }

                if (tracker.Accept(cursor, CursorValue.KeyText(keyValues), $"row {_rowsRead} of the run"))
                {
                    delivered.Add(row);
                }
            }

            return delivered.Count == 0 ? null : DbRowBatchBuilder.Build(schema, delivered, firstRow, context.Allocator, source.Name);
        }

        private async Task<List<object?[]>> ReadPageOnceAsync(bool nullCursors, object?[]? after, CancellationToken cancellationToken)
        {
            var connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
            var sql = SqlText.For(connection);
            using var command = connection.CreateCommand();
            var where = new StringBuilder();
            var index = 0;
            var cursor = sql.Quote(source._cursorColumn);
            var keys = source._keyColumns.Select(sql.Quote).ToArray();

            string Bind(object value)
            {
                var marker = sql.Marker(index++);
                SqlText.AddParameter(command, marker, value);
                return marker;
            }

            if (nullCursors)
            {
                where.Append(" WHERE ").Append(cursor).Append(" IS NULL");
                if (after is not null)
                {
                    where.Append(" AND ").Append(KeysetAfter(keys, after, Bind));
                }
            }
            else
            {
                where.Append(" WHERE ").Append(cursor).Append(" <= ").Append(Bind(tracker.High!.Value.ToClr()));
                if (after is null)
                {
                    if (tracker.Low is { } low)
                    {
                        where.Append(" AND ").Append(cursor).Append(" >= ").Append(Bind(low.ToClr()));
                    }
                }
                else
                {
                    // Keyset: strictly after the last row read, in (cursor, key...) order.
                    var last = after[_cursor]!;
                    var c1 = Bind(last);
                    var c2 = Bind(last);
                    where.Append(" AND (").Append(cursor).Append(" > ").Append(c1)
                        .Append(" OR (").Append(cursor).Append(" = ").Append(c2).Append(" AND ").Append(KeysetAfter(keys, after, Bind)).Append("))");
                }
            }

            var orderBy = " ORDER BY " + (nullCursors ? string.Join(", ", keys) : cursor + ", " + string.Join(", ", keys));
            var limit = Bind(source._options.PageSize);
            command.CommandText = sql.Select("*", source.From(sql), where.ToString(), orderBy, limit);
            var page = new List<object?[]>(Math.Min(source._options.PageSize, 4096));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (reader.FieldCount != schema.FieldsList.Count)
                {
                    throw new SchemaMismatchException($"Source '{source.Name}': the table now has {reader.FieldCount} columns, not {schema.FieldsList.Count}; rebuild the pipeline.");
                }

                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var row = new object?[reader.FieldCount];
                    reader.GetValues(row!);
                    page.Add(row);
                }
            }

            return page;
        }

        private string KeysetAfter(string[] keys, object?[] after, Func<object, string> bind)
        {
            // (k1 > @a) OR (k1 = @a AND k2 > @b) OR ...
            var text = new StringBuilder("(");
            for (var i = 0; i < keys.Length; i++)
            {
                if (i > 0)
                {
                    text.Append(" OR ");
                }

                text.Append('(');
                for (var j = 0; j < i; j++)
                {
                    text.Append(keys[j]).Append(" = ").Append(bind(after[_keys[j]]!)).Append(" AND ");
                }

                text.Append(keys[i]).Append(" > ").Append(bind(after[_keys[i]]!)).Append(')');
            }

            return text.Append(')').ToString();
        }

        private async ValueTask<DbConnection> ConnectionAsync(CancellationToken cancellationToken)
            => _connection ??= await source.OpenAsync(cancellationToken).ConfigureAwait(false);

        private async ValueTask DropConnectionAsync()
        {
            var connection = Interlocked.Exchange(ref _connection, null);
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        public ValueTask DisposeAsync() => DropConnectionAsync();
    }
}
