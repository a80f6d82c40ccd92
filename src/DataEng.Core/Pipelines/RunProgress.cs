namespace DataEng.Core.Diagnostics;

/// <summary>Progress of a running pipeline.</summary>
/// <param name="RowsRead">Rows the source produced so far.</param>
/// <param name="RowsWritten">Rows the sink accepted so far.</param>
/// <param name="BytesWritten">Arrow buffer bytes the sink accepted so far.</param>
/// <param name="Elapsed">Time since the run started.</param>
public readonly record struct RunProgress(long RowsRead, long RowsWritten, long BytesWritten, TimeSpan Elapsed)
{
    /// <summary>Gets the rows written per second since the start.</summary>
    public double RowsPerSecond => Elapsed > TimeSpan.Zero ? RowsWritten / Elapsed.TotalSeconds : 0;
}
