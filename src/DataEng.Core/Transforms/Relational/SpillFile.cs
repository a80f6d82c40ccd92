using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>A completed spill file: read its batches back (as many times as needed), then dispose it to delete it.</summary>
internal sealed class SpillFile : IDisposable
{
    internal SpillFile(string path, long bytes, long rows, long batches)
    {
        Path = path;
        Bytes = bytes;
        Rows = rows;
        Batches = batches;
    }

    /// <summary>Gets the file's path.</summary>
    public string Path { get; }

    /// <summary>Gets the file's size.</summary>
    public long Bytes { get; }

    /// <summary>Gets the rows in the file.</summary>
    public long Rows { get; }

    /// <summary>Gets the batches in the file.</summary>
    public long Batches { get; }

    /// <summary>Reads the batches in the order they were written. Each batch belongs to the caller; its buffers come from
    /// <paramref name="allocator"/>.</summary>
    /// <param name="allocator">The allocator for the batches read.</param>
    /// <returns>The batches.</returns>
    public IEnumerable<RecordBatch> Read(MemoryAllocator allocator)
    {
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = new ArrowStreamReader(stream, allocator, leaveOpen: true);
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            yield return batch;
        }
    }

    /// <summary>Opens a reader over the file for pulling batches one at a time (for merging several files).</summary>
    /// <param name="allocator">The allocator for the batches read.</param>
    /// <returns>The reader; dispose it before the file.</returns>
    public IEnumerator<RecordBatch> OpenReader(MemoryAllocator allocator) => Read(allocator).GetEnumerator();

    /// <summary>Deletes the file.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Still open by an unfinished reader: the run's spill space removes it with the folder.
        }
    }
}
