using Microsoft.Extensions.Logging;

namespace DataEng.Core;

internal static partial class Log
{
    [LoggerMessage(150, LogLevel.Debug, "CSV source '{SourceName}' is reading '{File}' (run {RunNumber}).")]
    public static partial void CsvFileStarted(ILogger logger, string sourceName, string file, long runNumber);

    [LoggerMessage(151, LogLevel.Debug, "CSV source '{SourceName}' read {Rows} rows in {Batches} batches from '{File}' (run {RunNumber}).")]
    public static partial void CsvFileCompleted(ILogger logger, string sourceName, string file, long runNumber, long rows, int batches);
}
