using Microsoft.Extensions.Logging;

namespace DataEng.Core;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Run {RunNumber} of pipeline '{PipelineName}' ({RunId}) started.")]
    public static partial void RunStarted(ILogger logger, string pipelineName, long runNumber, string runId);

    [LoggerMessage(2, LogLevel.Information, "Run {RunNumber} of pipeline '{PipelineName}' ({RunId}) committed {Rows} rows in {DurationMs} ms.")]
    public static partial void RunCompleted(ILogger logger, string pipelineName, long runNumber, string runId, long rows, double durationMs);

    [LoggerMessage(3, LogLevel.Error, "Run {RunNumber} of pipeline '{PipelineName}' ({RunId}) failed in stage '{StageName}'.")]
    public static partial void RunFailed(ILogger logger, Exception exception, string pipelineName, long runNumber, string runId, string stageName);

    [LoggerMessage(4, LogLevel.Warning, "Run {RunNumber} of pipeline '{PipelineName}' ({RunId}) was cancelled.")]
    public static partial void RunCancelled(ILogger logger, string pipelineName, long runNumber, string runId);

    [LoggerMessage(6, LogLevel.Warning, "Run {RunNumber} of pipeline '{PipelineName}' ({RunId}) committed without {Skipped} skipped and {DeadLettered} dead-lettered bad rows: {Stages}.")]
    public static partial void RunRejectedRows(ILogger logger, string pipelineName, long runNumber, string runId, long skipped, long deadLettered, string stages);

    [LoggerMessage(5, LogLevel.Warning, "Aborting the sink '{StageName}' failed after run {RunNumber} of pipeline '{PipelineName}' failed.")]
    public static partial void AbortFailed(ILogger logger, Exception exception, string pipelineName, long runNumber, string stageName);
}
