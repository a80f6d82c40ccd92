using Microsoft.Extensions.Logging;

namespace DataEng.Core;

/// <summary>Log messages of the spill space.</summary>
internal static partial class SpillLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Removed the spill folder {Folder} left by a run whose process is gone")]
    public static partial void LeftoverRemoved(ILogger logger, string folder);
}
