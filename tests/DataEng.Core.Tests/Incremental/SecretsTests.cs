using DataEng.Core.Tests.Checkpoints;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Polly;

namespace DataEng.Core.Tests.Incremental;

/// <summary>A canary password in a connection string must appear in no log line, exception message or checkpoint.</summary>
public sealed class SecretsTests : IDisposable
{
    private const string Canary = "Canary-Pw-3b9f71e2";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dataeng-secrets-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task FailingConnection_WithCanaryPassword_LeaksItNowhere()
    {
        var logs = new CapturingLoggerFactory();
        var unreachable = $"Host=127.0.0.1;Port=1;Username=someone;Password={Canary};Database=nowhere;Timeout=2";
        var source = DataEng.Core.Sql.Incremental(() => new NpgsqlConnection(unreachable), "orders", new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"], Resilience = ResiliencePipeline.Empty });
        var store = new FileCheckpointStore(_folder);
        var pipeline = Pipeline.Create("secret").Extract(new FixedSchemaSource(source)).Load(new LedgerSink()).Configure(o => o.LoggerFactory = logs).Build();

        var e = await Assert.ThrowsAnyAsync<Exception>(() => pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store }));

        Assert.DoesNotContain(Canary, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Provider.Lines, l => l.Contains(Canary, StringComparison.Ordinal));
        var pgStore = new PostgreSqlCheckpointStore(unreachable);
        Assert.DoesNotContain(Canary, pgStore.Name, StringComparison.Ordinal);
        var storeFailure = await Assert.ThrowsAnyAsync<Exception>(async () => await pgStore.ReadAsync("secret"));
        Assert.DoesNotContain(Canary, storeFailure.ToString(), StringComparison.Ordinal);
        Assert.All(Directory.Exists(_folder) ? Directory.GetFiles(_folder) : [], f => Assert.DoesNotContain(Canary, File.ReadAllText(f), StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task PostgresRun_WithCanaryPassword_LeaksItNowhere()
    {
        var admin = PostgresFactAttribute.ConnectionString;
        var role = "canary_" + Guid.NewGuid().ToString("N")[..8];
        var table = $"orders \"{role}\"; --";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            var quoted = "\"" + table.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            command.CommandText = $"CREATE ROLE {role} LOGIN PASSWORD '{Canary}'; GRANT ALL ON SCHEMA public TO {role}; " +
                $"CREATE TABLE {quoted} (id BIGINT PRIMARY KEY, ts TIMESTAMPTZ NOT NULL, note TEXT); GRANT ALL ON {quoted} TO {role}; " +
                $"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}; " +
                $"INSERT INTO {quoted} SELECT i, TIMESTAMPTZ '2026-01-01' + i * INTERVAL '1 microsecond', 'it''s ‘n’ ;--' FROM generate_series(1, 25) i;";
            await command.ExecuteNonQueryAsync();
        }

        try
        {
            var canaryConnection = new NpgsqlConnectionStringBuilder(admin) { Username = role, Password = Canary }.ConnectionString;
            var logs = new CapturingLoggerFactory();
            var store = new PostgreSqlCheckpointStore(canaryConnection, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(60)));
            var sink = new LedgerSink();
            var pipeline = Pipeline.Create("canary-" + role)
                .Extract(DataEng.Core.Sql.Incremental(() => new NpgsqlConnection(canaryConnection), table, new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"], PageSize = 7 }))
                .Load(sink)
                .Configure(o => o.LoggerFactory = logs)
                .Build();

            var first = await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });
            var second = await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = store });

            Assert.Equal(25, first.Run.RowsWritten);
            Assert.Equal(0, second.Run.RowsWritten);
            Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), sink.Ids);
            var checkpoint = await store.ReadAsync(pipeline.Name);
            Assert.StartsWith("dt:", checkpoint!.Get(IncrementalCommitKeys.Watermark), StringComparison.Ordinal);
            Assert.DoesNotContain(checkpoint.Properties, p => p.Value.Contains(Canary, StringComparison.Ordinal));
            Assert.NotEmpty(logs.Provider.Lines);
            Assert.DoesNotContain(logs.Provider.Lines, l => l.Contains(Canary, StringComparison.Ordinal));
        }
        finally
        {
            // When this test runs first on a fresh database the canary role creates the store's tables and owns them:
            // hand them to the admin before dropping the role (CI once failed here: "some objects depend on it").
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            var quoted = "\"" + table.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            command.CommandText = $"DROP TABLE IF EXISTS {quoted}; DELETE FROM dataeng_leases WHERE pipeline = 'canary-{role}'; DELETE FROM dataeng_checkpoints WHERE pipeline = 'canary-{role}'; REASSIGN OWNED BY {role} TO CURRENT_USER; DROP OWNED BY {role}; DROP ROLE {role};";
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Declares a schema up front so the pipeline can be built without reaching the (unreachable) server.</summary>
    private sealed class FixedSchemaSource(IIncrementalSource inner) : IIncrementalSource
    {
        public string Name => inner.Name;

        public Apache.Arrow.Schema Schema { get; } = new([new Apache.Arrow.Field("id", Apache.Arrow.Types.Int64Type.Default, false)], null);

        public ValueTask<IncrementalPlan> PlanAsync(IncrementalPlanContext context, CancellationToken cancellationToken = default) => inner.PlanAsync(context, cancellationToken);

        public IAsyncEnumerable<Apache.Arrow.RecordBatch> ReadAsync(RunContext context, CancellationToken cancellationToken = default) => inner.ReadAsync(context, cancellationToken);
    }
}
