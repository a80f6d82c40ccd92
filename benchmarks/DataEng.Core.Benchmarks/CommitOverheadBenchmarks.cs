using Apache.Arrow;
using BenchmarkDotNet.Attributes;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// The fixed cost of a run that moves little data (100 rows, every one of the 30 days): what the commit protocol
/// costs when there is nothing to amortise it over. Baseline: the same pipeline into <see cref="NullSink"/> (the
/// runner alone). Ours: a run into a new lake (creates the layout, first manifest) and a run appended to a lake that
/// already has one commit (the steady state of a scheduled incremental job) — each partitioned by <c>dt</c>, each
/// ending with the lake's two-phase commit (staging files fsynced, renamed, directories fsynced, manifest written
/// atomically). The lake is reset before every invocation, outside the measure.
/// </summary>
[MemoryDiagnoser]
public class CommitOverheadBenchmarks
{
    private const int Rows = 100;
    private RecordBatch _batch = null!;
    private ScratchDirectory _scratch = null!;
    private Pipeline _null = null!;
    private string _lake = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _batch = StandardDataset.GenerateBatch(0, 0, Rows);
        _scratch = new ScratchDirectory("commit");
        _lake = _scratch["lake"];
        _null = Pipeline.Create("tiny").Extract(new InMemorySource(StandardDataset.Schema, [_batch])).Load(new NullSink()).Build();
    }

    [IterationSetup(Target = nameof(Lake_FirstCommit))]
    public void ClearLake() => ScratchDirectory.Clear(_lake);

    [IterationSetup(Target = nameof(Lake_AppendCommit))]
    public void LakeWithOneCommit()
    {
        ScratchDirectory.Clear(_lake);
        Ours.WriteLakeAsync(_lake, [_batch], WriteSettings.Snappy).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        _scratch.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<RunResult> NullSink_Run() => _null.RunAsync();

    [Benchmark]
    public Task<RunResult> Lake_FirstCommit() => Ours.WriteLakeAsync(_lake, [_batch], WriteSettings.Snappy);

    [Benchmark]
    public Task<RunResult> Lake_AppendCommit() => Ours.WriteLakeAsync(_lake, [_batch], WriteSettings.Snappy);
}
