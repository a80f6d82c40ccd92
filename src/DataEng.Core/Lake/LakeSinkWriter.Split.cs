using Apache.Arrow;
using DataEng.Core.ParquetFormat;

namespace DataEng.Core;

internal sealed partial class LakeSinkWriter
{
    /// <summary>Rows per gather block: a block of every column stays in the L2 cache while all partitions read it.</summary>
    private const int GatherBlockRows = 16_384;

    /// <summary>How many buffers (in-flight row groups) the budget keeps room for besides one per partition, per
    /// encoder.</summary>
    private const int InFlightBuffersPerEncoder = 2;

    /// <summary>
    /// The write buffer of a staged file's stream (managed, one per file). The builtin Parquet engine writes whole
    /// column chunks, and a write at least this large bypasses the buffer, so it only coalesces the small writes; a
    /// larger buffer cost a commit over many small partitions 64 KiB of garbage per file.
    /// </summary>
    private const int StagingBufferSize = 4096;

    private int _physicalOpenFiles;
    private int[] _cursors = [];

    // Splitting thread only: the capacity of every row buffer (filling, in flight, free), the rows at which a partition
    // buffer is dispatched, and the logical bytes per row seen so far (to size buffers).
    private long _capacityBytes;
    private int _rowLimit;
    private long _appendedBytes;
    private long _appendedRows;

    // Encoder threads decrement: dispatched buffers not yet returned.
    private int _inFlightBuffers;

    // Conversion buffers of the encoders (at most one set per encoder slot is in use).
    private readonly Stack<ScratchBuffers> _scratchPool = new();

    /// <summary>Routes the rows of a batch to their partitions' buffers (the calling thread; nothing per row allocated).</summary>
    private void Split(RecordBatch batch)
    {
        var rows = batch.Length;
        if (_rowPartitions.Length < rows)
        {
            _rowPartitions = new int[rows];
            _sorted = new int[rows];
        }

        var rowPartitions = _rowPartitions.AsSpan(0, rows);
        _keys.Compute(batch, rowPartitions);
        var partitionCount = _keys.Partitions.Count;
        while (_partitions.Count < partitionCount)
        {
            _partitions.Add(new PartitionState(_keys.Partitions[_partitions.Count]));
        }

        if (_counts.Length < partitionCount + 1)
        {
            _counts = new int[Math.Max(partitionCount + 1, _counts.Length * 2)];
        }

        // Counting sort of the row indices by partition (stable: rows keep their order inside a partition).
        var counts = _counts.AsSpan(0, partitionCount + 1);
        counts.Clear();
        foreach (var p in rowPartitions)
        {
            counts[p + 1]++;
        }

        for (var p = 1; p <= partitionCount; p++)
        {
            counts[p] += counts[p - 1];
        }

        // counts[p] is now the start of partition p; advance it while placing, then it is the end of p.
        var sorted = _sorted.AsSpan(0, rows);
        for (var i = 0; i < rows; i++)
        {
            sorted[counts[rowPartitions[i]]++] = i;
        }

        // Gather in row blocks: every partition takes its rows of one block before the next block, so the block's
        // source values stay in cache while all partitions read them (a partition's rows are spread over the whole
        // batch; gathering one partition at a time would stream every column from memory once per partition).
        if (_cursors.Length < partitionCount)
        {
            _cursors = new int[counts.Length];
        }

        _rowLimit = RowLimit(batch, counts);
        var cursors = _cursors.AsSpan(0, partitionCount);
        var start = 0;
        for (var p = 0; p < partitionCount; p++)
        {
            cursors[p] = start;
            start = counts[p];
        }

        var blockRows = partitionCount == 1 ? rows : GatherBlockRows;
        for (var blockEnd = blockRows; blockEnd - blockRows < rows; blockEnd += blockRows)
        {
            for (var p = 0; p < partitionCount; p++)
            {
                var from = cursors[p];
                var end = counts[p];
                var to = from;
                while (to < end && sorted[to] < blockEnd)
                {
                    to++;
                }

                if (to > from)
                {
                    Append(_partitions[p], batch, sorted[from..to]);
                    cursors[p] = to;
                }
            }
        }
    }

    /// <summary>
    /// The rows at which a partition buffer becomes a row group: <see cref="LakeWriteOptions.RowGroupSize"/>, or fewer
    /// when the buffers of every active partition plus the in-flight row groups would not fit
    /// <see cref="LakeWriteOptions.MaxBufferedBytes"/> (counted on capacity) at that size. Dispatching at this
    /// threshold also starts encoding early, while the rest of the input is still being split.
    /// </summary>
    /// <param name="batch">The batch being split.</param>
    /// <param name="ends">The end of each partition's rows in the sorted indices (a partition is in the batch when
    /// its range is not empty).</param>
    private int RowLimit(RecordBatch batch, ReadOnlySpan<int> ends)
    {
        var active = 0;
        var start = 0;
        for (var p = 0; p < _partitions.Count; p++)
        {
            var end = p < ends.Length - 1 ? ends[p] : start;
            if (end > start || _partitions[p].Current is { Rows: > 0 })
            {
                active++;
            }

            start = end;
        }

        var bytesPerRow = _appendedRows > 0
            ? (double)_appendedBytes / _appendedRows
            : (double)batch.GetBufferSize() / Math.Max(1, batch.Length);
        var slots = active + (InFlightBuffersPerEncoder * (_options.MaxDegreeOfParallelism + 1));

        // An eighth of slack for the string bytes, whose buffers are sized on an estimate.
        var rows = _options.MaxBufferedBytes / (slots * Math.Max(1.0, bytesPerRow) * 1.125);
        return (int)Math.Clamp(rows, 1, _options.RowGroupSize);
    }

    private void Append(PartitionState partition, RecordBatch batch, ReadOnlySpan<int> indices)
    {
        var maxRows = _options.MaxRowsPerFile;
        while (!indices.IsEmpty)
        {
            var buffer = partition.Current ??= RentBuffer();
            var limit = Math.Max(_rowLimit, buffer.Rows + 1);
            if (maxRows is { } max)
            {
                limit = (int)Math.Min(limit, max - partition.RowsInFile);
            }

            var take = Math.Min(limit - buffer.Rows, indices.Length);
            var bytes = buffer.Bytes;
            var capacity = buffer.CapacityBytes;

            // A new buffer is sized for twice its first rows (the next batch likely brings as many), at most the row
            // limit; only a partition that comes back for more grows straight to the limit. Sizing every first append
            // for the limit made a small run over many partitions reserve a full row group per partition (~90 MB of
            // blocks for 100 rows over 30 days, and a gen 2 collection per commit from their memory pressure).
            var target = buffer.Rows == 0 ? (int)Math.Min(limit, 2L * take) : limit;
            buffer.Append(batch, _plans, indices[..take], target);
            _capacityBytes += buffer.CapacityBytes - capacity;
            _appendedBytes += buffer.Bytes - bytes;
            _appendedRows += take;
            indices = indices[take..];
            var fileFull = maxRows is { } most && partition.RowsInFile + buffer.Rows >= most;
            if (buffer.Rows >= limit || fileFull)
            {
                Dispatch(partition, fileFull);
            }
        }
    }

    /// <summary>Hands a partition's buffer to its encoding chain as one row group.</summary>
    private void Dispatch(PartitionState partition, bool closeAfter)
    {
        var buffer = partition.Current!;
        partition.Current = null;
        Interlocked.Increment(ref _inFlightBuffers);
        Task? dependency = null;
        if (!partition.LogicallyOpen)
        {
            if (_openFiles >= _options.MaxOpenFiles)
            {
                dependency = CloseLeastRecentlyUsed(partition);
            }

            partition.LogicallyOpen = true;
            _openFiles++;
        }

        partition.LastUsed = ++_useClock;
        partition.RowsInFile += buffer.Rows;
        if (closeAfter)
        {
            partition.LogicallyOpen = false;
            _openFiles--;
            partition.RowsInFile = 0;
        }

        partition.Tail = Chain(partition, dependency, () => WriteRowGroupAsync(partition, buffer, closeAfter), buffer);
    }

    private Task? CloseLeastRecentlyUsed(PartitionState except)
    {
        PartitionState? victim = null;
        foreach (var candidate in _partitions)
        {
            if (candidate.LogicallyOpen && !ReferenceEquals(candidate, except) && (victim is null || candidate.LastUsed < victim.LastUsed))
            {
                victim = candidate;
            }
        }

        if (victim is null)
        {
            return null;
        }

        victim.LogicallyOpen = false;
        victim.RowsInFile = 0;
        _openFiles--;
        victim.Tail = Chain(victim, null, () => CloseFileAsync(victim), null);
        return victim.Tail;
    }

    /// <summary>Runs <paramref name="job"/> after the partition's previous job (and <paramref name="dependency"/>), with an
    /// encoder slot. The returned task never faults: failures are recorded and surface on the next call.</summary>
    private Task Chain(PartitionState partition, Task? dependency, Func<Task> job, RowBuffer? buffer)
    {
        var previous = partition.Tail;
        return RunAsync();

        async Task RunAsync()
        {
            await previous.ConfigureAwait(false);
            if (dependency is not null)
            {
                await dependency.ConfigureAwait(false);
            }

            await _encoders.WaitAsync().ConfigureAwait(false);
            try
            {
                await job().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Fail(DescribeWriteFailure(partition, e));
            }
            finally
            {
                _encoders.Release();
                if (buffer is not null)
                {
                    ReturnBuffer(buffer);
                    Interlocked.Decrement(ref _inFlightBuffers);
                    _progress.Release();
                }
            }
        }
    }

    private async Task WriteRowGroupAsync(PartitionState partition, RowBuffer buffer, bool closeAfter)
    {
        if (Volatile.Read(ref _failure) is not null)
        {
            return;
        }

        if (partition.Writer is null)
        {
            await OpenFileAsync(partition).ConfigureAwait(false);
        }

        // Scratch buffers per encoder (this job holds an encoder slot), not per open file: with many partitions open
        // at once, per-file scratch would hold a row group's worth of conversion buffers for every file.
        var scratch = RentScratch();
        partition.Writer!.BorrowedScratch = scratch;
        try
        {
            using var batch = buffer.ToBatch(_table.FileSchema, _plans);
            await partition.Writer.WriteAsync(batch, _context.CancellationToken).ConfigureAwait(false);

            // Flush now: the writer holds a reference to the pooled arrays only until the row group is encoded.
            await partition.Writer.FlushRowGroupAsync(_context.CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            partition.Writer.BorrowedScratch = null;
            lock (_scratchPool)
            {
                _scratchPool.Push(scratch);
            }
        }

        partition.FileRows += buffer.Rows;
        if (closeAfter || (_options.TargetFileSizeBytes is { } target && partition.Writer.BytesWritten >= target))
        {
            await CloseFileAsync(partition).ConfigureAwait(false);
        }
    }

    private async Task OpenFileAsync(PartitionState partition)
    {
        var path = _transaction!.NewStagingPath();
        partition.StagingPath = path;
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, StagingBufferSize);
        try
        {
            partition.Writer = await ArrowParquetWriter.CreateAsync(stream, _table.FileSchema, _parquet, null, _context.CancellationToken).ConfigureAwait(false);

            // The lake encodes different partitions in parallel already: one file's columns are encoded in turn.
            partition.Writer.ParallelColumns = false;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        partition.Stream = stream;
        partition.StagingPath = path;
        partition.FileRows = 0;
        var open = Interlocked.Increment(ref _physicalOpenFiles);
        int peak;
        while (open > (peak = Volatile.Read(ref _peakOpenFiles)) && Interlocked.CompareExchange(ref _peakOpenFiles, open, peak) != peak)
        {
        }
    }

    private async Task CloseFileAsync(PartitionState partition)
    {
        if (partition.Writer is null || Volatile.Read(ref _failure) is not null)
        {
            return;
        }

        var writer = partition.Writer;
        var stream = partition.Stream!;
        await writer.CompleteAsync(_context.CancellationToken).ConfigureAwait(false);
        Notify(LakeCommitStep.StagedFileWritten);
        DurableFile.FsyncFile(stream);
        var length = stream.Length;
        await writer.DisposeAsync().ConfigureAwait(false);
        await stream.DisposeAsync().ConfigureAwait(false);
        partition.Writer = null;
        partition.Stream = null;
        Interlocked.Decrement(ref _physicalOpenFiles);
        Notify(LakeCommitStep.StagedFileSynced);

        var name = FileNaming.Format(_options.BasenameTemplate, _context.PipelineName, _context.RunNumber, _context.RunId, partition.FileSequence++);
        var directory = partition.Info.RelativeDirectory;
        var relative = directory.Length == 0 ? name : directory + "/" + name;
        lock (_gate)
        {
            _staged.Add(new StagedFile(partition.StagingPath!, relative, partition.Info.EscapedValues, partition.FileRows, length));
        }

        partition.FileRows = 0;
    }

    /// <summary>Keeps the capacity of every row buffer (filling, in flight, idle) within
    /// <see cref="LakeWriteOptions.MaxBufferedBytes"/>: frees idle buffers, then waits for encoders to hand buffers
    /// back, and writes out the largest buffer only when nothing is in flight.</summary>
    private async ValueTask KeepWithinBudgetAsync(CancellationToken cancellationToken)
    {
        var budget = _options.MaxBufferedBytes;
        while (_capacityBytes > budget && Volatile.Read(ref _failure) is null)
        {
            if (TrimFreeBuffer())
            {
                continue;
            }

            if (Volatile.Read(ref _inFlightBuffers) > 0)
            {
                await _progress.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            PartitionState? largest = null;
            foreach (var partition in _partitions)
            {
                if (partition.Current is { Rows: > 0 } current && (largest is null || current.CapacityBytes > largest.Current!.CapacityBytes))
                {
                    largest = partition;
                }
            }

            if (largest is null)
            {
                return;
            }

            Dispatch(largest, closeAfter: false);
        }
    }

    /// <summary>Frees one idle buffer; false when none is idle.</summary>
    private bool TrimFreeBuffer()
    {
        RowBuffer buffer;
        lock (_freeBuffers)
        {
            if (_freeBuffers.Count == 0)
            {
                return false;
            }

            buffer = _freeBuffers.Pop();
        }

        _capacityBytes -= buffer.CapacityBytes;
        buffer.Release();
        return true;
    }

    private async Task WaitForEncodersAsync()
    {
        var tails = new Task[_partitions.Count];
        for (var i = 0; i < tails.Length; i++)
        {
            tails[i] = _partitions[i].Tail;
        }

        await Task.WhenAll(tails).ConfigureAwait(false);
    }

    /// <summary>Closes files still open (after a failure or an abort) without completing them.</summary>
    private async Task CloseEverythingAsync()
    {
        foreach (var partition in _partitions)
        {
            if (partition.Writer is { } writer)
            {
                await writer.DisposeAsync().ConfigureAwait(false);
                partition.Writer = null;
            }

            if (partition.Stream is { } stream)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                partition.Stream = null;
                Interlocked.Decrement(ref _physicalOpenFiles);
            }
        }
    }

    private ScratchBuffers RentScratch()
    {
        lock (_scratchPool)
        {
            return _scratchPool.Count > 0 ? _scratchPool.Pop() : new ScratchBuffers();
        }
    }

    private RowBuffer RentBuffer()
    {
        lock (_freeBuffers)
        {
            if (_freeBuffers.Count > 0)
            {
                return _freeBuffers.Pop();
            }
        }

        return new RowBuffer(_plans.Length, _bufferMemory);
    }

    /// <summary>Keeps a buffer back from an encoder for reuse (the splitting thread frees idle buffers over budget).</summary>
    private void ReturnBuffer(RowBuffer buffer)
    {
        buffer.Reset();
        lock (_freeBuffers)
        {
            _freeBuffers.Push(buffer);
        }
    }

    /// <summary>One partition of the write: the buffer being filled (splitting thread) and the open file (its chain).</summary>
    private sealed class PartitionState
    {
        public PartitionState(PartitionInfo info)
        {
            Info = info;
        }

        public PartitionInfo Info { get; }

        // Splitting thread only.
        public RowBuffer? Current { get; set; }

        public long RowsInFile { get; set; }

        public bool LogicallyOpen { get; set; }

        public long LastUsed { get; set; }

        public Task Tail { get; set; } = Task.CompletedTask;

        // The partition's job chain only.
        public ArrowParquetWriter? Writer { get; set; }

        public FileStream? Stream { get; set; }

        public string? StagingPath { get; set; }

        public int FileSequence { get; set; }

        public long FileRows { get; set; }
    }
}
