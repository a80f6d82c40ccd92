using Apache.Arrow;

namespace DataEng.Core;

internal sealed partial class LakeSinkWriter
{
    /// <summary>Rows per gather block: a block of every column stays in the L2 cache while all partitions read it.</summary>
    private const int GatherBlockRows = 16_384;

    private int _physicalOpenFiles;
    private int[] _cursors = [];

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

    private void Append(PartitionState partition, RecordBatch batch, ReadOnlySpan<int> indices)
    {
        var rowGroup = _options.RowGroupSize;
        var maxRows = _options.MaxRowsPerFile;
        while (!indices.IsEmpty)
        {
            var buffer = partition.Current ??= RentBuffer();
            var room = rowGroup - buffer.Rows;
            if (maxRows is { } max)
            {
                room = (int)Math.Min(room, max - partition.RowsInFile - buffer.Rows);
            }

            var take = Math.Min(room, indices.Length);
            var before = buffer.Bytes;
            buffer.Append(batch, _plans, indices[..take]);
            _bufferedBytes += buffer.Bytes - before;
            indices = indices[take..];
            var fileFull = maxRows is { } limit && partition.RowsInFile + buffer.Rows >= limit;
            if (buffer.Rows >= rowGroup || fileFull)
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
        _bufferedBytes -= buffer.Bytes;
        Interlocked.Add(ref _inFlightBytes, buffer.Bytes);
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
                    Interlocked.Add(ref _inFlightBytes, -buffer.Bytes);
                    ReturnBuffer(buffer);
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

        using (var batch = buffer.ToBatch(_table.FileSchema, _plans))
        {
            await partition.Writer!.WriteAsync(batch, _context.CancellationToken).ConfigureAwait(false);

            // Flush now: the writer holds a reference to the pooled arrays only until the row group is encoded.
            await partition.Writer.FlushRowGroupAsync(_context.CancellationToken).ConfigureAwait(false);
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
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        try
        {
            partition.Writer = await ArrowParquetWriter.CreateAsync(stream, _table.FileSchema, _parquet, null, _context.CancellationToken).ConfigureAwait(false);
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

    /// <summary>Keeps buffered plus in-flight rows within <see cref="LakeWriterOptions.MaxBufferedBytes"/>: writes out the
    /// largest buffers, then waits for encoders.</summary>
    private async ValueTask KeepWithinBudgetAsync(CancellationToken cancellationToken)
    {
        var budget = _options.MaxBufferedBytes;
        if (_bufferedBytes + Volatile.Read(ref _inFlightBytes) <= budget)
        {
            return;
        }

        if (_bufferedBytes > budget / 2)
        {
            var candidates = _partitions.Where(static p => p.Current is { Rows: > 0 }).OrderByDescending(static p => p.Current!.Bytes).ToList();
            foreach (var partition in candidates)
            {
                if (_bufferedBytes <= budget / 4)
                {
                    break;
                }

                Dispatch(partition, closeAfter: false);
            }
        }

        while (Volatile.Read(ref _inFlightBytes) > budget / 2 && Volatile.Read(ref _failure) is null)
        {
            await _progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
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

    private RowBuffer RentBuffer()
    {
        lock (_freeBuffers)
        {
            if (_freeBuffers.Count > 0)
            {
                return _freeBuffers.Pop();
            }
        }

        return new RowBuffer(_plans.Length);
    }

    private void ReturnBuffer(RowBuffer buffer)
    {
        buffer.Reset();
        lock (_freeBuffers)
        {
            if (_freeBuffers.Count < 2 * _options.MaxDegreeOfParallelism + 2)
            {
                _freeBuffers.Push(buffer);
                return;
            }
        }

        buffer.Release();
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
