namespace DataEng.Core.Tests.Checkpoints;

public class CheckpointingSinkExtensionsTests
{
    [Fact]
    public async Task WithCommitLookup_CollectingSink_RunsIncrementallyFromItsOwnCommits()
    {
        using var db = new Incremental.OrdersDb();
        using var sink = new CollectingSink();
        var checkpointing = sink.WithCommitLookup((pipeline, _) => ValueTask.FromResult(
            sink.Commits.LastOrDefault(c => c.PipelineName == pipeline) is { } c ? new CommittedRun(c.RunNumber, c.RunId, c.Properties) : null));
        var pipeline = Pipeline.Create("lookup").Extract(DataEng.Core.Sql.Incremental(db.Open, "orders", new IncrementalOptions { CursorColumn = "ts", KeyColumns = ["id"] })).Load(checkpointing).Build();
        db.Insert(1);
        db.Insert(2);
        await pipeline.RunIncrementalAsync();
        db.Insert(3);

        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal(2, second.Run.RunNumber);
        Assert.Equal(1, second.Run.RowsWritten);
        Assert.Equal(3, sink.RowCount);
    }
}
