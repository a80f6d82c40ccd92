namespace DataEng.Core.Tests.Pipelines;

public sealed class PipelineRunNumberTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dataeng-runno-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_NewPipelineInstanceOverCheckpointingSink_ContinuesAfterTheLastCommittedRun()
    {
        // Two pipeline instances stand for two processes running a plain (non-incremental) load into the same lake.
        for (var process = 0; process < 2; process++)
        {
            var pipeline = Pipeline.Create("plain")
                .Extract(new SequenceSource(2, 10))
                .Load(DataEng.Core.Lake.Write(_root))
                .Build();

            var result = await pipeline.RunAsync();

            Assert.Equal(process + 1, result.RunNumber);
        }

        Assert.Equal(40L, Duck.Long($"SELECT count(*) FROM read_parquet({Duck.Literal(_root + "/**/*.parquet")})"));
    }
}
