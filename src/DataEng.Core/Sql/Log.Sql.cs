using Microsoft.Extensions.Logging;

namespace DataEng.Core;

internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Debug, "SQL source '{SourceName}' is executing its query (run {RunNumber}).")]
    public static partial void SqlQueryStarted(ILogger logger, string sourceName, long runNumber);

    [LoggerMessage(101, LogLevel.Debug, "SQL source '{SourceName}' read {Rows} rows in {Batches} batches in {DurationMs} ms (run {RunNumber}).")]
    public static partial void SqlQueryCompleted(ILogger logger, string sourceName, long runNumber, long rows, int batches, double durationMs);
}
