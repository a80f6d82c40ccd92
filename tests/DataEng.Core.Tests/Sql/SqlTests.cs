using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.Sql;

public class SqlTests
{
    [Fact]
    public async Task ReadAsync_Query_YieldsEveryRowInBatchesAndReleasesEveryBuffer()
    {
        using var db = new SqliteTestDatabase();
        db.CreateNumbers(1000);
        var allocator = new CountingMemoryAllocator();
        var source = DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id, name FROM numbers ORDER BY id", options: new SqlSourceOptions { BatchSize = 300 });

        var ids = new List<long>();
        var lengths = new List<int>();
        await foreach (var batch in source.ReadAsync(Context(allocator)))
        {
            using (batch)
            {
                lengths.Add(batch.Length);
                ids.AddRange(((Int64Array)batch.Column("id")).Values.ToArray());
            }
        }

        Assert.Equal([300, 300, 300, 100], lengths);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), ids);
        Assert.Equal(0, allocator.LiveAllocations);
        Assert.Equal(db.Opened, db.Disposed);
    }

    [Fact]
    public async Task Schema_SqliteIntegerPrimaryKey_IsNotNullableButOtherKeysKeepTheirNullability()
    {
        using var db = new SqliteTestDatabase(
            "CREATE TABLE rowid_alias (id INTEGER PRIMARY KEY, name TEXT)",
            "CREATE TABLE auto_ids (id integer PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)",
            "CREATE TABLE int_key (id INT PRIMARY KEY, name TEXT)",
            "CREATE TABLE descending (id INTEGER PRIMARY KEY DESC, name TEXT)",
            "CREATE TABLE composite (a INTEGER, b INTEGER, name TEXT, PRIMARY KEY (a, b))",
            "INSERT INTO rowid_alias (name) VALUES ('x'), (NULL)",
            "INSERT INTO int_key VALUES (NULL, 'null key')",
            "INSERT INTO composite VALUES (NULL, 1, 'null part')");

        static bool[] Nullability(ISource source) => [.. source.Schema.FieldsList.Select(static f => f.IsNullable)];

        Assert.Equal([false, true], Nullability(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id, name FROM rowid_alias")));
        Assert.Equal([false, true], Nullability(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT rowid_alias.id AS order_id, name FROM rowid_alias")));
        Assert.Equal([false, false], Nullability(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id, name FROM auto_ids")));
        Assert.Equal([true, true], Nullability(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id, name FROM int_key")));
        Assert.Equal([true, true], Nullability(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id, name FROM descending")));
        Assert.Equal([true, true, true], Nullability(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT a, b, name FROM composite")));

        // The nullable keys really can hold null in SQLite; the rowid alias cannot, and its rows read back whole.
        Assert.Equal(2, (await ReadIdsAsync(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id FROM rowid_alias ORDER BY id"))).Count);
        using var batch = await SingleBatchAsync(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id FROM int_key"));
        Assert.True(batch.Column(0).IsNull(0));
    }

    [Fact]
    public void Incremental_SqliteIntegerPrimaryKeyCursor_IsNotNullable()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT)", "INSERT INTO events (body) VALUES ('a'), ('b')");
        var source = DataEng.Core.Sql.Incremental(db.CreateConnection, "events", new IncrementalOptions { CursorColumn = "id", KeyColumns = ["id"] });

        Assert.False(source.Schema.GetFieldByName("id").IsNullable);
        Assert.True(source.Schema.GetFieldByName("body").IsNullable);
    }

    [Fact]
    public async Task Query_AnonymousObjectParameters_AreBoundNeverConcatenated()
    {
        using var db = new SqliteTestDatabase();
        db.CreateNumbers(5);
        var injection = "x' OR 1=1; DROP TABLE numbers; --";
        var source = DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id FROM numbers WHERE id >= @minId OR name = @name ORDER BY id", new { minId = 4, name = injection });

        var ids = await ReadIdsAsync(source);

        Assert.Equal([4L, 5L], ids);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], await ReadIdsAsync(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id FROM numbers ORDER BY id")));
    }

    [Fact]
    public async Task Query_DictionaryParameters_AreBoundWithNullAsDbNull()
    {
        using var db = new SqliteTestDatabase();
        var parameters = new Dictionary<string, object?> { ["@a"] = 41L, ["@b"] = null };
        var source = DataEng.Core.Sql.Query(db.CreateConnection, "SELECT @a + 1 AS id, @b IS NULL AS b_is_null", parameters);

        using var batch = await SingleBatchAsync(source);

        Assert.Equal(42L, ((Int64Array)batch.Column("id")).GetValue(0));
        Assert.Equal(1L, ((Int64Array)batch.Column("b_is_null")).GetValue(0));
    }

    [Fact]
    public void Schema_WithoutOptions_IsDerivedWhenBuiltFromTheProviderDescription()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE orders(id INTEGER NOT NULL, amount DECIMAL(12,2), placed DATETIME, day DATE, note TEXT)");
        var options = new SqlSourceOptions { Name = "orders" };
        options.ColumnTypes["AMOUNT"] = new Decimal128Type(12, 2);
        var source = DataEng.Core.Sql.Query(db.CreateConnection, "SELECT * FROM orders", options: options);
        using var sink = new CollectingSink();

        var pipeline = Pipeline.Create("p").Extract(source).Load(sink).Build();

        Assert.Equal("(id: int64, amount: decimal128(12, 2)?, placed: timestamp[microsecond]?, day: date32?, note: utf8?)", SchemaText.Describe(pipeline.OutputSchema));
        Assert.Equal(1, db.Opened);
        Assert.Equal(1, db.Disposed);
    }

    [Fact]
    public void Schema_GivenInOptions_OpensNoConnectionWhenBuilt()
    {
        using var db = new SqliteTestDatabase();
        var schema = new Schema.Builder().Field(f => f.Name("x").DataType(Int32Type.Default)).Build();
        var source = DataEng.Core.Sql.Query(db.CreateConnection, "SELECT 1 AS x", options: new SqlSourceOptions { Schema = schema });

        _ = Pipeline.Create("p").Extract(source).Load(new NullSink()).Build();

        Assert.Same(schema, source.Schema);
        Assert.Equal(0, db.Opened);
    }

    [Fact]
    public async Task RunAsync_EveryRun_OpensItsOwnConnectionAndDisposesIt()
    {
        using var db = new SqliteTestDatabase();
        db.CreateNumbers(10);
        using var sink = new CollectingSink();
        var pipeline = Pipeline.Create("p").Extract(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id FROM numbers")).Load(sink).Build();
        var openedByBuild = db.Opened;

        await pipeline.RunAsync();
        await pipeline.RunAsync();

        Assert.Equal(openedByBuild + 2, db.Opened);
        Assert.Equal(db.Opened, db.Disposed);
        Assert.Equal(20, sink.RowCount);
    }

    [Fact]
    public async Task ReadAsync_CancelledMidRead_DisposesTheConnectionAndLeaksNothing()
    {
        using var db = new SqliteTestDatabase();
        db.CreateNumbers(1000);
        var allocator = new CountingMemoryAllocator();
        var source = DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id, name FROM numbers", options: new SqlSourceOptions { BatchSize = 100 });
        using var cts = new CancellationTokenSource();

        var batches = source.ReadAsync(Context(allocator), cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await batches.MoveNextAsync());
        batches.Current.Dispose();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await batches.MoveNextAsync());
        await batches.DisposeAsync();

        Assert.Equal(0, allocator.LiveAllocations);
        Assert.Equal(1, db.Opened);
        Assert.Equal(1, db.Disposed);
    }

    [Fact]
    public async Task RunAsync_MalformedValue_FailsOnceNamingSourceRowAndColumn()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, day DATE)", "INSERT INTO t VALUES (1, '2024-01-01'), (2, 'someday')");
        var pipeline = Pipeline.Create("p")
            .Extract(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id, day FROM t ORDER BY id", options: new SqlSourceOptions { Name = "events" }))
            .Load(new NullSink())
            .Build();

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        Assert.Equal("events", error.StageName);
        var format = Assert.IsType<DataFormatException>(error.InnerException);
        Assert.Equal("events", format.Source);
        Assert.Equal(2, format.Row);
        Assert.Equal("day", format.Column);
        Assert.Contains("'someday' is not a valid date32", format.Message, StringComparison.Ordinal);
        Assert.Equal(db.Opened, db.Disposed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_QueryThroughPipeline_ReleasesEveryBuffer(bool failMidway)
    {
        using var db = new SqliteTestDatabase();
        db.CreateNumbers(5000);
        if (failMidway)
        {
            db.Execute("UPDATE numbers SET id = 'bad' WHERE id = 4321");
        }

        var allocator = new CountingMemoryAllocator();
        var sink = new CollectingSink();
        var pipeline = Pipeline.Create("p")
            .Extract(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT id, name FROM numbers ORDER BY rowid", options: new SqlSourceOptions { BatchSize = 500 }))
            .Load(sink)
            .Configure(o => o.Allocator = allocator)
            .Build();

        if (failMidway)
        {
            await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());
        }
        else
        {
            await pipeline.RunAsync();
            Assert.Equal(5000, sink.RowCount);
        }

        sink.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
        Assert.True(allocator.TotalAllocations > 0);
        Assert.Equal(db.Opened, db.Disposed);
    }

    [Fact]
    public async Task Query_DataSource_OpensAConnectionPerRun()
    {
        using var db = new SqliteTestDatabase();
        db.CreateNumbers(3);
        var dataSource = SqliteFactory.Instance.CreateDataSource(db.ConnectionString);
        await using var _ = dataSource;

        Assert.Equal([1L, 2L, 3L], await ReadIdsAsync(DataEng.Core.Sql.Query(dataSource, "SELECT id FROM numbers ORDER BY id")));
    }

    [Fact]
    public async Task Query_AsyncOpenerReturningAClosedConnection_OpensIt()
    {
        using var db = new SqliteTestDatabase();
        db.CreateNumbers(2);
        var source = DataEng.Core.Sql.Query(_ => ValueTask.FromResult(db.CreateConnection()), "SELECT id FROM numbers ORDER BY id");

        Assert.Equal([1L, 2L], await ReadIdsAsync(source));
        Assert.Equal(db.Opened, db.Disposed);
    }

    [Fact]
    public void Query_InvalidOptions_ThrowsListingEveryProblem()
    {
        var options = new SqlSourceOptions { Name = " ", BatchSize = 0, CommandTimeout = TimeSpan.FromSeconds(-1) };

        var error = Assert.Throws<DataEngValidationException>(() => DataEng.Core.Sql.Query(() => new SqliteConnection(), "SELECT 1", options: options));

        Assert.Contains("Name", error.Message, StringComparison.Ordinal);
        Assert.Contains("BatchSize", error.Message, StringComparison.Ordinal);
        Assert.Contains("CommandTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_ParametersThatAreNotAnObjectOrDictionary_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => DataEng.Core.Sql.Query(() => new SqliteConnection(), "SELECT 1", 42));
        Assert.Throws<ArgumentException>(() => DataEng.Core.Sql.Query(() => new SqliteConnection(), "SELECT 1", new Dictionary<string, object?> { ["a"] = 1, ["A"] = 2 }));
    }

    [Fact]
    public void Build_QueryOnMissingTable_ReportsTheProviderErrorAsAProblem()
    {
        using var db = new SqliteTestDatabase();
        var builder = Pipeline.Create("p").Extract(DataEng.Core.Sql.Query(db.CreateConnection, "SELECT * FROM nowhere", options: new SqlSourceOptions { Name = "src" })).Load(new NullSink());

        var error = Assert.Throws<PipelineValidationException>(builder.Build);

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("src: SQL source 'src' could not execute its query", problem, StringComparison.Ordinal);
        Assert.Contains("no such table", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ProviderQuotesThePassword_CanaryAppearsInNoMessageOrLog()
    {
        const string canary = "canary-pw-8d1f0c";
        using var db = new SqliteTestDatabase();
        db.CreateNumbers(3);
        var logs = new CapturingLoggerFactory();
        var schema = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default)).Build();

        // a provider whose open failure quotes the whole connection string
        var failing = Pipeline.Create("p")
            .Extract(DataEng.Core.Sql.Query(() => new LeakyConnection(db.ConnectionString, canary, failOpen: true), "SELECT id FROM numbers", options: new SqlSourceOptions { Schema = schema }))
            .Load(new NullSink())
            .Configure(o => o.LoggerFactory = logs)
            .Build();
        var openError = await Assert.ThrowsAsync<PipelineStageException>(() => failing.RunAsync());

        // a bad value and a bad query on a connection whose connection string holds the password
        var badValue = Pipeline.Create("p")
            .Extract(DataEng.Core.Sql.Query(() => new LeakyConnection(db.ConnectionString, canary), "SELECT 'x' AS id", options: new SqlSourceOptions { Schema = schema }))
            .Load(new NullSink())
            .Configure(o => o.LoggerFactory = logs)
            .Build();
        var valueError = await Assert.ThrowsAsync<PipelineStageException>(() => badValue.RunAsync());
        var badQuery = Pipeline.Create("p").Extract(DataEng.Core.Sql.Query(() => new LeakyConnection(db.ConnectionString, canary), "SELEKT"));
        var queryError = Assert.Throws<PipelineValidationException>(() => badQuery.Load(new NullSink()).Build());

        Assert.Contains("could not open a connection", openError.Message, StringComparison.Ordinal);
        Assert.Contains("***", openError.Message, StringComparison.Ordinal);
        foreach (var error in new Exception[] { openError, valueError, queryError })
        {
            for (var e = error; e is not null; e = e.InnerException)
            {
                Assert.DoesNotContain(canary, e.Message, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(canary, error.ToString(), StringComparison.Ordinal);
        }

        Assert.NotEmpty(logs.Provider.Lines);
        Assert.All(logs.Provider.Lines, line => Assert.DoesNotContain(canary, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_SqliteRejectsThePassword_CanaryAppearsInNoMessage()
    {
        const string canary = "canary-pw-51aa2e";
        var schema = new Schema.Builder().Field(f => f.Name("x").DataType(Int64Type.Default)).Build();
        var source = DataEng.Core.Sql.Query(() => new SqliteConnection($"Data Source=:memory:;Password={canary}"), "SELECT 1 AS x", options: new SqlSourceOptions { Schema = schema });

        var error = await Assert.ThrowsAnyAsync<DataEngException>(async () =>
        {
            await foreach (var batch in source.ReadAsync(Context(new CountingMemoryAllocator())))
            {
                batch.Dispose();
            }
        });

        Assert.DoesNotContain(canary, error.ToString(), StringComparison.Ordinal);
    }

    private static RunContext Context(CountingMemoryAllocator allocator)
        => new("test", 1, "run-1", NullLogger.Instance, TimeProvider.System, CancellationToken.None) { Allocator = allocator };

    private static async Task<List<long>> ReadIdsAsync(ISource source)
    {
        var ids = new List<long>();
        await foreach (var batch in source.ReadAsync(Context(new CountingMemoryAllocator())))
        {
            using (batch)
            {
                ids.AddRange(((Int64Array)batch.Column("id")).Values.ToArray());
            }
        }

        return ids;
    }

    private static async Task<RecordBatch> SingleBatchAsync(ISource source)
    {
        RecordBatch? result = null;
        await foreach (var batch in source.ReadAsync(Context(new CountingMemoryAllocator())))
        {
            Assert.Null(result);
            result = batch;
        }

        return result!;
    }

    /// <summary>A connection that reports a connection string with a password and (optionally) quotes it when opening fails.</summary>
    [SuppressMessage("Security", "CA2100", Justification = "Test wrapper.")]
    private sealed class LeakyConnection(string connectionString, string password, bool failOpen = false) : DbConnection
    {
        private readonly SqliteConnection _inner = new(connectionString);

        [AllowNull]
        public override string ConnectionString
        {
            get => $"Host=db.example;Username=etl;Password={password}";
            set => throw new NotSupportedException();
        }

        public override string Database => _inner.Database;

        public override string DataSource => "db.example";

        public override string ServerVersion => _inner.ServerVersion;

        public override ConnectionState State => _inner.State;

        public override void ChangeDatabase(string databaseName) => _inner.ChangeDatabase(databaseName);

        public override void Close() => _inner.Close();

        public override void Open()
        {
            if (failOpen)
            {
                throw new InvalidOperationException($"Could not connect with '{ConnectionString}'.");
            }

            _inner.Open();
        }

        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => _inner.BeginTransaction(isolationLevel);

        protected override DbCommand CreateDbCommand() => _inner.CreateCommand();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
