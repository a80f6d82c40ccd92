using Microsoft.Extensions.Logging;

namespace DataEng.Core.Hosting;

/// <summary>Source-generated log messages of the hosting layer (event ids 700-799).</summary>
internal static partial class Log
{
    [LoggerMessage(700, LogLevel.Information, "Pipeline '{PipelineName}' scheduled {Schedule}; first run at {NextRunAt:O}; freshness SLA {FreshnessSla}.")]
    public static partial void Scheduled(ILogger logger, string pipelineName, string schedule, DateTimeOffset nextRunAt, TimeSpan freshnessSla);

    [LoggerMessage(701, LogLevel.Information, "Pipeline '{PipelineName}' is disabled (DataEng:Pipelines:{PipelineName}:Enabled = false).")]
    public static partial void Disabled(ILogger logger, string pipelineName);

    [LoggerMessage(702, LogLevel.Debug, "Pipeline '{PipelineName}' next run at {NextRunAt:O}.")]
    public static partial void NextRun(ILogger logger, string pipelineName, DateTimeOffset nextRunAt);

    [LoggerMessage(703, LogLevel.Information, "Scheduled run {RunNumber} of pipeline '{PipelineName}' committed {Rows} rows in {DurationMs} ms.")]
    public static partial void RunSucceeded(ILogger logger, string pipelineName, long runNumber, long rows, double durationMs);

    [LoggerMessage(704, LogLevel.Error, "Scheduled run of pipeline '{PipelineName}' failed; the next run is at {NextRunAt:O}.")]
    public static partial void RunFailed(ILogger logger, Exception exception, string pipelineName, DateTimeOffset nextRunAt);

    [LoggerMessage(705, LogLevel.Warning, "Scheduled run of pipeline '{PipelineName}' was cancelled because the host is stopping; an uncommitted run was aborted.")]
    public static partial void RunCancelled(ILogger logger, string pipelineName);

    [LoggerMessage(706, LogLevel.Warning, "Pipeline '{PipelineName}' missed its run due at {MissedAt:O} because the previous run was still in progress; runs never overlap, the next one is at {NextRunAt:O}.")]
    public static partial void RunMissed(ILogger logger, string pipelineName, DateTimeOffset missedAt, DateTimeOffset nextRunAt);

    [LoggerMessage(707, LogLevel.Information, "Host is stopping: waiting for the in-flight run of pipeline '{PipelineName}' (a run that has begun its commit finishes it; one that has not is cancelled and aborted).")]
    public static partial void WaitingForRun(ILogger logger, string pipelineName);

    [LoggerMessage(708, LogLevel.Warning, "The run-completed callback of pipeline '{PipelineName}' threw; ignored.")]
    public static partial void CallbackFailed(ILogger logger, Exception exception, string pipelineName);

    [LoggerMessage(709, LogLevel.Information, "Pipeline '{PipelineName}' has no further occurrence of its schedule {Schedule}; it will not run again.")]
    public static partial void NoMoreRuns(ILogger logger, string pipelineName, string schedule);

    [LoggerMessage(710, LogLevel.Information, "Scheduled incremental run {RunNumber} of pipeline '{PipelineName}' committed {Rows} rows (range {Low} to {High}); watermark {Watermark}; {DurationMs} ms.")]
    public static partial void IncrementalRunSucceeded(ILogger logger, string pipelineName, long runNumber, long rows, string low, string high, string watermark, double durationMs);
}
