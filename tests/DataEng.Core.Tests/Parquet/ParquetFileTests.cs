using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Parquet;

public sealed class ParquetFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dataeng-pqf-" + Guid.NewGuid().ToString("N"));

    public ParquetFileTests()
    {
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static SinkCommit Commit(RunContext context) => new(context.PipelineName, context.RunNumber, context.RunId, new Dictionary<string, string> { ["watermark"] = "2024-01-01" });

    [Fact]
    public async Task Write_TwoPhase_TargetAppearsOnlyAtCommit()
    {
        var path = PathOf("out/orders.parquet");
        var sink = ParquetFile.Write(path);
        var context = RunContext.CreateStandalone("orders");
        using var batch = ParquetTestData.AllTypesBatch();

        await using (var writer = await sink.OpenAsync(batch.Schema, context))
        {
            await writer.WriteAsync(batch);
            var staging = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
            Assert.Equal($".orders.parquet.{context.RunId}.inprogress", Path.GetFileName(staging));
            Assert.False(staging.EndsWith(".parquet", StringComparison.Ordinal));

            await writer.PrepareAsync(Commit(context));
            Assert.False(File.Exists(path), "prepared data must not be visible");

            await writer.CommitAsync();
            Assert.True(File.Exists(path));
            Assert.Equal(["orders.parquet"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));

            await writer.CommitAsync();
        }

        Assert.True(File.Exists(path));
        Assert.Equal((long)ParquetTestData.Rows, Duck.Query($"SELECT count(*) FROM '{path}'")[0][0]);
    }

    [Fact]
    public async Task Write_Abort_DeletesStagingFileAndLeavesNoTarget()
    {
        var path = PathOf("aborted.parquet");
        var context = RunContext.CreateStandalone();
        using var batch = ParquetTestData.AllTypesBatch();
        var writer = await ParquetFile.Write(path).OpenAsync(batch.Schema, context);
        await writer.WriteAsync(batch);

        await writer.AbortAsync();
        await writer.AbortAsync();
        await writer.DisposeAsync();

        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Write_DisposedWithoutCommit_DeletesPreparedStagingFile()
    {
        var path = PathOf("prepared.parquet");
        var context = RunContext.CreateStandalone();
        using var batch = ParquetTestData.AllTypesBatch();
        await using (var writer = await ParquetFile.Write(path).OpenAsync(batch.Schema, context))
        {
            await writer.WriteAsync(batch);
            await writer.PrepareAsync(Commit(context));
        }

        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Write_CommitBeforePrepare_Throws()
    {
        var context = RunContext.CreateStandalone();
        await using var writer = await ParquetFile.Write(PathOf("x.parquet")).OpenAsync(ParquetTestData.AllTypes, context);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.CommitAsync());
    }

    [Fact]
    public async Task Write_ExistingTarget_IsReplacedAtomically()
    {
        var path = PathOf("replace.parquet");
        await File.WriteAllTextAsync(path, "old");
        var context = RunContext.CreateStandalone();
        using var batch = ParquetTestData.AllTypesBatch();
        await using (var writer = await ParquetFile.Write(path).OpenAsync(batch.Schema, context))
        {
            await writer.WriteAsync(batch);
            await writer.PrepareAsync(Commit(context));
            Assert.Equal("old", await File.ReadAllTextAsync(path));
            await writer.CommitAsync();
        }

        Assert.Equal((long)ParquetTestData.Rows, Duck.Query($"SELECT count(*) FROM '{path}'")[0][0]);
    }

    [Fact]
    public async Task Write_RunMetadata_IsInTheFooter()
    {
        var path = PathOf("meta.parquet");
        using var batch = ParquetTestData.AllTypesBatch();
        var source = new InMemorySource(batch.Schema, [batch]);
        var pipeline = Pipeline.Create("meta-pipeline").Extract(source).Load(ParquetFile.Write(path)).Build();
        var options = new RunOptions { RunNumber = 7, RunId = "run-7" };
        options.CommitProperties["watermark"] = "w1";

        await pipeline.RunAsync(options, default);

        var metadata = Duck.Query($"SELECT decode(key), decode(value) FROM parquet_kv_metadata('{path}')").ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal("meta-pipeline", metadata["dataeng.pipeline"]);
        Assert.Equal("7", metadata["dataeng.run_number"]);
        Assert.Equal("run-7", metadata["dataeng.run_id"]);
        Assert.Equal("w1", metadata["dataeng.commit.watermark"]);
    }

    [Fact]
    public void Write_UnsupportedSchema_FailsAtBuildListingEveryColumn()
    {
        var schema = new Schema.Builder()
            .Field(f => f.Name("a").DataType(new Time32Type(TimeUnit.Millisecond)))
            .Field(f => f.Name("b").DataType(new ListType(Int32Type.Default)))
            .Build();
        var source = new InMemorySource(schema, []);

        var e = Assert.Throws<PipelineValidationException>(() => Pipeline.Create("bad").Extract(source).Load(ParquetFile.Write(PathOf("bad.parquet"))).Build());

        Assert.Equal(2, e.Problems.Count);
    }

    [Fact]
    public void Write_InvalidOptions_ListsEveryProblem()
    {
        var e = Assert.Throws<DataEngValidationException>(() => ParquetFile.Write(PathOf("x.parquet"), new ParquetWriteOptions { RowGroupSize = 0, Compression = (ParquetCompression)99 }));

        Assert.Contains("RowGroupSize", e.Message, StringComparison.Ordinal);
        Assert.Contains("Compression", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipelineRoundTrip_WriteThenRead_SameValuesAndNoLeaks()
    {
        var allocator = new CountingMemoryAllocator();
        var path = PathOf("roundtrip.parquet");
        using var batch = ParquetTestData.AllTypesBatch(rows: 30);
        await Pipeline.Create("write").Extract(new InMemorySource(batch.Schema, [batch])).Load(ParquetFile.Write(path, new ParquetWriteOptions { RowGroupSize = 8 })).Build().RunAsync();

        using var sink = new CollectingSink();
        var pipeline = Pipeline.Create("read").Extract(ParquetFile.Read(path, options: new ParquetReadOptions { Allocator = allocator })).Load(sink).Build();
        var result = await pipeline.RunAsync();

        Assert.Equal(30, result.RowsWritten);
        Assert.Empty(SchemaComparer.Differences(batch.Schema, pipeline.Source.Schema, compareNullability: true));
        ArrowValues.AssertBatchesEqual([batch], sink.Batches);
        sink.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task Read_UsesTheRunAllocatorByDefault()
    {
        var path = await ParquetTestData.WriteFileAsync(PathOf("ctx.parquet"), [ParquetTestData.AllTypesBatch()], ParquetTestData.AllTypes);
        var allocator = new CountingMemoryAllocator();
        var context = new RunContext("p", 1, "r", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System, default) { Allocator = allocator };

        await foreach (var batch in ParquetFile.Read(path).ReadAsync(context))
        {
            Assert.True(allocator.LiveAllocations > 0);
            batch.Dispose();
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task Read_Projection_SchemaAndBatchesHaveOnlyTheColumns()
    {
        var path = await ParquetTestData.WriteFileAsync(PathOf("proj.parquet"), [ParquetTestData.AllTypesBatch()], ParquetTestData.AllTypes);
        var source = ParquetFile.Read(path, new ParquetReadOptions { Columns = ["tz_us", "i32"] });

        Assert.Equal(["tz_us", "i32"], source.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal("Europe/Paris", ((TimestampType)source.Schema.FieldsList[0].DataType).Timezone);
        await foreach (var batch in source.ReadAsync(RunContext.CreateStandalone()))
        {
            using (batch)
            {
                Assert.Same(source.Schema, batch.Schema);
                Assert.Equal(2, batch.ColumnCount);
            }
        }
    }

    [Fact]
    public async Task Read_ManyFiles_YieldsAllInOrder()
    {
        using var whole = ParquetTestData.AllTypesBatch(rows: 20);
        var first = await ParquetTestData.WriteFileAsync(PathOf("a.parquet"), [whole.Slice(0, 12)], whole.Schema);
        var second = await ParquetTestData.WriteFileAsync(PathOf("b.parquet"), [whole.Slice(12, 8)], whole.Schema);
        using var sink = new CollectingSink();

        await Pipeline.Create("many").Extract(ParquetFile.Read([first, second])).Load(sink).Build().RunAsync();

        ArrowValues.AssertBatchesEqual([whole], sink.Batches);
    }

    [Fact]
    public async Task Read_ManyFilesWithDifferentSchemas_NamesTheFileAndEachDifference()
    {
        var first = await ParquetTestData.WriteFileAsync(PathOf("a.parquet"), [ParquetTestData.AllTypesBatch()], ParquetTestData.AllTypes);
        var otherSchema = new Schema.Builder()
            .Field(f => f.Name("b").DataType(Int32Type.Default))
            .Field(f => f.Name("i8").DataType(Int8Type.Default))
            .Build();
        using var other = new RecordBatch(otherSchema, [new Int32Array.Builder().Append(1).Build(), new Int8Array.Builder().Append(1).Build()], 1);
        var second = await ParquetTestData.WriteFileAsync(PathOf("b.parquet"), [other], otherSchema);
        var pipeline = Pipeline.Create("mismatch").Extract(ParquetFile.Read([first, second])).Load(new NullSink()).Build();

        var e = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        var mismatch = Assert.IsType<SchemaMismatchException>(e.InnerException);
        Assert.Contains(second, mismatch.Message, StringComparison.Ordinal);
        Assert.Contains(mismatch.Problems, p => p.Contains("'b' has type int32, expected bool", StringComparison.Ordinal));
        Assert.Contains(mismatch.Problems, p => p.Contains("'i16' is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_CorruptFile_FailsAtBuildWithParquetFileException()
    {
        var path = PathOf("corrupt.parquet");
        File.WriteAllText(path, "PAR1 this is not parquet PAR1");

        var e = Assert.Throws<PipelineValidationException>(() => Pipeline.Create("corrupt").Extract(ParquetFile.Read(path)).Load(new NullSink()).Build());

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoPaths_Throws() => Assert.Throws<ArgumentException>(() => ParquetFile.Read(System.Array.Empty<string>()));

    [Fact]
    public async Task Write_RunIdWithPathCharacters_StagingStaysInTheTargetDirectory()
    {
        var path = PathOf("safe.parquet");
        var context = new RunContext("p", 1, "../../evil/.parquet", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System, default);
        await using var writer = await ParquetFile.Write(path).OpenAsync(ParquetTestData.AllTypes, context);

        var staging = Assert.Single(Directory.GetFiles(_directory));
        Assert.StartsWith(".safe.parquet.", Path.GetFileName(staging), StringComparison.Ordinal);
        Assert.EndsWith(".inprogress", staging, StringComparison.Ordinal);
    }
}
