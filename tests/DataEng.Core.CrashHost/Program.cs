using System.Diagnostics;
using System.Globalization;
using DataEng.Core.CrashHost;
using Microsoft.Data.Sqlite;

// The child process of the crash tests. It runs the incremental pipeline "crash" from a SQLite table prepared by the
// test (orders: order_id INTEGER PRIMARY KEY, updated_at INTEGER, created_at DATETIME, amount REAL) into a lake
// partitioned by day, and kills itself with SIGKILL at a named fault point when told to.
//
//   dotnet DataEng.Core.CrashHost.dll --db FILE --lake DIR [--store DIR] [--page-size N] [--lookback N] [--once [POINT K]]
//
// Without --once it prints "ready" and reads commands from standard input, one per line:
//   run             runs once; prints "done <run> <rows> <watermark> <previous run>" or "error <type> <message>"
//   run POINT K     the same, but SIGKILLs itself at the K-th occurrence of POINT in this run (a LakeCommitStep name,
//                   or BeforeStoreWrite / AfterStoreWrite of the --store checkpoint store)
//   hold POINT      the same, but at the first POINT prints "held POINT" and blocks for good (the run keeps its
//                   lake lock and staging folder) until the parent kills it
//   quit            exits 0
// With --once it runs once (optionally armed) and exits 0 after the commit, 1 on an error (printed), 2 on bad usage.
//
//   dotnet DataEng.Core.CrashHost.dll lifecycle vacuum|drop LAKE [POINT K]
//
// runs one vacuum (keep the last 2 versions, no grace) or one partition drop (ts_day partitions ending by 2024-03-16)
// of the lake, SIGKILLed at the K-th POINT when given; prints "done" and exits 0.
if (args.Length >= 3 && args[0] == "lifecycle")
{
    return await Lifecycle.RunAsync(args);
}

HostOptions options;
try
{
    options = HostOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var kill = new KillSwitch();
var host = new CrashPipeline(options, kill);
if (options.Once)
{
    if (options.OnceFault is { } fault)
    {
        kill.Arm(fault.Point, fault.Occurrence);
    }

    var line = await host.RunOnceAsync();
    Console.WriteLine(line);
    return line.StartsWith("done", StringComparison.Ordinal) ? 0 : 1;
}

Console.WriteLine("ready");
while (Console.ReadLine() is { } command)
{
    var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (parts.Length == 0)
    {
        continue;
    }

    switch (parts[0])
    {
        case "quit":
            return 0;
        case "run" when parts.Length == 1:
            kill.Disarm();
            Console.WriteLine(await host.RunOnceAsync());
            break;
        case "hold" when parts.Length == 2 && FaultPoints.IsKnown(parts[1]):
            kill.Hold(parts[1]);
            Console.WriteLine(await host.RunOnceAsync());
            break;
        case "run" when parts.Length == 3 && FaultPoints.IsKnown(parts[1]) && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k > 0:
            kill.Arm(parts[1], k);
            Console.WriteLine(await host.RunOnceAsync());
            break;
        default:
            Console.WriteLine($"error usage unknown command '{command}'");
            break;
    }
}

return 0;

namespace DataEng.Core.CrashHost
{
    /// <summary>The fault points: the lake's commit steps and the external store's write.</summary>
    internal static class FaultPoints
    {
        public const string BeforeStoreWrite = nameof(BeforeStoreWrite);
        public const string AfterStoreWrite = nameof(AfterStoreWrite);

        public static bool IsKnown(string name) => name is BeforeStoreWrite or AfterStoreWrite || Enum.TryParse<LakeCommitStep>(name, ignoreCase: false, out _);
    }

    /// <summary>Kills this process with SIGKILL at the k-th occurrence of an armed fault point.</summary>
    internal sealed class KillSwitch
    {
        private string? _point;
        private int _remaining;
        private bool _hold;

        public void Arm(string point, int occurrence)
        {
            _remaining = occurrence;
            _hold = false;
            Volatile.Write(ref _point, point);
        }

        /// <summary>At the first <paramref name="point"/>, says so and blocks the run for good instead of dying.</summary>
        public void Hold(string point)
        {
            _remaining = 1;
            _hold = true;
            Volatile.Write(ref _point, point);
        }

        public void Disarm() => Volatile.Write(ref _point, null);

        public void Hit(string point)
        {
            if (!string.Equals(Volatile.Read(ref _point), point, StringComparison.Ordinal) || Interlocked.Decrement(ref _remaining) != 0)
            {
                return;
            }

            if (_hold)
            {
                Console.WriteLine($"held {point}");
                new ManualResetEventSlim(false).Wait();
            }

            // SIGKILL: no finally block, no flush of anything but what is already written, no managed shutdown.
            using var self = Process.GetCurrentProcess();
            self.Kill();
            // The signal is asynchronous: block this thread until it lands, so no later step can run.
            new ManualResetEventSlim(false).Wait();
        }
    }

    /// <summary>A checkpoint store that reports the fault points around its writes.</summary>
    internal sealed class ObservedStore(ICheckpointStore inner, KillSwitch kill) : ICheckpointStore
    {
        public string Name => inner.Name;

        public ValueTask<CheckpointLease> AcquireLeaseAsync(string pipelineName, CancellationToken cancellationToken = default) => inner.AcquireLeaseAsync(pipelineName, cancellationToken);

        public ValueTask<CommittedRun?> ReadAsync(string pipelineName, CancellationToken cancellationToken = default) => inner.ReadAsync(pipelineName, cancellationToken);

        public async ValueTask WriteAsync(CheckpointLease lease, CommittedRun run, CancellationToken cancellationToken = default)
        {
            kill.Hit(FaultPoints.BeforeStoreWrite);
            await inner.WriteAsync(lease, run, cancellationToken);
            kill.Hit(FaultPoints.AfterStoreWrite);
        }
    }

    /// <summary>The pipeline under test, built once per process and run many times.</summary>
    internal sealed class CrashPipeline
    {
        public const string Name = "crash";
        private readonly Pipeline _pipeline;
        private readonly IncrementalRunOptions _runOptions;

        public CrashPipeline(HostOptions options, KillSwitch kill)
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = options.Database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
            var lake = new LakeWriteOptions
            {
                CommitObserver = step => kill.Hit(step.ToString()),

                // Every third version checkpoints the log, so the kills land in checkpoint writes too.
                CheckpointInterval = 3,
                MaxRowsPerFile = options.MaxRowsPerFile,
                RowGroupSize = 1024,
                MaxDegreeOfParallelism = 2,
            };
            lake.PartitionBy.Add(PartitionSpec.Day("created_at").As("day"));
            _pipeline = Pipeline.Create(Name)
                .Extract(Sql.Incremental(
                    () => new SqliteConnection(connectionString),
                    "orders",
                    new IncrementalOptions { CursorColumn = "updated_at", KeyColumns = ["order_id"], PageSize = options.PageSize, NumericLookback = options.Lookback }))
                .Load(Lake.Write(options.Lake, lake))
                .Build();
            _runOptions = new IncrementalRunOptions
            {
                CheckpointStore = options.Store is null ? null : new ObservedStore(new FileCheckpointStore(options.Store), kill),
            };
        }

        public async Task<string> RunOnceAsync()
        {
            try
            {
                var result = await _pipeline.RunIncrementalAsync(_runOptions);
                return string.Create(CultureInfo.InvariantCulture, $"done {result.Run.RunNumber} {result.Run.RowsWritten} {result.Watermark ?? "-"} {result.Previous?.RunNumber ?? 0}");
            }
            catch (Exception e) when (e is DataEngException or IOException or InvalidOperationException or SqliteException or UnauthorizedAccessException)
            {
                var message = e.ToString().ReplaceLineEndings(" | ");
                return $"error {e.GetType().Name} {message}";
            }
        }
    }

    /// <summary>Retention operations on a lake the test built (vacuum, partition drop), killed at a commit step.</summary>
    internal static class Lifecycle
    {
        public static async Task<int> RunAsync(string[] args)
        {
            var kill = new KillSwitch();
            if (args.Length == 5)
            {
                kill.Arm(args[3], int.Parse(args[4], CultureInfo.InvariantCulture));
            }

            var lake = await LakeDataset.OpenAsync(args[2]);
            if (args[1] == "vacuum")
            {
                await lake.VacuumAsync(new LakeVacuumOptions { KeepLastVersions = 2, KeepNewerThan = null, GracePeriod = TimeSpan.Zero, CommitObserver = step => kill.Hit(step.ToString()) });
            }
            else
            {
                var cutoff = new DateTimeOffset(2024, 3, 16, 0, 0, 0, TimeSpan.Zero);
                await lake.DropPartitionsAsync(new LakeDropPartitionsOptions { PartitionColumn = "ts_day", OlderThan = TimeProvider.System.GetUtcNow() - cutoff, CommitObserver = step => kill.Hit(step.ToString()) });
            }

            Console.WriteLine("done");
            return 0;
        }
    }

    /// <summary>The command line.</summary>
    internal sealed class HostOptions
    {
        public required string Database { get; init; }

        public required string Lake { get; init; }

        public string? Store { get; init; }

        public int PageSize { get; init; } = 500;

        public decimal Lookback { get; init; } = 100;

        public long? MaxRowsPerFile { get; init; }

        public bool Once { get; init; }

        public (string Point, int Occurrence)? OnceFault { get; init; }

        public static HostOptions Parse(string[] args)
        {
            string? db = null, lake = null, store = null;
            int pageSize = 500;
            decimal lookback = 100;
            long? maxRows = null;
            var once = false;
            (string, int)? fault = null;
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--db": db = Next(); break;
                    case "--lake": lake = Next(); break;
                    case "--store": store = Next(); break;
                    case "--page-size": pageSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--lookback": lookback = decimal.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--max-rows-per-file": maxRows = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--once":
                        once = true;
                        if (i + 2 < args.Length && FaultPoints.IsKnown(args[i + 1]))
                        {
                            fault = (args[i + 1], int.Parse(args[i + 2], CultureInfo.InvariantCulture));
                            i += 2;
                        }

                        break;
                    default: throw new FormatException($"Unknown argument '{args[i]}'.");
                }
            }

            return new HostOptions
            {
                Database = db ?? throw new FormatException("--db is required."),
                Lake = lake ?? throw new FormatException("--lake is required."),
                Store = store,
                PageSize = pageSize,
                Lookback = lookback,
                MaxRowsPerFile = maxRows,
                Once = once,
                OnceFault = fault,
            };
        }
    }
}
