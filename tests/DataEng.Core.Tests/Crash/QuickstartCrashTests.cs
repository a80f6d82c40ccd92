using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace DataEng.Core.Tests.Crash;

/// <summary>
/// The "done when": adding orders, killing the real quickstart's <c>run</c> at random moments many times and
/// running it to completion yields a lake that DuckDB reads with each order exactly once.
/// </summary>
[Collection(CrashCollection.Name)]
[Trait("Category", CrashCollection.Category)]
public class QuickstartCrashTests(ITestOutputHelper output)
{
    private const int Kills = 25;

    [Fact]
    public async Task Quickstart_RunKilledAtRandomMoments_LakeHoldsEveryOrderExactlyOnce()
    {
        var seed = CrashRig.SeedOr(4505);
        var random = new Random(seed);
        var root = Path.Combine(Path.GetTempPath(), "dataeng-crash-tests", Guid.NewGuid().ToString("N"));
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        var quickstart = ChildProcess.BuiltPath("QuickstartPath");
        var kills = 0;
        var killsInsideACommit = 0;
        var completed = 0;
        var round = 0;
        try
        {
            // A first run, never killed, creates the source (5,000 orders) and measures how long a run takes from
            // process start to exit on this machine now. Kills then fall between a quarter of that (the runtime
            // starting is not what is tested) and a little past its end; the estimate follows the runs.
            var (first, firstKilled) = await RunAndKillAfterAsync(quickstart, data, root, Timeout.InfiniteTimeSpan);
            Assert.False(firstKilled);
            var typicalMs = first.TotalMilliseconds;
            while (kills < Kills)
            {
                round++;
                var (code, _, error) = await RunToExitAsync(quickstart, ["add", "--data", data, "--orders", random.Next(300, 3000).ToString(CultureInfo.InvariantCulture), "--seed", round.ToString(CultureInfo.InvariantCulture)], root);
                Assert.True(code == 0, $"add failed ({code}): {error}");
                for (var attempt = 0; attempt < 3; attempt++)
                {
                    var delay = TimeSpan.FromMilliseconds(typicalMs * (0.25 + (random.NextDouble() * 0.9)));
                    var (elapsed, killed) = await RunAndKillAfterAsync(quickstart, data, root, delay);
                    if (!killed)
                    {
                        completed++;
                        typicalMs = (typicalMs + elapsed.TotalMilliseconds) / 2;
                        break;
                    }

                    typicalMs *= 1.05;

                    kills++;
                    if (Directory.Exists(Path.Combine(data, "lake", "_dataeng", "staging")) && Directory.EnumerateFileSystemEntries(Path.Combine(data, "lake", "_dataeng", "staging")).Any())
                    {
                        killsInsideACommit++;
                    }
                }
            }

            var (last, text, lastError) = await RunToExitAsync(quickstart, ["run", "--data", data], root);
            Assert.True(last == 0, $"the final run failed ({last}): {text} {lastError}");

            var expected = SourceIds(Path.Combine(data, "orders.db"));
            var lake = Path.Combine(data, "lake");
            var ids = Duck.Query($"SELECT order_id FROM {Duck.Glob(lake)} ORDER BY order_id").Select(static r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(expected, ids);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(lake, "_dataeng", "staging")));
            output.WriteLine($"seed {seed}: {kills} kills ({killsInsideACommit} left a commit unfinished), {completed + 2} completed runs, {round} rounds, {expected.Count} orders exactly once");
        }
        catch (Exception e) when (e is not CrashTestException)
        {
            throw new CrashTestException($"seed {seed} (replay with DATAENG_CRASH_SEED={seed}), round {round}, kill {kills}: {e.Message}", e);
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<(TimeSpan Elapsed, bool Killed)> RunAndKillAfterAsync(string quickstart, string data, string root, TimeSpan delay)
    {
        var clock = Stopwatch.StartNew();
        await using var child = ChildProcess.StartDotnet(quickstart, ["run", "--data", data], root);
        var exit = child.WaitForExitAsync();
        if (await Task.WhenAny(exit, Task.Delay(delay)) != exit)
        {
            child.Kill();
        }

        var code = await exit;
        if (code is not (0 or ChildProcess.KilledExitCode))
        {
            throw new CrashTestException($"run exited with {code}: {child.StandardError}");
        }

        return (clock.Elapsed, code == ChildProcess.KilledExitCode);
    }

    private static async Task<(int Code, string Output, string Error)> RunToExitAsync(string quickstart, IEnumerable<string> arguments, string root)
    {
        await using var child = ChildProcess.StartDotnet(quickstart, arguments, root);
        var output = new List<string>();
        while (await child.ReadLineAsync() is { } line)
        {
            output.Add(line);
        }

        return (await child.WaitForExitAsync(), string.Join('\n', output), child.StandardError);
    }

    private static List<long> SourceIds(string database)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT order_id FROM orders ORDER BY order_id";
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }
}
