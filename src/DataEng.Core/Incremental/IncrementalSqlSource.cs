using System.Buffers;
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
    private readonly ConcurrentDictionary<string, RunPlan> _plans = new(StringComparer.Ordinal);
    private readonly Lazy<Shape> _shape;

    public IncrementalSqlSource(SqlConnectionFactory connections, string? table, string? baseQuery, IncrementalOptions options)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        Name = _options.Name ?? "sql:" + (table ?? "query");
        var problems = new ValidationProblems();
        problems.AddRange(_options.Validate());
        problems.AddIf(baseQuery is not null && _options.SchemaName is not null, $"{nameof(IncrementalOptions.SchemaName)} applies to a table; a base query names its tables itself.");
        problems.ThrowIfAny($"{nameof(IncrementalOptions)} of '{Name}'");
        _connections = connections;
        _schemaName = _options.SchemaName;
        _table = table;
        _baseQuery = baseQuery;
        _cursorColumn = _options.CursorColumn;
        _keyColumns = [.. _options.KeyColumns];
        _shape = new Lazy<Shape>(InferShape, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name { get; }

    public Schema Schema => _shape.Value.Schema;

    public async ValueTask<IncrementalPlan> PlanAsync(IncrementalPlanContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cursor = _shape.Value.Cursor;
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
                        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
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
        var high = cursor.FromDatabase(max, out var layout);
        var tracker = IncrementalTracker.Plan(_options, Name, _cursorColumn, context.LastCommit, high, context.TimeProvider.GetUtcNow(), cursor.Normalize);
        _plans[context.RunId] = new RunPlan(tracker, layout);
        var runId = context.RunId;
        return new IncrementalPlan(tracker.Low?.Encode(), tracker.High?.Encode(), tracker.IsEmpty, () => _plans.TryRemove(runId, out _));
    }

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_plans.TryRemove(context.RunId, out var plan))
        {
            throw new InvalidOperationException($"Source '{Name}' is incremental: run its pipeline with RunIncrementalAsync, which plans each run before reading.");
        }

        var tracker = plan.Tracker;
        var resilience = _options.Resilience ?? DataEngResilience.CreateSourcePipeline(context.TimeProvider, null, Name);
        var reader = new PageReader(this, _shape.Value, plan, resilience, context);
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
                    if (page.RowsRead == 0)
                    {
                        break;
                    }

                    after = page.Last;
                    var batch = reader.Deliver(page, nullCursors: false);
                    if (batch is not null)
                    {
                        yield return batch;
                    }

                    if (page.RowsRead < _options.PageSize)
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
                    if (page.RowsRead == 0)
                    {
                        break;
                    }

                    after = page.Last;
                    var batch = reader.Deliver(page, nullCursors: true);
                    if (batch is not null)
                    {
                        yield return batch;
                    }

                    if (page.RowsRead < _options.PageSize)
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

    private Shape InferShape()
    {
        // ISource.Schema is synchronous; run the async discovery off any synchronization context.
        var (schema, kinds, dynamicallyTyped) = Task.Run(async () =>
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
                            var kinds = new SqlValueKind[reader.FieldCount];
                            for (var i = 0; i < kinds.Length; i++)
                            {
                                kinds[i] = SqlTypeMapping.KindOf(SqlTypeMapping.SafeFieldType(reader, i));
                            }

                            return (SqlTypeMapping.DeriveSchema(reader, Name, connection: connection), kinds, SqlTypeMapping.IsDynamicallyTyped(reader));
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
        SqlCursorColumn Column(string name)
        {
            var index = schema.GetFieldIndex(name);
            return new SqlCursorColumn(Name, schema.GetFieldByIndex(index), index, kinds[index], dynamicallyTyped);
        }

        return new Shape(schema, Column(_cursorColumn), [.. _keyColumns.Select(Column)]);
    }

    /// <summary>The result's schema and how its cursor and key columns are read and bound.</summary>
    private sealed record Shape(Schema Schema, SqlCursorColumn Cursor, SqlCursorColumn[] Keys);

    /// <summary>One planned run: its watermark logic and the stored layout of a text timestamp cursor.</summary>
    private sealed record RunPlan(IncrementalTracker Tracker, SqliteTextTimestamp? Layout);

    /// <summary>One keyset page, read as a whole.</summary>
    /// <param name="Batch">The page's rows (owned by the reader of the page), or null when it had none that converted.</param>
    /// <param name="RowsRead">The rows the database returned.</param>
    /// <param name="Last">The provider's own cursor and key values of the page's last row when the page is full.</param>
    private readonly record struct Page(RecordBatch? Batch, long RowsRead, object?[]? Last);

    /// <summary>Reads pages for one run on one connection, reopening it after a failure.</summary>
    /// <remarks>Each page goes through <see cref="DataReaderBatchReader"/> (typed getters, no boxing per row) into one
    /// batch; a page that fails part-way is dropped and read again as a whole. The keyset condition of the next page
    /// binds the last row's cursor and key values exactly as the provider returned them (captured once per full page):
    /// an Arrow value may be coarser than the stored one, or text stored in another layout.</remarks>
    private sealed class PageReader(IncrementalSqlSource source, Shape shape, RunPlan plan, ResiliencePipeline resilience, RunContext context) : IAsyncDisposable
    {
        private readonly int[] _captured = [shape.Cursor.Index, .. shape.Keys.Select(static k => k.Index)];
        private readonly IncrementalTracker _tracker = plan.Tracker;
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
        public ValueTask<Page> ReadPageAsync(bool nullCursors, object?[]? after, CancellationToken cancellationToken)
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

        /// <summary>Keeps the page's rows the tracker accepts (new in range, not already delivered in the lookback
        /// window). The page's batch is consumed: it is returned as is, or disposed.</summary>
        public RecordBatch? Deliver(Page page, bool nullCursors)
        {
            var firstRow = _rowsRead + 1;
            _rowsRead += page.RowsRead;
            if (page.Batch is not { } batch)
            {
                return null;
            }

            var cursorArray = batch.Column(shape.Cursor.Index);
            var keyArrays = shape.Keys.Select(k => batch.Column(k.Index)).ToArray();
            var keyParts = new string[keyArrays.Length];
            var kept = ArrayPool<int>.Shared.Rent(batch.Length);
            var count = 0;
            var handedOver = false;
            try
            {
                for (var row = 0; row < batch.Length; row++)
                {
                    var cursor = nullCursors ? null : shape.Cursor.Read(cursorArray, row);
                    if (!nullCursors && cursor is null)
                    {
                        continue; // a row whose cursor turned null between pages is not in the range any more
                    }

                    string key;
                    if (keyArrays.Length == 1)
                    {
                        key = shape.Keys[0].KeyPart(keyArrays[0], row);
                    }
                    else
                    {
                        for (var k = 0; k < keyArrays.Length; k++)
                        {
                            keyParts[k] = shape.Keys[k].KeyPart(keyArrays[k], row);
                        }

                        key = CursorValue.JoinKeyParts(keyParts);
                    }

                    if (_tracker.Accept(cursor, key, $"row {firstRow + row} of the run"))
                    {
                        kept[count++] = row;
                    }
                }

                if (count == batch.Length)
                {
                    handedOver = true;
                    return batch;
                }

                return count == 0 ? null : BatchKernels.Take(batch, kept.AsSpan(0, count), context.Allocator);
            }
            finally
            {
                if (!handedOver)
                {
                    batch.Dispose();
                }

                ArrayPool<int>.Shared.Return(kept);
            }
        }

        private async Task<Page> ReadPageOnceAsync(bool nullCursors, object?[]? after, CancellationToken cancellationToken)
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
                where.Append(" WHERE ").Append(cursor).Append(" <= ").Append(Bind(shape.Cursor.Bind(_tracker.High!.Value, upper: true, plan.Layout)));
                if (after is null)
                {
                    if (_tracker.Low is { } low)
                    {
                        where.Append(" AND ").Append(cursor).Append(" >= ").Append(Bind(shape.Cursor.Bind(low, upper: false, plan.Layout)));
                    }
                }
                else
                {
                    // Keyset: strictly after the last row read, in (cursor, key...) order.
                    var last = after[0]!;
                    var c1 = Bind(last);
                    var c2 = Bind(last);
                    where.Append(" AND (").Append(cursor).Append(" > ").Append(c1)
                        .Append(" OR (").Append(cursor).Append(" = ").Append(c2).Append(" AND ").Append(KeysetAfter(keys, after, Bind)).Append("))");
                }
            }

            var orderBy = " ORDER BY " + (nullCursors ? string.Join(", ", keys) : cursor + ", " + string.Join(", ", keys));
            var limit = Bind(source._options.PageSize);
            command.CommandText = sql.Select("*", source.From(sql), where.ToString(), orderBy, limit);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (reader.FieldCount != shape.Schema.FieldsList.Count)
                {
                    throw new SchemaMismatchException($"Source '{source.Name}': the table now has {reader.FieldCount} columns, not {shape.Schema.FieldsList.Count}; rebuild the pipeline.");
                }

                var rows = new DataReaderBatchReader(reader, shape.Schema, source.Name, context.Allocator, source._options.PageSize) { RowNumberOffset = _rowsRead };
                rows.CaptureRow(source._options.PageSize, _captured);
                var batch = await rows.ReadBatchAsync(cancellationToken).ConfigureAwait(false);
                return new Page(batch, rows.RowsRead, rows.Captured);
            }
        }

        private static string KeysetAfter(string[] keys, object?[] after, Func<object, string> bind)
        {
            // (k1 > @a) OR (k1 = @a AND k2 > @b) OR ...; after holds the cursor first, then the keys.
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
                    text.Append(keys[j]).Append(" = ").Append(bind(after[1 + j]!)).Append(" AND ");
                }

                text.Append(keys[i]).Append(" > ").Append(bind(after[1 + i]!)).Append(')');
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
