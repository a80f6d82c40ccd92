using Microsoft.Extensions.Logging;

namespace DataEng.Core;

internal static partial class Log
{
    [LoggerMessage(600, LogLevel.Information, "Incremental run {RunNumber} of pipeline '{PipelineName}' planned: [{Low}, {High}] (last committed run {LastRun}).")]
    public static partial void IncrementalPlanned(ILogger logger, string pipelineName, long runNumber, string low, string high, long lastRun);

    [LoggerMessage(601, LogLevel.Warning, "Checkpoint store {Store} was behind the sink for pipeline '{PipelineName}' (store run {StoreRun}, sink run {SinkRun}); repaired from the sink.")]
    public static partial void CheckpointRepaired(ILogger logger, string store, string pipelineName, long storeRun, long sinkRun);

    [LoggerMessage(602, LogLevel.Warning, "Checkpoint store {Store} is ahead of the sink for pipeline '{PipelineName}' (store run {StoreRun}, sink run {SinkRun}); the sink's state wins.")]
    public static partial void CheckpointAhead(ILogger logger, string store, string pipelineName, long storeRun, long sinkRun);

    [LoggerMessage(603, LogLevel.Warning, "Renewing the lease of pipeline '{PipelineName}' failed.")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception exception, string pipelineName);

    [LoggerMessage(604, LogLevel.Warning, "Writing the checkpoint of run {RunNumber} of pipeline '{PipelineName}' to {Store} failed after the sink committed; the next run repairs it from the sink.")]
    public static partial void CheckpointWriteFailed(ILogger logger, Exception exception, string pipelineName, long runNumber, string store);

    [LoggerMessage(605, LogLevel.Information, "Run {RunNumber} of pipeline '{PipelineName}' failed but its commit is durable in the sink (ambiguous commit); it counts as committed.")]
    public static partial void AmbiguousCommitFound(ILogger logger, string pipelineName, long runNumber);

    [LoggerMessage(606, LogLevel.Warning, "Source '{Source}' read a page again after a transient failure (attempt {Attempt}), resuming after the last row delivered.")]
    public static partial void PageRetried(ILogger logger, Exception? exception, string source, int attempt);

    [LoggerMessage(607, LogLevel.Warning, "Stage '{Stage}' rejected a row at {Position} in run {RunNumber}: {Error}")]
    public static partial void RowRejected(ILogger logger, string stage, string position, long runNumber, string error);

    [LoggerMessage(608, LogLevel.Information, "Stage '{Stage}' dead-lettered {Rows} rows of run {RunNumber} to '{Target}'.")]
    public static partial void RowsDeadLettered(ILogger logger, string stage, long rows, long runNumber, string target);

    [LoggerMessage(610, LogLevel.Warning, "Source '{Source}' skipped {Rows} rows in run {RunNumber} of pipeline '{PipelineName}' that arrived after their range was loaded: their cursor is below the window's lower bound {Low} (watermark − lookback). They are not loaded; widen IncrementalOptions.Lookback (or NumericLookback) to catch rows this late.")]
    public static partial void LateRowsSkipped(ILogger logger, string source, long rows, long runNumber, string pipelineName, string low);

    [LoggerMessage(609, LogLevel.Warning, "Retrying '{Stage}' after a transient failure (attempt {Attempt}, delay {DelayMs} ms).")]
    public static partial void StageRetried(ILogger logger, Exception? exception, string stage, int attempt, double delayMs);
}
