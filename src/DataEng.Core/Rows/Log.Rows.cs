using Microsoft.Extensions.Logging;

namespace DataEng.Core;

internal static partial class Log
{
    [LoggerMessage(500, LogLevel.Debug, "Rows source '{SourceName}' read {Rows} rows into {Batches} batches.")]
    public static partial void RowsRead(ILogger logger, string sourceName, long rows, long batches);

    [LoggerMessage(501, LogLevel.Debug, "Rows sink '{SinkName}' committed {Rows} rows of run {RunNumber} of pipeline '{PipelineName}'.")]
    public static partial void RowsCommitted(ILogger logger, string sinkName, int rows, long runNumber, string pipelineName);
}
