using Microsoft.Extensions.Logging;

namespace DataEng.Core;

internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Information, "Lake '{Root}': committed version {Version} ({Operation}) with {FilesAdded} new files, {RowsAdded} rows, {FilesRemoved} files replaced.")]
    public static partial void LakeCommitted(ILogger logger, string root, long version, string operation, int filesAdded, long rowsAdded, int filesRemoved);

    [LoggerMessage(301, LogLevel.Warning, "Lake '{Root}': run {RunNumber} of pipeline '{PipelineName}' is already committed; this commit is a no-op and its data is discarded.")]
    public static partial void LakeRunAlreadyCommitted(ILogger logger, string root, string pipelineName, long runNumber);

    [LoggerMessage(302, LogLevel.Information, "Lake '{Root}': recovery removed {StagingFolders} abandoned staging folders, {OrphanFiles} renamed files of unfinished commits and {ReplacedFiles} files replaced by earlier commits.")]
    public static partial void LakeRecovered(ILogger logger, string root, int stagingFolders, int orphanFiles, int replacedFiles);

    [LoggerMessage(303, LogLevel.Debug, "Lake '{Root}': version {Version} was published by another writer first; retrying the commit (attempt {Attempt}).")]
    public static partial void LakeCommitConflict(ILogger logger, string root, long version, int attempt);

    [LoggerMessage(304, LogLevel.Warning, "Lake '{Root}': could not delete '{Path}' after commit; the next open removes it.")]
    public static partial void LakeDeleteFailed(ILogger logger, Exception exception, string root, string path);

    [LoggerMessage(305, LogLevel.Warning, "Lake '{Root}': the commit observer threw at step {Step}; the commit is abandoned as if the process had died (the next open recovers).")]
    public static partial void LakeCommitAbandoned(ILogger logger, Exception exception, string root, LakeCommitStep step);

    [LoggerMessage(306, LogLevel.Information, "Lake '{Root}': compaction replaced {FilesRemoved} files by {FilesAdded} in {Partitions} partitions (version {Version}).")]
    public static partial void LakeCompacted(ILogger logger, string root, int filesRemoved, int filesAdded, int partitions, long version);

    [LoggerMessage(307, LogLevel.Debug, "Lake '{Root}': staging folder '{Folder}' is in use by another writer; recovery leaves it alone.")]
    public static partial void LakeStagingInUse(ILogger logger, string root, string folder);

    [LoggerMessage(320, LogLevel.Warning, "Lake '{Root}': the checkpoint '{Path}' is damaged ({Reason}); it is ignored and the state is read from an older checkpoint or the manifests.")]
    public static partial void LakeCheckpointIgnored(ILogger logger, string root, string path, string reason);

    [LoggerMessage(321, LogLevel.Warning, "Lake '{Root}': could not write the checkpoint of version {Version}; the commit stands and the next commit writes one.")]
    public static partial void LakeCheckpointFailed(ILogger logger, Exception exception, string root, long version);

    [LoggerMessage(322, LogLevel.Debug, "Lake '{Root}': wrote the checkpoint of version {Version} ({Files} live files).")]
    public static partial void LakeCheckpointWritten(ILogger logger, string root, long version, int files);

    [LoggerMessage(323, LogLevel.Information, "Lake '{Root}': vacuum committed version {Version}: expired {ExpiredVersions} versions (oldest retained {OldestRetained}), deleted {Files} files ({Bytes} bytes).")]
    public static partial void LakeVacuumed(ILogger logger, string root, long version, int expiredVersions, long oldestRetained, int files, long bytes);

    [LoggerMessage(324, LogLevel.Information, "Lake '{Root}': dropped {Partitions} partitions ({Files} files, {Rows} rows) older than {Cutoff} by '{Column}' (version {Version}).")]
    public static partial void LakePartitionsDropped(ILogger logger, string root, int partitions, int files, long rows, DateTimeOffset cutoff, string column, long version);
}
