using BenchmarkDotNet.Attributes;
using DataEng.Core.Benchmarks.Data;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// Opening a lake (<see cref="LakeDataset.OpenAsync"/>: the whole log read and folded) as the log grows: 100, 10,000
/// and 100,000 versions, the last a year of 5-minute runs. Each version is one run replacing one of 50 partitions with
/// one file, so the snapshot stays at 50 files and only the log's length changes. With checkpoints (every 100
/// versions, the newest 50 versions back: the average tail) open reads one checkpoint and 50 manifests whatever the
/// length; without, it reads every manifest. The log is written in setup through the internal log writer (no data
/// files, no fsync), in seconds rather than the hours 100,000 real commits would take.
/// </summary>
[MemoryDiagnoser]
public class LakeOpenBenchmarks
{
    private const int Partitions = 50;
    private const int Interval = 100;
    private ScratchDirectory _scratch = null!;
    private string _root = string.Empty;

    /// <summary>Gets the logs measured: with checkpoints at every size; without, up to 10,000 versions (100,000 took
    /// 45–50 s per open, more than BenchmarkDotNet's in-process toolchain allows).</summary>
    public static IEnumerable<LogShape> Logs =>
    [
        new(100, true), new(10_000, true), new(100_000, true),
        new(100, false), new(10_000, false),
    ];

    /// <summary>Gets or sets the log measured.</summary>
    [ParamsSource(nameof(Logs))]
    public LogShape Log { get; set; } = new(100, true);

    private int Versions => Log.Versions;

    private bool Checkpoints => Log.Checkpoints;

    [GlobalSetup]
    public void Setup()
    {
        _scratch = new ScratchDirectory("open");
        _root = _scratch["lake"];
        var layout = new LakeLayout(_root);
        var table = new LakeTableSchema(StandardDataset.Schema, [PartitionSpec.Identity("customer_id")], keepPartitionColumns: false);
        var state = new LakeState();
        var live = new string?[Partitions];
        for (var version = 1L; version <= Versions; version++)
        {
            var partition = (int)(version % Partitions);
            var path = $"customer_id={partition}/part-load-{version:D6}-00000.parquet";
            var commit = new CommitRecord
            {
                Version = version,
                Operation = LakeOperation.Overwrite,
                Timestamp = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(5 * version),
                PipelineName = "load",
                RunNumber = version,
                RunId = "run-" + version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Properties = new Dictionary<string, string> { ["incremental.watermark"] = "ts:us:" + (version * 300_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture) },
                Schema = table,
                Added = [new DataFileRecord(path, [partition.ToString(System.Globalization.CultureInfo.InvariantCulture)], 1000, 40_000)],
                Removed = live[partition] is { } old ? [old] : [],
            };
            live[partition] = path;
            LakeLogWriter.AppendManifest(layout, commit);
            state.Apply(commit);
            if (Checkpoints && version % Interval == Interval / 2 && version + (Interval / 2) <= Versions)
            {
                LakeLogWriter.WriteCheckpoint(layout, state);
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _scratch.Dispose();

    [Benchmark]
    public async Task<long> Open() => (await LakeDataset.OpenAsync(_root).ConfigureAwait(false)).Version;
}

/// <summary>A log of <see cref="Versions"/> versions, with or without checkpoints.</summary>
/// <param name="Versions">The number of versions.</param>
/// <param name="Checkpoints">Whether the log is checkpointed every 100 versions.</param>
public sealed record LogShape(int Versions, bool Checkpoints)
{
    /// <inheritdoc />
    public override string ToString() => $"{Versions:N0} {(Checkpoints ? "checkpointed" : "no checkpoints")}";
}
