using Apache.Arrow;
using Apache.Arrow.Types;
using BenchmarkDotNet.Attributes;

namespace DataEng.Core.Benchmarks;

/// <summary>Source → 3 pass-through transforms → null sink: the runner's own cost per batch.</summary>
[MemoryDiagnoser]
public class PipelinePassThroughBenchmarks
{
    private Pipeline _pipeline = null!;
    private RecordBatch[] _batches = [];

    [Params(100)]
    public int Batches { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var schema = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default)).Build();
        _batches = Enumerable.Range(0, Batches)
            .Select(i => new RecordBatch(schema, [new Int64Array.Builder().AppendRange(Enumerable.Range(0, 1024).Select(x => (long)x)).Build()], 1024))
            .ToArray();
        _pipeline = Pipeline.Create("pass-through")
            .Extract(new InMemorySource(schema, _batches))
            .Transform(new Identity())
            .Transform(new Identity())
            .Transform(new Identity())
            .Load(new NullSink())
            .Configure(o => o.MaxDegreeOfParallelism = 1)
            .Build();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var batch in _batches)
        {
            batch.Dispose();
        }
    }

    [Benchmark]
    public Task<RunResult> Run() => _pipeline.RunAsync();

    private sealed class Identity : IBatchTransform
    {
        public string Name => "identity";

        public Schema GetOutputSchema(Schema input) => input;

        public RecordBatch Apply(RecordBatch input, RunContext context) => input;
    }
}
