using DataEng.Core.Tests;
using Apache.Arrow;
using Apache.Arrow.Types;
using BenchmarkDotNet.Attributes;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// Source → 3 pass-through transforms → null sink: the runner's own cost, reported <b>per batch</b>
/// (<c>OperationsPerInvoke</c> = <see cref="Batches"/>, so time and allocation columns are per batch, the per-run
/// setup amortised over 1,000 batches). Two sources: <c>RunnerOnly</c> yields the same batch over managed memory
/// every time (disposing it is a no-op), so every allocated byte belongs to the runner; <c>InMemorySource</c> is the
/// library's source, which allocates a shared reference (<see cref="RecordBatchOwnership.Share"/>) per batch.
/// </summary>
[MemoryDiagnoser]
public class PipelinePassThroughBenchmarks
{
    public const int Batches = 1000;

    private Pipeline _runnerOnly = null!;
    private Pipeline _inMemory = null!;
    private RecordBatch[] _batches = [];

    [Params(1, 2)]
    public int MaxDegreeOfParallelism { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var schema = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false)).Build();
        var values = new long[1024];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i;
        }

        // Managed memory: no reference count, so the runner disposing the batch after each pass changes nothing.
        var managed = new RecordBatch(schema, [new Int64Array(new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray()), ArrowBuffer.Empty, values.Length, 0, 0)], values.Length);
        _runnerOnly = Build(new RepeatingSource(schema, managed, Batches));

        _batches = [.. Enumerable.Range(0, Batches).Select(_ => new RecordBatch(schema, [new Int64Array.Builder().AppendRange(values).Build()], values.Length))];
        _inMemory = Build(new InMemorySource(schema, _batches));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var batch in _batches)
        {
            batch.Dispose();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batches)]
    public Task<RunResult> RunnerOnly() => _runnerOnly.RunAsync();

    [Benchmark(OperationsPerInvoke = Batches)]
    public Task<RunResult> InMemorySource() => _inMemory.RunAsync();

    private Pipeline Build(ISource source) => Pipeline.Create("pass-through")
        .Extract(source)
        .Transform(new IdentityTransform())
        .Transform(new IdentityTransform())
        .Transform(new IdentityTransform())
        .Load(new NullSink())
        .Configure(o => o.MaxDegreeOfParallelism = MaxDegreeOfParallelism)
        .Build();
}
