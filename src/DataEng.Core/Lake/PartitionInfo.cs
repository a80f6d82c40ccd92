namespace DataEng.Core;

/// <summary>A partition folder of one write: its escaped values and its path relative to the root.</summary>
internal sealed class PartitionInfo
{
    public PartitionInfo(int index, string[] escapedValues, string relativeDirectory)
    {
        Index = index;
        EscapedValues = escapedValues;
        RelativeDirectory = relativeDirectory;
    }

    /// <summary>Gets the index of the partition in the write (dense, in first-seen order).</summary>
    public int Index { get; }

    /// <summary>Gets the escaped value of each partition level (<see cref="HivePath.NullValue"/> for null).</summary>
    public string[] EscapedValues { get; }

    /// <summary>Gets the folder relative to the root with <c>/</c> separators; empty when unpartitioned.</summary>
    public string RelativeDirectory { get; }
}
