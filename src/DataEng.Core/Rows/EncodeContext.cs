using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>Where a column is being encoded: the allocator, the scratch buffers, and the location for errors.</summary>
internal readonly struct EncodeContext(MemoryAllocator allocator, BufferScratch scratch, string source, long firstRow)
{
    public MemoryAllocator Allocator { get; } = allocator;

    public BufferScratch Scratch { get; } = scratch;

    /// <summary>Gets the source name used in errors.</summary>
    public string Source { get; } = source;

    /// <summary>Gets the 1-based number of the first row of the batch, for errors.</summary>
    public long FirstRow { get; } = firstRow;

    public DataFormatException Error(RowMember member, int index, string problem, Exception? inner = null)
        => new(Source, FirstRow + index, member.ColumnName, $"property '{member.Display}' ({member.TypeDisplay}): {problem}", inner);
}
