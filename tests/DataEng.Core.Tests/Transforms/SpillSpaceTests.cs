using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.Transforms;

public sealed class SpillSpaceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "spill-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void SpillFile_RoundTripsBatches_CountsBytesPerStage_AndDisposeRemovesEverything()
    {
        var schema = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default)).Field(f => f.Name("s").DataType(StringType.Default)).Build();
        var allocator = new CountingMemoryAllocator();
        var space = SpillSpace.Create(_root, "run-1", NullLogger.Instance, TimeProvider.System);
        SpillFile file;
        using (var writer = space.CreateWriter("sort orders", schema))
        {
            for (var b = 0; b < 3; b++)
            {
                using var batch = Batch(schema, b * 10, 10);
                writer.Write(batch);
            }

            file = writer.Complete();
        }

        Assert.Equal(30, file.Rows);
        Assert.Equal(new FileInfo(file.Path).Length, file.Bytes);
        Assert.Equal(file.Bytes, space.BytesSpilled("sort orders"));
        Assert.Equal(0, space.BytesSpilled("other"));
        var ids = new List<long>();
        foreach (var batch in file.Read(allocator))
        {
            using (batch)
            {
                ids.AddRange(((Int64Array)batch.Column(0)).Values.ToArray());
                Assert.Equal("v" + ids[^1], ((StringArray)batch.Column(1)).GetString(batch.Length - 1));
            }
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(static i => (long)i), ids);
        Assert.Equal(0, allocator.LiveAllocations);
        file.Dispose();
        Assert.False(File.Exists(file.Path));
        space.Dispose();
        Assert.False(Directory.Exists(space.Directory));
    }

    [Fact]
    public void UncompletedWriter_Disposed_DeletesItsFile()
    {
        var schema = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default)).Field(f => f.Name("s").DataType(StringType.Default)).Build();
        using var space = SpillSpace.Create(_root, "run-1", NullLogger.Instance, TimeProvider.System);
        using (var writer = space.CreateWriter("agg", schema))
        {
            using var batch = Batch(schema, 0, 5);
            writer.Write(batch);
        }

        Assert.Equal([SpillSpace.LockFileName], Directory.GetFiles(space.Directory).Select(Path.GetFileName));
        Assert.Equal(0, space.BytesSpilled("agg"));
    }

    [Fact]
    public void RemoveLeftovers_RemovesFoldersWhoseLockIsFree_AndKeepsLiveAndYoungOnes()
    {
        using var live = SpillSpace.Create(_root, "live", NullLogger.Instance, TimeProvider.System);
        var dead = Path.Combine(_root, SpillSpace.FolderPrefix + "999999-dead");
        Directory.CreateDirectory(dead);
        File.WriteAllText(Path.Combine(dead, SpillSpace.LockFileName), "dead");
        File.WriteAllText(Path.Combine(dead, "sort-000001.arrows"), "partial");
        var young = Path.Combine(_root, SpillSpace.FolderPrefix + "999998-starting");
        Directory.CreateDirectory(young);
        var unrelated = Path.Combine(_root, "not-a-spill-folder");
        Directory.CreateDirectory(unrelated);

        var removed = SpillSpace.RemoveLeftovers(_root, NullLogger.Instance, TimeProvider.System);

        Assert.Equal(1, removed);
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(live.Directory));
        Assert.True(Directory.Exists(young));
        Assert.True(Directory.Exists(unrelated));

        var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TimeProvider.System.GetUtcNow().AddHours(1));
        Assert.Equal(1, SpillSpace.RemoveLeftovers(_root, NullLogger.Instance, later));
        Assert.False(Directory.Exists(young));
        Assert.True(Directory.Exists(live.Directory));
    }

    [Fact]
    public async Task PipelineRun_RemovesItsSpillFolder_AndReportsBytesSpilledPerStage()
    {
        var schema = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default)).Field(f => f.Name("s").DataType(StringType.Default)).Build();
        var source = new InMemorySource(schema, [Batch(schema, 0, 4), Batch(schema, 4, 4)]);
        using var sink = new CollectingSink();
        var pipeline = Pipeline.Create("spill")
            .Extract(source)
            .Transform(new SpillingPassThrough())
            .Load(sink)
            .Configure(o => { o.SpillDirectory = _root; o.MemoryBudget = 64 * 1024; })
            .Build();

        var result = await pipeline.RunAsync();

        Assert.Equal(8, sink.RowCount);
        Assert.True(result.Stages[1].BytesSpilled > 0);
        Assert.Equal(0, result.Stages[0].BytesSpilled);
        Assert.Empty(Directory.GetDirectories(_root));
    }

    [Fact]
    public void PipelineOptions_TinyBudgetAndBlankSpillFolder_AreListed()
    {
        var problems = new PipelineOptions { MemoryBudget = 10, SpillDirectory = " " }.Validate();

        Assert.Equal(2, problems.Count);
    }

    private static RecordBatch Batch(Schema schema, long first, int count)
    {
        var ids = new Int64Array.Builder();
        var strings = new StringArray.Builder();
        for (var i = 0; i < count; i++)
        {
            ids.Append(first + i);
            strings.Append("v" + (first + i));
        }

        return new RecordBatch(schema, [ids.Build(), strings.Build()], count);
    }

    /// <summary>Spills every batch and yields it back from the file: exercises the run's spill space end to end.</summary>
    private sealed class SpillingPassThrough : IStreamTransform
    {
        public string Name => "spill-through";

        public Schema GetOutputSchema(Schema input) => input;

        public async IAsyncEnumerable<RecordBatch> ApplyAsync(IAsyncEnumerable<RecordBatch> input, RunContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Assert.Equal(64 * 1024, context.MemoryBudget);
            SpillFile? file = null;
            SpillWriter? writer = null;
            try
            {
                await foreach (var batch in input.WithCancellation(cancellationToken))
                {
                    using (batch)
                    {
                        writer ??= context.Spill.CreateWriter(Name, batch.Schema);
                        writer.Write(batch);
                    }
                }

                if (writer is null)
                {
                    yield break;
                }

                file = writer.Complete();
                foreach (var batch in file.Read(context.Allocator))
                {
                    yield return batch;
                }
            }
            finally
            {
                writer?.Dispose();
                file?.Dispose();
            }
        }
    }
}
