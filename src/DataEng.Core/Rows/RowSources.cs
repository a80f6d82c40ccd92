using System.Buffers;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Array = System.Array;

namespace DataEng.Core;

/// <summary>
/// A source over an <see cref="IEnumerable{T}"/> of rows: every run enumerates the sequence again and yields batches
/// of up to <c>batchSize</c> rows, built on <see cref="RunContext.Allocator"/>. The caller owns each yielded batch.
/// </summary>
internal sealed class EnumerableRowSource<T>(IEnumerable<T> rows, RowMapper<T> mapper, int batchSize, string name) : ISource
{
    public string Name { get; } = name;

    public Schema Schema => mapper.Schema;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var buffer = new RowBuffer<T>(mapper, batchSize, Name, context);
        try
        {
            foreach (var row in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (buffer.Add(row) is { } batch)
                {
                    yield return batch;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (buffer.Flush() is { } last)
            {
                yield return last;
            }

            Log.RowsRead(context.Logger, Name, buffer.Rows, buffer.Batches);
        }
        finally
        {
            buffer.Dispose();
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}

/// <summary>
/// A source over an <see cref="IAsyncEnumerable{T}"/> of rows: every run enumerates the sequence again (passing the
/// run's cancellation token) and yields batches of up to <c>batchSize</c> rows. The caller owns each yielded batch.
/// </summary>
internal sealed class AsyncEnumerableRowSource<T>(IAsyncEnumerable<T> rows, RowMapper<T> mapper, int batchSize, string name) : ISource
{
    public string Name { get; } = name;

    public Schema Schema => mapper.Schema;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var buffer = new RowBuffer<T>(mapper, batchSize, Name, context);
        try
        {
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (buffer.Add(row) is { } batch)
                {
                    yield return batch;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (buffer.Flush() is { } last)
            {
                yield return last;
            }

            Log.RowsRead(context.Logger, Name, buffer.Rows, buffer.Batches);
        }
        finally
        {
            buffer.Dispose();
        }
    }
}

/// <summary>Collects rows into a pooled array and turns every full array into a batch.</summary>
internal sealed class RowBuffer<T>(RowMapper<T> mapper, int batchSize, string source, RunContext context) : IDisposable
{
    private readonly BufferScratch _scratch = new();
    private T[]? _rows = ArrayPool<T>.Shared.Rent(batchSize);
    private int _count;

    public long Rows { get; private set; }

    public long Batches { get; private set; }

    /// <summary>Adds a row; returns a batch when <c>batchSize</c> rows are buffered.</summary>
    public RecordBatch? Add(T row)
    {
        var rows = _rows ?? throw new ObjectDisposedException(nameof(RowBuffer<T>));
        rows[_count++] = row;
        return _count == batchSize ? Flush() : null;
    }

    /// <summary>Returns a batch of the buffered rows, or null when there are none.</summary>
    public RecordBatch? Flush()
    {
        if (_count == 0 || _rows is null)
        {
            return null;
        }

        var batch = mapper.Write(_rows, _count, new EncodeContext(context.Allocator, _scratch, source, Rows + 1));
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_rows, 0, _count);
        }

        Rows += _count;
        Batches++;
        _count = 0;
        return batch;
    }

    public void Dispose()
    {
        if (_rows is { } rows)
        {
            _rows = null;
            ArrayPool<T>.Shared.Return(rows, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }
}
