namespace DataEng.Core;

/// <summary>
/// Reads the commit of one run of a pipeline back from a sink, so an incremental run can tell whether the commit of
/// its run number is its own or another process's (two processes that ran the same pipeline at once).
/// </summary>
internal interface IRunCommitLookup
{
    /// <summary>Reads the commit of run <paramref name="runNumber"/> of <paramref name="pipelineName"/>.</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <param name="runNumber">The run number.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The committed run, or <see langword="null"/> when that run is not committed.</returns>
    ValueTask<CommittedRun?> GetCommitAsync(string pipelineName, long runNumber, CancellationToken cancellationToken);
}

/// <summary>
/// The lake is the embedded checkpoint of incremental runs: a run's data and its state (watermark, boundary keys,
/// stats, as <see cref="SinkCommit.Properties"/>) are published by the same manifest, and the last committed run of a
/// pipeline is read back from the commit log.
/// </summary>
internal sealed partial class LakeSink : ICheckpointingSink, IRunCommitLookup
{
    /// <inheritdoc />
    public async ValueTask<CommittedRun?> GetLastCommitAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipelineName);
        var log = await OpenLogAsync(cancellationToken).ConfigureAwait(false);
        return log.Latest.Pipelines.TryGetValue(pipelineName, out var history) && history.Last is { } last ? ToCommittedRun(last) : null;
    }

    /// <inheritdoc />
    public async ValueTask<CommittedRun?> GetCommitAsync(string pipelineName, long runNumber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipelineName);
        var log = await OpenLogAsync(cancellationToken).ConfigureAwait(false);
        if (!log.Latest.Pipelines.TryGetValue(pipelineName, out var history) || !history.Runs.Contains(runNumber))
        {
            return null;
        }

        if (history.Last is { } last && last.RunNumber == runNumber)
        {
            return ToCommittedRun(last);
        }

        // An older run: its manifest, if it is still on disk (read from the history only in this rare case).
        var commits = log.Commits;
        for (var i = commits.Count - 1; i >= 0; i--)
        {
            if (commits[i].RunNumber == runNumber && string.Equals(commits[i].PipelineName, pipelineName, StringComparison.Ordinal))
            {
                return ToCommittedRun(commits[i]);
            }
        }

        return null;
    }

    private static CommittedRun ToCommittedRun(CommitRecord commit)
        => new(commit.RunNumber!.Value, commit.RunId ?? string.Empty, new Dictionary<string, string>(commit.Properties, StringComparer.Ordinal));

    /// <summary>Reads the log: the newest checkpoint and the manifests after it.</summary>
    private async ValueTask<LakeLog> OpenLogAsync(CancellationToken cancellationToken)
    {
        var log = new LakeLog(_layout);
        await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return log;
    }
}
