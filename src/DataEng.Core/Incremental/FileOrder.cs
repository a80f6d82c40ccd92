namespace DataEng.Core;

/// <summary>The order in which an incremental file source sees new files.</summary>
public enum FileOrder
{
    /// <summary>By name (ordinal): a new file must sort after the last one loaded (for example time-stamped names).</summary>
    Name,

    /// <summary>By last modification time, then name: files are settled once older than
    /// <see cref="IncrementalOptions.Lag"/>, and <see cref="IncrementalOptions.Lookback"/> catches files that arrive with
    /// an older time (copied with their time preserved).</summary>
    ModifiedTime,
}
