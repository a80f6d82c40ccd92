namespace DataEng.Core;

/// <summary>Where a batch is being read: the location for errors.</summary>
internal readonly struct DecodeContext(string source, long firstRow)
{
    /// <summary>Gets the source or stage name used in errors.</summary>
    public string Source { get; } = source;

    /// <summary>Gets the 1-based number of the first row of the batch, for errors.</summary>
    public long FirstRow { get; } = firstRow;
}
