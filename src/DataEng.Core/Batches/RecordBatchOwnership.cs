using Apache.Arrow;

namespace DataEng.Core.Stages;

/// <summary>
/// Helpers for the ownership rule of the library: whoever holds a batch disposes it exactly once or hands it on;
/// a batch that shares buffers with another holds its own reference to them.
/// </summary>
public static class RecordBatchOwnership
{
    /// <summary>
    /// Creates a batch over the same buffers as <paramref name="batch"/> that holds its own reference to them:
    /// both batches must be disposed, in any order, and the buffers are released when the last one is.
    /// </summary>
    /// <param name="batch">The batch to share.</param>
    /// <returns>A new batch owning one more reference to the same buffers.</returns>
    public static RecordBatch Share(this RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.SliceShared(0, batch.Length);
    }

    /// <summary>
    /// Takes a new reference to one column of a batch, for building an output batch that reuses it without copying.
    /// </summary>
    /// <param name="array">The column.</param>
    /// <returns>A new array over the same buffers that must be disposed (usually by the batch it is put into).</returns>
    public static IArrowArray Retain(this IArrowArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return ArrowArrayFactory.BuildArray(array.Data.Retain());
    }

    /// <summary>Returns the bytes of all Arrow buffers a batch refers to (its logical in-memory size).</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>The byte count.</returns>
    public static long GetBufferSize(this RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long total = 0;
        for (var i = 0; i < batch.ColumnCount; i++)
        {
            total += GetBufferSize(batch.Column(i).Data);
        }

        return total;
    }

    private static long GetBufferSize(ArrayData data)
    {
        long total = 0;
        foreach (var buffer in data.Buffers ?? [])
        {
            total += buffer.Length;
        }

        if (data.Children is not null)
        {
            foreach (var child in data.Children)
            {
                total += GetBufferSize(child);
            }
        }

        if (data.Dictionary is not null)
        {
            total += GetBufferSize(data.Dictionary);
        }

        return total;
    }
}
