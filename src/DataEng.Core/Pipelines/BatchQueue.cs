using System.Threading.Tasks.Sources;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// A bounded queue of batches between two tasks of a run: one writer, one reader. Unlike a bounded
/// <c>Channel</c> waited on with a cancellable token, waiting allocates nothing: each side waits on its own reusable
/// value-task source, so a steady stream of batches costs no garbage. Cancellation is not per call: the run completes
/// every queue with the cancellation exception (<see cref="Complete"/>), which wakes both sides.
/// </summary>
/// <remarks>Items may be <see langword="null"/> (the ordered-parallel segment passes "dropped" results through).
/// <see cref="TryRead"/> keeps returning queued items after completion, so the run can dispose them.</remarks>
internal sealed class BatchQueue
{
    private readonly RecordBatch?[] _items;
    private readonly Waiter _reader = new();
    private readonly Waiter _writer = new();
    private readonly object _gate = new();
    private int _head;
    private int _count;
    private bool _readerWaiting;
    private bool _writerWaiting;
    private RecordBatch? _pending;
    private bool _completed;
    private Exception? _error;

    /// <summary>Creates a queue holding at most <paramref name="capacity"/> items (a writer beyond it waits).</summary>
    public BatchQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new RecordBatch?[capacity];
    }

    /// <summary>
    /// Hands <paramref name="item"/> to the queue, waiting while the queue is full: from the call on the queue owns it,
    /// and disposes it if the queue is completed before it is queued (a failure or cancellation), so the caller never
    /// disposes it. Not async: it completes synchronously unless the queue is full, and then waits on the reusable
    /// waiter, so it allocates nothing per batch.
    /// </summary>
    /// <returns>A task that completes when the item is queued; it faults when the queue is completed first.</returns>
    public ValueTask WriteOrDisposeAsync(RecordBatch? item)
    {
        var wakeReader = false;
        lock (_gate)
        {
            if (_completed)
            {
                item?.Dispose();
                return ValueTask.FromException(_error ?? new InvalidOperationException("The queue is already completed."));
            }

            if (_count == _items.Length)
            {
                // Full: the reader moves the item in when it takes one out.
                _pending = item;
                _writerWaiting = true;
                _writer.Reset();
                return new ValueTask(_writer, _writer.Version);
            }

            _items[(_head + _count) % _items.Length] = item;
            _count++;
            if (_readerWaiting)
            {
                _readerWaiting = false;
                wakeReader = true;
            }
        }

        if (wakeReader)
        {
            _reader.SetResult(true);
        }

        return default;
    }

    /// <summary>Waits until an item can be read.</summary>
    /// <returns><see langword="true"/> when an item is queued; <see langword="false"/> when the queue is completed and
    /// empty. Faults with the completion's exception (cancellation, failure).</returns>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_gate)
        {
            if (_error is not null)
            {
                return ValueTask.FromException<bool>(_error);
            }

            if (_count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            _readerWaiting = true;
            _reader.Reset();
            return new ValueTask<bool>(_reader, _reader.Version);
        }
    }

    /// <summary>Takes the oldest item, if any (also after completion).</summary>
    public bool TryRead(out RecordBatch? item)
    {
        var wakeWriter = false;
        lock (_gate)
        {
            if (_count == 0)
            {
                item = null;
                return false;
            }

            item = _items[_head];
            _items[_head] = null;
            _head = (_head + 1) % _items.Length;
            _count--;
            if (_writerWaiting)
            {
                _items[(_head + _count) % _items.Length] = _pending;
                _count++;
                _pending = null;
                _writerWaiting = false;
                wakeWriter = true;
            }
        }

        if (wakeWriter)
        {
            _writer.SetResult(true);
        }

        return true;
    }

    /// <summary>Completes the queue: no more writes. With <paramref name="error"/>, both sides fail with it at once (the
    /// item of a waiting writer is disposed); without, the reader reads what is queued, then sees the end.</summary>
    /// <returns><see langword="false"/> when the queue was already completed.</returns>
    public bool Complete(Exception? error = null)
    {
        bool wakeReader, wakeWriter;
        RecordBatch? refused;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
            _error = error;
            wakeReader = _readerWaiting;
            wakeWriter = _writerWaiting;
            _readerWaiting = _writerWaiting = false;
            refused = _pending;
            _pending = null;
        }

        refused?.Dispose();

        if (wakeReader)
        {
            if (error is null)
            {
                _reader.SetResult(false);
            }
            else
            {
                _reader.SetException(error);
            }
        }

        if (wakeWriter)
        {
            _writer.SetException(error ?? new InvalidOperationException("The queue was completed while a write was waiting."));
        }

        return true;
    }

    /// <summary>One side's wait: a reusable value-task source whose continuations run on the thread pool.</summary>
    private sealed class Waiter : IValueTaskSource<bool>, IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

        public short Version => _core.Version;

        public void Reset() => _core.Reset();

        public void SetResult(bool result) => _core.SetResult(result);

        public void SetException(Exception error) => _core.SetException(error);

        public bool GetResult(short token) => _core.GetResult(token);

        void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _core.OnCompleted(continuation, state, token, flags);
    }
}
