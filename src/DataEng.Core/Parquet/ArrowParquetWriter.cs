using Apache.Arrow;

namespace DataEng.Core.ParquetFormat;

/// <summary>
/// Writes Arrow record batches to one Parquet file on a caller-owned stream: column chunks encoded by
/// <see cref="ParquetChunkEncoder"/>, the footer written by <see cref="ThriftCompactWriter"/>.
/// </summary>
/// <remarks>
/// <para>Supported Arrow types (written and read back identically): bool; int8, int16, int32, int64; uint8, uint16,
/// uint32, uint64; float; double; decimal128(p, s) with p ≤ 38 (INT32 for p ≤ 9, INT64 for p ≤ 18, otherwise
/// FIXED_LEN_BYTE_ARRAY(16)); string (UTF-8); binary; date32 (DATE); timestamp in s, ms, us or ns, with or without
/// time zone (INT64 TIMESTAMP; a time zone sets isAdjustedToUTC, seconds are stored as milliseconds; the unit and zone
/// name are restored from the key/value metadata). Nulls are supported in every type. Anything else is rejected by
/// <see cref="CreateAsync"/> with a <see cref="SchemaMismatchException"/> listing every unsupported column.</para>
/// <para>Batches are borrowed: the writer takes shared references (no copies) and accumulates them until
/// <see cref="ParquetWriteOptions.RowGroupSize"/> rows, then writes one row group. The columns are encoded straight
/// from the Arrow buffers into pages of about 1 MiB in encoders kept by the scratch buffers, the columns of a row
/// group in parallel unless <see cref="ParallelColumns"/> is off, then written in order.</para>
/// <para>The stream is not closed, flushed to disk or disposed: the caller owns it.</para>
/// </remarks>
internal sealed partial class ArrowParquetWriter : IAsyncDisposable
{
    private readonly CountingWriteStream _stream;
    private readonly ParquetWriteOptions _options;
    private readonly ParquetColumn[] _columns;
    private readonly Schema _schema;
    private readonly Dictionary<string, string> _metadata;
    private readonly List<RecordBatch> _pending = [];
    private ScratchBuffers? _ownScratch;
    private int _pendingRows;
    private long _bufferedBytes;
    private long _rowCount;
    private int _rowGroupCount;
    private bool _completed;
    private bool _disposed;

    private ArrowParquetWriter(CountingWriteStream stream, ParquetWriteOptions options, ParquetColumn[] columns, Schema schema, Dictionary<string, string> metadata)
    {
        _dictionary = new bool[columns.Length];
        _stream = stream;
        _options = options;
        _columns = columns;
        _schema = schema;
        _metadata = metadata;
    }

    /// <summary>Gets the key/value metadata written into the footer by <see cref="CompleteAsync"/>; entries may be added
    /// until then.</summary>
    public IDictionary<string, string> Metadata => _metadata;

    /// <summary>Gets the Arrow schema being written.</summary>
    public Schema Schema => _schema;

    /// <summary>Gets the number of rows accepted so far (written or buffered).</summary>
    public long RowCount => _rowCount + _pendingRows;

    /// <summary>Gets the number of row groups written so far.</summary>
    public int RowGroupCount => _rowGroupCount;

    /// <summary>Gets the number of bytes written to the stream so far.</summary>
    public long BytesWritten => _stream.BytesWritten;

    /// <summary>Gets the Arrow buffer bytes held for the next row group.</summary>
    public long BufferedBytes => _bufferedBytes;

    /// <summary>Gets or sets scratch buffers lent by the caller for the next row groups, or <see langword="null"/> to use
    /// the writer's own. A writer of many files at once (the lake) lends one set per encoder instead of keeping one per
    /// open file; the lender keeps ownership and must not use the set while it is lent.</summary>
    internal ScratchBuffers? BorrowedScratch { get; set; }

    /// <summary>Gets or sets a value indicating whether the columns of a row group are encoded in
    /// parallel. The lake turns it off: it already encodes different files in parallel.</summary>
    internal bool ParallelColumns { get; set; } = true;

    private ScratchBuffers Scratch => BorrowedScratch ?? (_ownScratch ??= new ScratchBuffers());

    /// <summary>Starts a Parquet file on <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream, owned by the caller (it is not closed).</param>
    /// <param name="schema">The Arrow schema of every batch.</param>
    /// <param name="options">Write options.</param>
    /// <param name="metadata">Key/value metadata stored in the footer, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The writer.</returns>
    /// <exception cref="SchemaMismatchException">A column type cannot be written; every such column is listed.</exception>
    public static async ValueTask<ArrowParquetWriter> CreateAsync(Stream stream, Schema schema, ParquetWriteOptions options, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        options = options.Clone();
        var columns = ParquetSchemaMapping.ForWrite(schema);
        var ownMetadata = metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        var counting = new CountingWriteStream(stream);
        await counting.WriteAsync(Magic, cancellationToken).ConfigureAwait(false);
        return new ArrowParquetWriter(counting, options, columns, schema, ownMetadata);
    }

    /// <summary>Accepts a batch. Borrowed: the writer keeps shared references, the caller still disposes it.</summary>
    /// <param name="batch">The batch; its schema must match the writer's.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is accepted (and any full row group written).</returns>
    /// <exception cref="SchemaMismatchException">The batch has another schema.</exception>
    /// <exception cref="DataFormatException">A non-nullable column contains nulls, or a value does not fit.</exception>
    public async ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfDone();
        if (!ReferenceEquals(batch.Schema, _schema))
        {
            SchemaMismatchException.ThrowIfAny("The batch does not have the schema of the Parquet file being written.", SchemaComparer.Differences(_schema, batch.Schema));
        }

        var offset = 0;
        while (offset < batch.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var take = Math.Min(batch.Length - offset, _options.RowGroupSize - _pendingRows);
            var part = offset == 0 && take == batch.Length ? batch.Share() : batch.SliceShared(offset, take);
            _pending.Add(part);
            _pendingRows += take;
            _bufferedBytes += part.GetBufferSize();
            offset += take;
            if (_pendingRows >= _options.RowGroupSize)
            {
                await FlushRowGroupAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes the buffered rows as a row group now (no-op when nothing is buffered).</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the row group is written.</returns>
    public async ValueTask FlushRowGroupAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDone();
        if (_pendingRows == 0)
        {
            DisposePending();
            return;
        }

        var rows = _pendingRows;
        ChooseEncodings();
        await WriteRowGroupAsync(rows, cancellationToken).ConfigureAwait(false);
        _rowCount += rows;
        _rowGroupCount++;
        DisposePending();
    }

    /// <summary>Writes the last row group and the footer, then flushes the stream (without closing or fsyncing it).</summary>
    /// <param name="cancellationToken">Cancels the completion.</param>
    /// <returns>A task that completes when the file is complete on the stream.</returns>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDone();
        await FlushRowGroupAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
        await WriteFooterAsync(cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases buffered batches and pooled buffers. Does not complete the file.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        DisposePending();
        _ownScratch?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void ThrowIfDone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("The Parquet file is already complete.");
        }
    }

    private void DisposePending()
    {
        foreach (var batch in _pending)
        {
            batch.Dispose();
        }

        _pending.Clear();
        _pendingRows = 0;
        _bufferedBytes = 0;
    }
}
