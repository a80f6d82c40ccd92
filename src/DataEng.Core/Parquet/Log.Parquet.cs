using Microsoft.Extensions.Logging;

namespace DataEng.Core;

internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Debug, "Writing Parquet file '{Path}' through the staging file '{StagingPath}'.")]
    public static partial void ParquetStagingOpened(ILogger logger, string path, string stagingPath);

    [LoggerMessage(201, LogLevel.Information, "Committed Parquet file '{Path}': {Rows} rows, {Bytes} bytes, {RowGroups} row groups.")]
    public static partial void ParquetFileCommitted(ILogger logger, string path, long rows, long bytes, int rowGroups);

    [LoggerMessage(202, LogLevel.Information, "Aborted Parquet file '{Path}'; the staging file was deleted.")]
    public static partial void ParquetFileAborted(ILogger logger, string path);

    [LoggerMessage(203, LogLevel.Warning, "Could not delete the Parquet staging file '{StagingPath}'.")]
    public static partial void ParquetStagingNotDeleted(ILogger logger, Exception? exception, string stagingPath);

    [LoggerMessage(204, LogLevel.Debug, "Reading Parquet file '{Path}': {Rows} rows in {RowGroups} row groups.")]
    public static partial void ParquetFileOpened(ILogger logger, string path, long rows, int rowGroups);
}
