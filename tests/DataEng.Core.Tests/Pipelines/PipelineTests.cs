using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Pipelines;

public class PipelineTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task RunAsync_BatchTransformsInParallel_KeepBatchOrder(int parallelism)
    {
        var allocator = new CountingMemoryAllocator();
        using var sink = new CollectingSink();
        var pipeline = Pipeline.Create("order")
            .Extract(new SequenceSource(40, 100, allocator))
            .Transform(new AddThousand(allocator))
            .Transform(new AddThousand(allocator))
            .Load(sink)
            .Configure(o => o.MaxDegreeOfParallelism = parallelism)
            .Build();

        var result = await pipeline.RunAsync();

        Assert.Equal(Enumerable.Range(0, 4000).Select(i => (long)i), TestData.Ids(sink.Batches));
        Assert.Equal(4000, result.RowsRead);
        Assert.Equal(4000, result.RowsWritten);
        Assert.Equal(4, result.Stages.Count);
        Assert.All(result.Stages, s => Assert.Equal(40, s.Batches));
        var amounts = (DoubleArray)sink.Batches[0].Column(1);
        Assert.Null(amounts.GetValue(0));
        Assert.Equal(1 * 1.5 + 2000, amounts.GetValue(1));
        sink.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task RunAsync_SlowFirstBatch_StillComesOutFirst()
    {
        var firstMayFinish = new ManualResetEventSlim();
        var transform = new AddThousand(onApply: b =>
        {
            var first = ((Int64Array)b.Column(0)).GetValue(0);
            if (first == 0)
            {
                Assert.True(firstMayFinish.Wait(TimeSpan.FromSeconds(30)));
            }
            else
            {
                firstMayFinish.Set();
            }
        });
        var sink = new RecordingSink();
        var pipeline = Pipeline.Create("slow-first").Extract(new SequenceSource(6, 10)).Transform(transform).Load(sink)
            .Configure(o => o.MaxDegreeOfParallelism = 3).Build();

        await pipeline.RunAsync();

        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), sink.Ids);
    }

    [Fact]
    public async Task RunAsync_StreamTransform_MergesBatchesAndKeepsRows()
    {
        var allocator = new CountingMemoryAllocator();
        using var sink = new CollectingSink();
        var pipeline = Pipeline.Create("stream")
            .Extract(new SequenceSource(5, 10, allocator))
            .Transform(new PairUp(allocator))
            .Transform(new AddThousand(allocator))
            .Load(sink)
            .Build();

        var result = await pipeline.RunAsync();

        Assert.Equal(3, sink.Batches.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), TestData.Ids(sink.Batches));
        Assert.Equal(StageKind.StreamTransform, result.Stages[1].Kind);
        Assert.Equal(3, result.Stages[1].Batches);
        sink.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task RunAsync_TransformThrowsMidRun_OneExceptionNamesStageAndRun_NoBatchLeaks(int parallelism)
    {
        var allocator = new CountingMemoryAllocator();
        var sink = new RecordingSink();
        var pipeline = Pipeline.Create("failing")
            .Extract(new SequenceSource(50, 100, allocator))
            .Transform(new AddThousand(allocator, failWhen: b => ((Int64Array)b.Column(0)).GetValue(0) == 2000))
            .Transform(new PairUp(allocator))
            .Load(sink)
            .Configure(o => o.MaxDegreeOfParallelism = parallelism)
            .Build();

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync(new RunOptions { RunNumber = 7 }, CancellationToken.None));

        Assert.Equal("add-thousand", error.StageName);
        Assert.Equal("failing", error.PipelineName);
        Assert.Equal(7, error.RunNumber);
        Assert.IsType<FormatException>(error.InnerException);
        Assert.Contains("add-thousand", error.Message);
        Assert.Contains("run 7", error.Message);
        Assert.Contains("abort", sink.Calls);
        Assert.DoesNotContain("commit", sink.Calls);
        Assert.Equal("dispose", sink.Calls[^1]);
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Theory]
    [InlineData("write")]
    [InlineData("prepare")]
    [InlineData("open")]
    public async Task RunAsync_SinkFails_AbortsAndWrapsOnce_NoBatchLeaks(string failOn)
    {
        var allocator = new CountingMemoryAllocator();
        var sink = new RecordingSink(failOn);
        var pipeline = Pipeline.Create("sink-fails").Extract(new SequenceSource(20, 10, allocator)).Transform(new AddThousand(allocator)).Load(sink).Build();

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        Assert.Equal("recording", error.StageName);
        Assert.IsType<IOException>(error.InnerException);
        Assert.DoesNotContain("commit", sink.Calls);
        if (failOn != "open")
        {
            Assert.Contains("abort", sink.Calls);
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task RunAsync_SourceFails_WrapsWithSourceName()
    {
        var allocator = new CountingMemoryAllocator();
        var pipeline = Pipeline.Create("source-fails").Extract(new SequenceSource(20, 10, allocator, failAfter: 5)).Load(new RecordingSink()).Build();

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        Assert.Equal("sequence", error.StageName);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task RunAsync_CancelledMidStream_ThrowsCancellation_AbortsAndLeaksNothing()
    {
        var allocator = new CountingMemoryAllocator();
        using var cts = new CancellationTokenSource();
        var seen = 0;
        var sink = new RecordingSink();
        var pipeline = Pipeline.Create("cancelled")
            .Extract(new SequenceSource(1000, 10, allocator))
            .Transform(new AddThousand(allocator, onApply: _ =>
            {
                if (Interlocked.Increment(ref seen) == 10)
                {
                    cts.Cancel();
                }
            }))
            .Load(sink)
            .Build();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(cts.Token));

        Assert.Contains("abort", sink.Calls);
        Assert.DoesNotContain("commit", sink.Calls);
        Assert.True(sink.Ids.Count < 10000);
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task RunAsync_Backpressure_SourceDoesNotRunAheadOfChannelCapacity()
    {
        var source = new SequenceSource(100, 1);
        var gate = new SemaphoreSlim(0);
        var maxAhead = 0;
        var transform = new AddThousand(onApply: b =>
        {
            maxAhead = Math.Max(maxAhead, source.Yielded - (int)((Int64Array)b.Column(0)).GetValue(0)!.Value);
        });
        var pipeline = Pipeline.Create("backpressure").Extract(source).Transform(transform).Load(new NullSink())
            .Configure(o =>
            {
                o.ChannelCapacity = 2;
                o.MaxDegreeOfParallelism = 1;
            })
            .Build();

        await pipeline.RunAsync();

        // capacity 2 in the channel + 1 being written + 1 being applied
        Assert.InRange(maxAhead, 1, 4);
    }

    [Fact]
    public void Build_ReportsEveryProblemAtOnce()
    {
        var builder = Pipeline.Create("broken")
            .Configure(o =>
            {
                o.ChannelCapacity = 0;
                o.MaxDegreeOfParallelism = 0;
            });

        var error = Assert.Throws<PipelineValidationException>(() => builder.Build());

        Assert.Equal(4, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.Contains("ChannelCapacity"));
        Assert.Contains(error.Problems, p => p.Contains("MaxDegreeOfParallelism"));
        Assert.Contains(error.Problems, p => p.Contains("No source"));
        Assert.Contains(error.Problems, p => p.Contains("No sink"));
    }

    [Fact]
    public void Build_SchemaProblemsOfAStage_AreListedWithStageName()
    {
        var builder = Pipeline.Create("schema")
            .Extract(new SequenceSource(1, 1))
            .Transform(new RequiresColumns("needs", "missing_a", "missing_b"))
            .Load(new NullSink());

        var error = Assert.Throws<PipelineValidationException>(() => builder.Build());

        Assert.Equal(2, error.Problems.Count);
        Assert.All(error.Problems, p => Assert.StartsWith("needs: ", p));
    }

    [Fact]
    public void Builder_AfterBuild_Throws()
    {
        var builder = Pipeline.Create("frozen").Extract(new SequenceSource(1, 1)).Load(new NullSink());
        builder.Build();

        Assert.Throws<InvalidOperationException>(() => builder.Transform(new AddThousand()));
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public async Task Pipeline_IsReusable_EachRunIndependent_WithIncreasingRunNumbers()
    {
        using var sink = new CollectingSink();
        var pipeline = Pipeline.Create("reuse").Extract(new SequenceSource(3, 10)).Load(sink).Build();

        var first = await pipeline.RunAsync();
        var second = await pipeline.RunAsync();

        Assert.Equal(1, first.RunNumber);
        Assert.Equal(2, second.RunNumber);
        Assert.NotEqual(first.RunId, second.RunId);
        Assert.Equal(60, sink.RowCount);
    }

    [Fact]
    public async Task RunAsync_ReportsProgress_AtTheEndAtLeast()
    {
        var reports = new List<RunProgress>();
        var pipeline = Pipeline.Create("progress").Extract(new SequenceSource(10, 10)).Load(new NullSink()).Build();

        await pipeline.RunAsync(new RunOptions { Progress = new SyncProgress<RunProgress>(reports.Add) }, CancellationToken.None);

        Assert.NotEmpty(reports);
        Assert.Equal(100, reports[^1].RowsWritten);
        Assert.Equal(100, reports[^1].RowsRead);
        Assert.True(reports[^1].BytesWritten > 0);
    }

    [Fact]
    public async Task RunAsync_CommitPropertiesReachTheSink()
    {
        using var sink = new CollectingSink();
        var options = new RunOptions();
        options.CommitProperties["watermark"] = "42";
        var pipeline = Pipeline.Create("props").Extract(new SequenceSource(1, 1)).Load(sink).Build();

        await pipeline.RunAsync(options, CancellationToken.None);

        Assert.Equal("42", sink.Commits.Single().Properties["watermark"]);
    }

    [Fact]
    public async Task RunAsync_SourceYieldingAnotherSchema_FailsClearly()
    {
        var other = new Schema.Builder().Field(f => f.Name("x").DataType(StringType.Default)).Build();
        var source = new LyingSource(other);
        var pipeline = Pipeline.Create("liar").Extract(source).Load(new NullSink()).Build();

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        Assert.IsType<SchemaMismatchException>(error.InnerException);
        Assert.Contains("declared", error.Message);
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class RequiresColumns(string name, params string[] columns) : IBatchTransform
    {
        public string Name => name;

        public Schema GetOutputSchema(Schema input)
        {
            var problems = columns.Where(c => input.GetFieldIndex(c) < 0).Select(c => $"column '{c}' not found").ToList();
            SchemaMismatchException.ThrowIfAny($"Transform '{name}' does not fit its input.", problems);
            return input;
        }

        public RecordBatch Apply(RecordBatch input, RunContext context) => input;
    }

    private sealed class LyingSource(Schema actual) : ISource
    {
        public string Name => "liar";

        public Schema Schema => TestData.Schema;

        public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return new RecordBatch(actual, [new StringArray.Builder().Append("a").Build()], 1);
        }
    }
}
