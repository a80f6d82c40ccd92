using Apache.Arrow;
using Microsoft.Data.Sqlite;

namespace DataEng.Core.Tests.Incremental;

/// <summary>An injected crash (terminal: never retried).</summary>
internal sealed class InjectedCrashException(string step) : InvalidOperationException($"injected crash at {step}");

/// <summary>
/// A sink that commits ids (column "id") and its commit properties atomically, like the lake does, and can crash at
/// named steps: <c>write:N</c> (the N-th write of a run, 1-based), <c>prepare</c>, <c>commit-before</c> (before the commit
/// is durable) and <c>commit-after</c> (after it is durable: an ambiguous commit).
/// </summary>
internal sealed class LedgerSink(string name = "ledger") : ICheckpointingSink
{
    private readonly object _gate = new();
    private readonly List<long> _ids = [];
    private readonly Dictionary<string, CommittedRun> _last = new(StringComparer.Ordinal);

    public string Name => name;

    public Func<string, bool>? Crash { get; set; }

    public Func<Task>? OnWrite { get; set; }

    public List<long> Ids
    {
        get
        {
            lock (_gate)
            {
                return [.. _ids];
            }
        }
    }

    public int Commits { get; private set; }

    public void Validate(Schema input)
    {
    }

    public ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<ISinkWriter>(new Writer(this));

    public ValueTask<CommittedRun?> GetLastCommitAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_last.TryGetValue(pipelineName, out var run) ? run : null);
        }
    }

    private void CrashIf(string step)
    {
        if (Crash?.Invoke(step) == true)
        {
            throw new InjectedCrashException(step);
        }
    }

    private sealed class Writer(LedgerSink sink) : ISinkWriter
    {
        private readonly List<long> _pending = [];
        private SinkCommit? _commit;
        private int _writes;

        public async ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
        {
            if (sink.OnWrite is { } onWrite)
            {
                await onWrite();
            }

            sink.CrashIf($"write:{++_writes}");
            var ids = (Int64Array)batch.Column("id");
            for (var i = 0; i < ids.Length; i++)
            {
                _pending.Add(ids.GetValue(i)!.Value);
            }
        }

        public ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default)
        {
            sink.CrashIf("prepare");
            _commit = commit;
            return ValueTask.CompletedTask;
        }

        public ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            var commit = _commit!;
            sink.CrashIf("commit-before");
            lock (sink._gate)
            {
                if (!sink._last.TryGetValue(commit.PipelineName, out var last) || last.RunNumber < commit.RunNumber)
                {
                    sink._ids.AddRange(_pending);
                    sink._last[commit.PipelineName] = new CommittedRun(commit.RunNumber, commit.RunId, new Dictionary<string, string>(commit.Properties));
                    sink.Commits++;
                }
            }

            sink.CrashIf("commit-after");
            return ValueTask.CompletedTask;
        }

        public ValueTask AbortAsync(CancellationToken cancellationToken = default)
        {
            _pending.Clear();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>A shared in-memory SQLite database with an <c>orders</c> table (id, ts, note), kept alive by one connection.</summary>
internal sealed class OrdersDb : IDisposable
{
    private readonly SqliteConnection _keepAlive;
    private long _nextId;

    public OrdersDb(string table = "orders", string cursorType = "INTEGER", string cursorColumn = "ts")
    {
        Table = table;
        ConnectionString = $"Data Source=orders-{Guid.NewGuid():N};Mode=Memory;Cache=Shared";
        _keepAlive = new SqliteConnection(ConnectionString);
        _keepAlive.Open();
        CursorColumn = cursorColumn;
        Execute($"CREATE TABLE {Quote(table)} (id INTEGER PRIMARY KEY, {Quote(cursorColumn)} {cursorType}, note TEXT)");
    }

    public string Table { get; }

    public string CursorColumn { get; }

    public string ConnectionString { get; }

    public List<long> AllIds { get; } = [];

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public SqliteConnection Open() => new(ConnectionString);

    public long Insert(object? ts, string? note = null)
    {
        var id = ++_nextId;
        using var command = _keepAlive.CreateCommand();
        command.CommandText = $"INSERT INTO {Quote(Table)} (id, {Quote(CursorColumn)}, note) VALUES ($id, $ts, $note)";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$ts", ts ?? DBNull.Value);
        command.Parameters.AddWithValue("$note", note ?? (object)DBNull.Value);
        command.ExecuteNonQuery();
        AllIds.Add(id);
        return id;
    }

    public void Register(string name, Func<long, long> function) => _keepAlive.CreateFunction(name, function, isDeterministic: true);

    public void Execute(string sql)
    {
        using var command = _keepAlive.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public long Count()
    {
        using var command = _keepAlive.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {Quote(Table)}";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose() => _keepAlive.Dispose();
}
