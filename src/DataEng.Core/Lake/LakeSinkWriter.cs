using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// Writes one run into a lake. The calling thread splits each batch by partition (vectorised keys, counting sort,
/// gather into pooled per-partition buffers); full buffers become row groups encoded on the thread pool, one
/// sequential chain per partition file and up to <see cref="LakeWriteOptions.MaxDegreeOfParallelism"/> encoders at
/// once, so encoding overlaps the split of the next batch. Files are written to the staging area and published by
/// <see cref="LakeTransaction"/>.
/// </summary>
internal sealed partial class LakeSinkWriter : ISinkWriter
{
    private readonly LakeLayout _layout;
    private readonly LakeWriteOptions _options;
    private readonly ParquetWriteOptions _parquet;
    private readonly RunContext _context;
    private readonly LakeLog _log;
    private readonly LakeTableSchema _table;
    private readonly Schema _inputSchema;
    private readonly ColumnPlan[] _plans;
    private readonly PartitionKeyComputer _keys;
    private readonly LakeTransaction? _transaction;
    private readonly List<PartitionState> _partitions = [];
    private readonly List<StagedFile> _staged = [];
    private readonly Stack<RowBuffer> _freeBuffers = new();
    private readonly PooledMemoryAllocator _bufferMemory;
    private readonly SemaphoreSlim _encoders;
    private readonly SemaphoreSlim _progress = new(0);
    private readonly object _gate = new();
    private readonly string? _skipReason;
    private int[] _rowPartitions = [];
    private int[] _sorted = [];
    private int[] _counts = [];
    private long _useClock;
    private int _openFiles;
    private int _peakOpenFiles;
    private Exception? _failure;
    private SinkCommit? _commit;
    private State _state;

    private LakeSinkWriter(LakeLayout layout, LakeWriteOptions options, RunContext context, LakeLog log, LakeTableSchema table, Schema input, LakeTransaction? transaction, string? skipReason)
    {
        _layout = layout;
        _options = options;
        _context = context;
        _log = log;
        _table = table;
        _inputSchema = input;
        _transaction = transaction;
        _skipReason = skipReason;
        _plans = LakeSchemaResolver.Plan(table, input);
        _parquet = options.Parquet.Clone();
        _parquet.RowGroupSize = ParquetWriteOptions.MaxRowGroupSize;
        _encoders = new SemaphoreSlim(options.MaxDegreeOfParallelism);
        // Row buffers live in native memory owned by this writer: blocks a buffer outgrows are kept for reuse up to a
        // quarter of the budget, and everything is freed when the writer is disposed.
        _bufferMemory = new PooledMemoryAllocator(new PooledMemoryAllocatorOptions { MaxRetainedBytes = options.MaxBufferedBytes / 4 });
        var state = log.Latest;
        var existing = options.DetectCaseCollisions
            ? state.Files.Values.Select(static f => DirectoryOf(f.Record.Path)).Distinct(StringComparer.Ordinal).ToList()
            : null;
        _keys = new PartitionKeyComputer(input, [.. table.Partitioning], options.MaxPartitionsPerRun, options.DetectCaseCollisions, existing, layout.Root);
    }

    private enum State
    {
        Writing,
        Prepared,
        Committed,
        Aborted,
    }

    /// <summary>Gets the most data files that were open at once (for tests of <see cref="LakeWriteOptions.MaxOpenFiles"/>).</summary>
    internal int PeakOpenFiles => Volatile.Read(ref _peakOpenFiles);

    /// <summary>Gets the memory held by row buffers being filled or idle (diagnostics and tests).</summary>
    internal long BufferCapacityBytes
    {
        get
        {
            long total = _partitions.Sum(static p => p.Current?.CapacityBytes ?? 0);
            lock (_freeBuffers)
            {
                total += _freeBuffers.Sum(static b => b.CapacityBytes);
            }

            return total;
        }
    }

    /// <summary>Gets the published commit, once committed (null for a no-op).</summary>
    internal CommitRecord? Published { get; private set; }

    internal LakeTransaction? Transaction => _transaction;

    public static async ValueTask<LakeSinkWriter> OpenAsync(LakeLayout layout, LakeWriteOptions options, Schema input, RunContext context, CancellationToken cancellationToken)
    {
        if (File.Exists(layout.Root))
        {
            throw new DataEngException($"The lake root '{layout.Root}' is a file, not a folder.");
        }

        DurableFile.CreateDirectoryDurable(layout.Metadata);
        var log = new LakeLog(layout, context.Logger);
        await log.RefreshAsync(cancellationToken).ConfigureAwait(false);

        // Recovery first: what a crashed commit left must be gone before anything new is written.
        await LakeTransaction.RecoverAsync(layout, log, context.Logger, cancellationToken).ConfigureAwait(false);
        await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var state = log.Latest;
        if (options.Mode == LakeWriteMode.ErrorIfExists)
        {
            ThrowIfHasData(layout, state);
        }

        var table = LakeSchemaResolver.Resolve(state.Schema, input, [.. options.PartitionBy], options.KeepPartitionColumns, options.SchemaPolicy, layout.Root);
        if (state.IsCommitted(context.PipelineName, context.RunNumber))
        {
            Log.LakeRunAlreadyCommitted(context.Logger, layout.Root, context.PipelineName, context.RunNumber);
            return new LakeSinkWriter(layout, options, context, log, table, input, null, $"run {context.RunNumber} of pipeline '{context.PipelineName}' is already committed");
        }

        var transaction = LakeTransaction.Begin(layout, context.RunId, options.TransactionSettings, context.Logger);
        return new LakeSinkWriter(layout, options, context, log, table, input, transaction, null);
    }

    public async ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfFailed();
        if (_state != State.Writing)
        {
            throw new InvalidOperationException("The lake writer was already prepared, committed or aborted.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_transaction is null || batch.Length == 0)
        {
            return;
        }

        try
        {
            Split(batch);
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }

        await KeepWithinBudgetAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfFailed();
    }

    public async ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ThrowIfFailed();
        if (_state != State.Writing)
        {
            throw new InvalidOperationException("The lake writer was already prepared, committed or aborted.");
        }

        _commit = commit;
        if (_transaction is not null)
        {
            foreach (var partition in _partitions)
            {
                if (partition.Current is { Rows: > 0 })
                {
                    Dispatch(partition, closeAfter: true);
                }
                else
                {
                    partition.Tail = Chain(partition, null, () => CloseFileAsync(partition), null);
                    if (partition.LogicallyOpen)
                    {
                        partition.LogicallyOpen = false;
                        _openFiles--;
                    }
                }
            }

            await WaitForEncodersAsync().ConfigureAwait(false);
            ThrowIfFailed();
            cancellationToken.ThrowIfCancellationRequested();
            _transaction.SyncStaging();
            Notify(LakeCommitStep.Prepared);
        }

        _state = State.Prepared;
    }

    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_state == State.Committed)
        {
            return;
        }

        if (_state != State.Prepared || _commit is null)
        {
            throw new InvalidOperationException("Call PrepareAsync before CommitAsync.");
        }

        if (_transaction is null)
        {
            _state = State.Committed;
            return;
        }

        List<StagedFile> files;
        lock (_gate)
        {
            files = [.. _staged.OrderBy(static f => f.RelativePath, StringComparer.Ordinal)];
        }

        try
        {
            Published = await _transaction.CommitAsync(_log, files, Decide, _options.MaxCommitRetries, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }

        _state = State.Committed;
    }

    public async ValueTask AbortAsync(CancellationToken cancellationToken = default)
    {
        if (_state is State.Committed or State.Aborted)
        {
            return;
        }

        _state = State.Aborted;
        _failure ??= new OperationCanceledException("The lake write was aborted.");
        await WaitForEncodersAsync().ConfigureAwait(false);
        await CloseEverythingAsync().ConfigureAwait(false);
        _transaction?.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        if (_state is not State.Committed)
        {
            await AbortAsync().ConfigureAwait(false);
        }

        await WaitForEncodersAsync().ConfigureAwait(false);
        await CloseEverythingAsync().ConfigureAwait(false);
        foreach (var partition in _partitions)
        {
            partition.Current?.Release();
            partition.Current = null;
        }

        lock (_freeBuffers)
        {
            while (_freeBuffers.Count > 0)
            {
                _freeBuffers.Pop().Release();
            }
        }

        lock (_scratchPool)
        {
            while (_scratchPool.Count > 0)
            {
                _scratchPool.Pop().Dispose();
            }
        }

        _bufferMemory.Dispose();
        _transaction?.Dispose();
        _encoders.Dispose();
        _keys.Dispose();
        _progress.Dispose();
    }

    private static void ThrowIfHasData(LakeLayout layout, LakeState state)
    {
        if (state.Files.Count > 0)
        {
            throw new DataEngException($"The lake '{layout.Root}' already has data ({state.Files.Count} files at version {state.Version}) and the write mode is ErrorIfExists. Use Append or OverwritePartitions, or write to another folder.");
        }

        if (state.Version == 0 && Directory.Exists(layout.Root)
            && Directory.EnumerateFiles(layout.Root, "*.parquet", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden })
                .Any(p => !Path.GetRelativePath(layout.Root, p).StartsWith(FileNaming.MetadataFolder, StringComparison.Ordinal)))
        {
            throw new DataEngException($"The folder '{layout.Root}' already holds Parquet files (not written by this library) and the write mode is ErrorIfExists.");
        }
    }

    private CommitDecision Decide(LakeState state)
    {
        var commit = _commit!;
        if (state.IsCommitted(commit.PipelineName, commit.RunNumber))
        {
            Log.LakeRunAlreadyCommitted(_context.Logger, _layout.Root, commit.PipelineName, commit.RunNumber);
            return CommitDecision.NoOp("already committed");
        }

        if (_options.Mode == LakeWriteMode.ErrorIfExists)
        {
            ThrowIfHasData(_layout, state);
        }

        // Another writer may have changed the schema since this one opened: the files written must still fit.
        var table = LakeSchemaResolver.Resolve(state.Schema, _table.InputSchema, [.. _options.PartitionBy], _options.KeepPartitionColumns, _options.SchemaPolicy, _layout.Root);
        List<DataFileRecord> added;
        lock (_gate)
        {
            added = [.. _staged.OrderBy(static f => f.RelativePath, StringComparer.Ordinal).Select(static f => new DataFileRecord(f.RelativePath, f.Partition, f.Rows, f.Bytes))];
        }

        var removed = new List<string>();
        if (_options.Mode == LakeWriteMode.OverwritePartitions)
        {
            var touched = new HashSet<string>(added.Select(static f => DirectoryOf(f.Path)), StringComparer.Ordinal);
            foreach (var path in state.Files.Keys)
            {
                if (touched.Contains(DirectoryOf(path)))
                {
                    removed.Add(path);
                }
            }

            removed.Sort(StringComparer.Ordinal);
        }

        return CommitDecision.Commit(new CommitRecord
        {
            Version = state.Version + 1,
            Operation = _options.Mode == LakeWriteMode.OverwritePartitions ? LakeOperation.Overwrite : LakeOperation.Append,
            Timestamp = _context.TimeProvider.GetUtcNow(),
            PipelineName = commit.PipelineName,
            RunNumber = commit.RunNumber,
            RunId = commit.RunId,
            Properties = new Dictionary<string, string>(commit.Properties, StringComparer.Ordinal),
            Schema = table,
            Added = added,
            Removed = removed,
        });
    }

    internal static string DirectoryOf(string relativePath)
    {
        var slash = relativePath.LastIndexOf('/');
        return slash < 0 ? string.Empty : relativePath[..slash];
    }

    /// <summary>
    /// Names the staged file and the partition in a failure to write them when the disk is full or a file size limit
    /// was hit (the runtime reports EFBIG as an <see cref="ArgumentOutOfRangeException"/> without a path); other
    /// failures are kept as they are (their classification as transient or terminal must not change).
    /// </summary>
    private Exception DescribeWriteFailure(PartitionState partition, Exception e)
    {
        if (!DiskFull.Is(e))
        {
            return e;
        }

        var partitionText = partition.Info.RelativeDirectory.Length == 0 ? "(unpartitioned)" : partition.Info.RelativeDirectory;
        var file = partition.StagingPath ?? _transaction?.StagingFolder ?? _layout.Metadata;
        return new DataEngException(
            $"The lake '{_layout.Root}' ran out of space writing the staged file '{file}' of partition '{partitionText}' (run {_context.RunNumber} of pipeline '{_context.PipelineName}'): "
            + $"{DiskFull.Describe(e)}. Nothing of this run was committed and the checkpoint is unchanged. Free disk space (or raise the file size limit) and run again; the next run removes what this one staged.",
            e);
    }

    private void Notify(LakeCommitStep step) => _transaction!.Notify(step);

    private void ThrowIfFailed()
    {
        var failure = Volatile.Read(ref _failure);
        if (failure is null)
        {
            return;
        }

        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    private void Fail(Exception e)
    {
        Interlocked.CompareExchange(ref _failure, e, null);
    }
}
