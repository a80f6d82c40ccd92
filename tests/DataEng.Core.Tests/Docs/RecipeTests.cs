using System.Globalization;
using DataEng.Core.DocSnippets;
using DataEng.Core.DocSnippets.Recipes;
using DataEng.Core.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.Docs;

/// <summary>Runs the code the guides show (docs/snippets) on temporary folders, so the pages stay true.</summary>
public sealed class RecipeTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dataeng-docs-" + Guid.NewGuid().ToString("N"));

    public RecipeTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task CustomStages_RunTogether()
        => Assert.Equal(12_345, await CustomStages.RunAsync());

    [Fact]
    public async Task ConfiguredRun_ReportsEveryStage()
    {
        var result = await Running.ConfiguredRunAsync(NullLoggerFactory.Instance, TimeProvider.System);

        Assert.Equal(100_000, result.RowsWritten);
        Assert.Equal(new[] { "numbers", "add-square", "collect" }, result.Stages.Select(static s => s.Name));
        Assert.Equal("nightly-2024-01-02", result.RunId);
    }

    [Fact]
    public void Validation_ListsEveryProblem()
    {
        var message = Running.Validation();

        // The comment in the snippet shows this message.
        string[] expected =
        [
            "Pipeline 'broken' is not valid (2 problems):",
            "  - ChannelCapacity must be at least 1 (was 0).",
            "  - select: unknown column 'id'; the input has: n",
        ];
        Assert.Equal(string.Join(Environment.NewLine, expected), message);
    }

    [Fact]
    public async Task InMemory_CollectsTheBatch()
        => Assert.Equal(3, await Running.InMemoryAsync());

    [Fact]
    public async Task BadRows_AreDeadLettered_AndTheGoodOnesPass()
    {
        var csv = Path.Combine(_folder, "readings.csv");
        await File.WriteAllTextAsync(csv, "sensor,celsius\nnorth,21.5\nsouth,not a number\neast,19.25\nwest,99.5\n" + string.Concat(Enumerable.Range(0, 60).Select(i => $"s{i},{(i % 10) + 0.5}\n")));
        var deadLetters = Path.Combine(_folder, "dead");

        var result = await ResilienceExamples.BadRowsAsync(csv, deadLetters);

        Assert.Equal(62, result.RowsWritten);
        Assert.Equal(2, Directory.GetFiles(deadLetters, "*.parquet", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void Resilience_Snippets_Build()
    {
        File.WriteAllText(Path.Combine(_folder, "a.csv"), "id,name\n1,x\n");
        var pipeline = ResilienceExamples.RetriedStages(_folder, Path.Combine(_folder, "out.parquet"), TimeProvider.System, NullLoggerFactory.Instance);
        Assert.Equal("csv-to-parquet", pipeline.Name);
        Assert.NotNull(ResilienceExamples.CustomPipeline(TimeProvider.System));
        Assert.True(ResilienceExamples.Classify(new TimeoutException()));
        Assert.False(ResilienceExamples.Classify(new DataFormatException("bad")));
    }

    [Fact]
    public async Task DatabaseToLake_LoadsOnlyNewRows_AndMirrorsTheCheckpoint()
    {
        var connectionString = $"Data Source={Path.Combine(_folder, "shop.db")};Pooling=False";
        await CreateOrdersAsync(connectionString, firstId: 1, count: 120);
        var pipeline = DatabaseToLake.Build(connectionString, Path.Combine(_folder, "lake"));

        Assert.StartsWith("run 1: 120 new rows up to ", await DatabaseToLake.RunOnceAsync(pipeline), StringComparison.Ordinal);
        Assert.Equal("run 2: nothing new", await DatabaseToLake.RunOnceAsync(pipeline));
        await CreateOrdersAsync(connectionString, firstId: 121, count: 30);

        var store = Path.Combine(_folder, "checkpoints");
        var third = await CheckpointExamples.WithStoreAsync(pipeline, store);
        var checkpoint = await CheckpointExamples.ReadCheckpointAsync(new FileCheckpointStore(store), "orders-to-lake");

        Assert.Equal(30, third!.Run.RowsWritten);
        Assert.Equal(3, checkpoint!.RunNumber);
        Assert.Equal(third.EncodedWatermark, checkpoint.Get(IncrementalCommitKeys.Watermark));
    }

    [Fact]
    public async Task CommitLookup_ReadsTheLakesLastCommit()
    {
        var lake = Path.Combine(_folder, "lake");
        await Pipeline.Create("orders").Extract(Core.Rows.From(new[] { new { Id = 1L } })).Load(Core.Lake.Write(lake)).Build().RunAsync();

        var sink = CheckpointExamples.CommitLookup(lake);
        var last = await sink.GetLastCommitAsync("orders");

        Assert.Equal(1, last!.RunNumber);
    }

    [Fact]
    public async Task CsvDropFolder_LoadsEachFileOnce()
    {
        var inbox = Directory.CreateDirectory(Path.Combine(_folder, "inbox")).FullName;
        await File.WriteAllTextAsync(Path.Combine(inbox, "readings-2024-01-01.csv"), "sensor,day,celsius\nnorth,2024-01-01,20.5\nsouth,2024-01-01,NA\n");
        await File.WriteAllTextAsync(Path.Combine(inbox, "readings-2024-01-02.csv"), "sensor,day,celsius\nnorth,2024-01-02,21\n");
        var pipeline = CsvDropFolder.Build(inbox, Path.Combine(_folder, "lake"), Path.Combine(_folder, "dead"));

        var first = await pipeline.RunIncrementalAsync();
        var second = await pipeline.RunIncrementalAsync();
        await File.WriteAllTextAsync(Path.Combine(inbox, "readings-2024-01-03.csv"), "sensor,day,celsius\neast,2024-01-03,oops\n" + string.Concat(Enumerable.Range(0, 12).Select(i => $"s{i},2024-01-03,{i}.5\n")));
        var third = await pipeline.RunIncrementalAsync();

        Assert.Equal(3, first.Run.RowsWritten);
        Assert.Equal(0, second.Run.RowsWritten);
        Assert.Equal(12, third.Run.RowsWritten);
        Assert.Single(Directory.GetFiles(Path.Combine(_folder, "dead"), "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task WorkerService_LoadsEachOrderOnce_AcrossScheduledRunsAndRestarts()
    {
        var connectionString = $"Data Source={Path.Combine(_folder, "shop.db")};Pooling=False";
        await CreateOrdersAsync(connectionString, firstId: 1, count: 10);
        string[] args = ["--DataEng:Pipelines:orders-to-lake:Interval=00:10:00", "--DataEng:Pipelines:orders-to-lake:RunOnStart=true"];

        var first = await RunWorkerOnceAsync(args, connectionString);
        await CreateOrdersAsync(connectionString, firstId: 11, count: 5);
        var second = await RunWorkerOnceAsync(args, connectionString);

        Assert.Null(first.LastFailure);
        Assert.Equal(10, first.LastResult!.RowsWritten);
        Assert.Null(second.LastFailure);
        Assert.Equal(2, second.LastResult!.RunNumber);
        Assert.Equal(5, second.LastResult.RowsWritten);
        Assert.NotNull(second.LastWatermark);
        Assert.NotEqual(first.LastWatermark, second.LastWatermark);
    }

    /// <summary>Starts the recipe's host, waits for its run on start, and stops it (as a restart would).</summary>
    private async Task<PipelineStatus> RunWorkerOnceAsync(string[] args, string connectionString)
    {
        using var host = WorkerService.CreateHost(args, connectionString, Path.Combine(_folder, "lake"), Path.Combine(_folder, "state"));
        await host.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        PipelineStatus status;
        while ((status = WorkerService.Status(host)).SuccessfulRuns + status.FailedRuns == 0)
        {
            await Task.Delay(50, timeout.Token);
        }

        await host.StopAsync();
        return status;
    }

    private static async Task CreateOrdersAsync(string connectionString, int firstId, int count)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS orders (order_id INTEGER PRIMARY KEY, region TEXT NOT NULL, amount REAL NOT NULL, updated_at INTEGER NOT NULL)";
        await command.ExecuteNonQueryAsync();
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        for (var id = firstId; id < firstId + count; id++)
        {
            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"INSERT INTO orders VALUES ({id}, '{(id % 2 == 0 ? "eu" : "us")}', {id * 1.5}, {start + (id * 1000)})");
            await command.ExecuteNonQueryAsync();
        }
    }
}
