using DataEng.Core.Checkpoints;
using DataEng.Core.Tables;

namespace DataEng.Core.DocSnippets;

/// <summary>The code of docs/checkpoints.md.</summary>
public static class CheckpointExamples
{
    public static async Task<IncrementalRunResult?> WithStoreAsync(Pipeline pipeline, string checkpointFolder, CancellationToken cancellationToken = default)
    {
        // <snippet:file-store>
        var options = new IncrementalRunOptions
        {
            CheckpointStore = new FileCheckpointStore(checkpointFolder),  // <name>.checkpoint.json + an OS file lock
            LeaseRenewalInterval = TimeSpan.FromSeconds(30),               // renewed during the run and before the commit
        };

        try
        {
            IncrementalRunResult result = await pipeline.RunIncrementalAsync(options, cancellationToken);
            Console.WriteLine($"run {result.Run.RunNumber}: {result.Run.RowsWritten} rows, {result.Plan.DisplayLow} → {result.Watermark ?? "(nothing yet)"}");
            return result;
        }
        catch (PipelineLockedException e)
        {
            // Another process holds the pipeline's lease (or this run lost it): nothing was committed.
            Console.WriteLine($"'{e.PipelineName}' is busy (holder {e.Holder ?? "unknown"}, until {e.ExpiresAt?.ToString("O") ?? "it ends"})");
            return null;
        }
        // </snippet:file-store>
    }

    public static async Task<CommittedRun?> ReadCheckpointAsync(ICheckpointStore store, string pipelineName, CancellationToken cancellationToken = default)
    {
        // <snippet:read-checkpoint>
        CommittedRun? last = await store.ReadAsync(pipelineName, cancellationToken);
        if (last is not null)
        {
            Console.WriteLine($"last run {last.RunNumber} ({last.RunId}), watermark {last.Get(IncrementalCommitKeys.Watermark)}");
        }
        // </snippet:read-checkpoint>
        return last;
    }

    public static ICheckpointingSink CommitLookup(string lakeRoot)
    {
        // <snippet:commit-lookup>
        // A sink that commits SinkCommit.Properties atomically with its data can be the checkpoint itself:
        // tell the incremental runner how to read its last commit.
        ICheckpointingSink sink = Lake.Write(lakeRoot).WithCommitLookup(async (pipelineName, ct) =>
        {
            var dataset = await LakeDataset.OpenAsync(lakeRoot, cancellationToken: ct);
            LakeCommit? last = await dataset.GetLastCommitAsync(pipelineName, ct);
            return last is { RunNumber: { } number, RunId: { } id } ? new CommittedRun(number, id, last.Properties) : null;
        });
        // </snippet:commit-lookup>
        return sink;
    }
}
