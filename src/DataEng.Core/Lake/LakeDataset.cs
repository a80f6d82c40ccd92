using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core;

/// <summary>
/// A lake written by <see cref="Lake.Write"/>: its commits, snapshots, files and partitions, the last commit of each
/// pipeline (the checkpoint of incremental runs), recovery and compaction. Opening reads the commit log only; it
/// changes nothing on disk (see <see cref="RecoverAsync"/>).
/// </summary>
public sealed partial class LakeDataset
{
    private readonly LakeLog _log;
    private readonly ILoggerFactory _loggerFactory;

    private LakeDataset(LakeLayout layout, ILoggerFactory loggerFactory)
    {
        _log = new LakeLog(layout, loggerFactory.CreateLogger("DataEng.Core.Lake"));
        _loggerFactory = loggerFactory;
    }

    /// <summary>Gets the full path of the root folder.</summary>
    public string Root => _log.Layout.Root;

    /// <summary>Gets the latest version read (0 when nothing was committed yet).</summary>
    public long Version => _log.LatestVersion;

    /// <summary>Gets every commit whose manifest is still on disk, oldest first. Opening reads only the newest log
    /// checkpoint and the manifests after it; the first call reads the older manifests from disk.</summary>
    public IReadOnlyList<LakeCommit> Commits => _log.Commits.Select(static c => new LakeCommit(c)).ToList();

    /// <summary>Gets the latest snapshot read, or <see langword="null"/> when nothing was committed yet.</summary>
    public LakeSnapshot? Latest => _log.LatestVersion == 0 ? null : new LakeSnapshot(_log.Layout, _log.Latest);

    internal LakeLog Log => _log;

    /// <summary>Opens a lake and reads its commit log. A folder without commits (or no folder) opens as an empty lake.</summary>
    /// <param name="root">The root folder.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="DataFormatException">A manifest is corrupt, the log has a gap, or a damaged checkpoint stands
    /// for manifests that are gone; the file is named.</exception>
    public static async Task<LakeDataset> OpenAsync(string root, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var dataset = new LakeDataset(new LakeLayout(root), loggerFactory ?? NullLoggerFactory.Instance);
        await dataset._log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return dataset;
    }

    /// <summary>Reads commits published since the last read.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when the log is read.</returns>
    public Task RefreshAsync(CancellationToken cancellationToken = default) => _log.RefreshAsync(cancellationToken);

    /// <summary>Returns the snapshot of an earlier (or the latest) version. Files a later commit replaced are read
    /// from <c>_dataeng/retired/</c> (see <see cref="LakeDataFile.FullPath"/>) until <see cref="VacuumAsync"/> expires
    /// the version and deletes them. A version older than the log checkpoint read on open is folded from disk at this
    /// call (the newest checkpoint at or below it, then the manifests up to it).</summary>
    /// <param name="version">The version, from 1 to <see cref="Version"/>.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="LakeVersionExpiredException">A vacuum expired the version; the message names the retention.</exception>
    public LakeSnapshot GetSnapshot(long version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        var state = _log.StateAt(version);
        return new LakeSnapshot(_log.Layout, state, locate: state.Version != _log.LatestVersion);
    }

    /// <summary>
    /// Returns the latest commit of a pipeline (its run number and the key/values committed with it), after reading new
    /// commits. Incremental runs keep their checkpoint here: data and watermark become visible in one step.
    /// </summary>
    /// <param name="pipelineName">The pipeline name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The commit, or <see langword="null"/> when the pipeline never committed to this lake.</returns>
    public async Task<LakeCommit?> GetLastCommitAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipelineName);
        await _log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var state = _log.Latest;
        return state.Pipelines.TryGetValue(pipelineName, out var history) && history.Last is { } last ? new LakeCommit(last) : null;
    }

    /// <summary>Returns whether a run of a pipeline is committed (a repeated commit of it is a no-op).</summary>
    /// <param name="pipelineName">The pipeline name.</param>
    /// <param name="runNumber">The run number.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns><see langword="true"/> when committed.</returns>
    public async Task<bool> IsCommittedAsync(string pipelineName, long runNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipelineName);
        await _log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return _log.Latest.IsCommitted(pipelineName, runNumber);
    }

    /// <summary>
    /// Removes what interrupted commits left behind: abandoned staging folders, data files renamed into place by a
    /// commit whose manifest was never published, and files replaced by a published commit but not yet deleted.
    /// Staging folders of writers still running (their lock is held) are left alone. Writers run this on open.
    /// </summary>
    /// <param name="cancellationToken">Cancels before anything is removed.</param>
    /// <returns>What was removed.</returns>
    public async Task<LakeRecoveryResult> RecoverAsync(CancellationToken cancellationToken = default)
    {
        await _log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var (staging, orphans, replaced) = await LakeTransaction.RecoverAsync(_log.Layout, _log, _loggerFactory.CreateLogger("DataEng.Core.Lake"), cancellationToken).ConfigureAwait(false);
        return new LakeRecoveryResult(staging, orphans, replaced);
    }
}
