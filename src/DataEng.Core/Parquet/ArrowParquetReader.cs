using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Parquet;
using Parquet.Meta;

namespace DataEng.Core.ParquetFormat;

/// <summary>
/// Reads a Parquet file into Arrow record batches, one row group at a time. Every input is treated as hostile: the
/// footer is bounded and validated before Parquet.Net sees it, every failure surfaces as a
/// <see cref="ParquetFileException"/> naming the file (and row group and column when known), and nothing loops
/// forever or allocates more than the declared, bounded sizes.
/// </summary>
/// <remarks>
/// <para>Types: see <see cref="ArrowParquetWriter"/> for what round-trips. Files written by others are read too:
/// INT32/INT64 with any integer annotation, DATE, DECIMAL on INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY,
/// TIMESTAMP in ms/us/ns (isAdjustedToUTC gives the time zone "UTC"), legacy TIMESTAMP_MILLIS/MICROS, UTF8/ENUM/JSON as
/// string, other BYTE_ARRAY as binary. INT96 timestamps, time-of-day, float16, UUID/fixed binary and nested columns are
/// reported in <see cref="UnsupportedColumns"/>; they can be projected away.</para>
/// <para>Decoding: flat INT32/INT64/FLOAT/DOUBLE/BYTE_ARRAY chunks in PLAIN or dictionary encoding, v1 or v2 pages,
/// uncompressed, Snappy, Gzip or Zstd, are read by the reader's own <see cref="ParquetChunkDecoder"/> straight into the
/// Arrow buffers, the columns of a row group concurrently on the thread pool; everything else goes through Parquet.Net
/// (after <see cref="ValidatePagesAsync"/> has walked its pages).</para>
/// <para>Ownership: every yielded batch belongs to the caller and stays valid until the caller disposes it (the reader
/// keeps no reference). Buffers come from the allocator in the options (by default
/// <see cref="PooledMemoryAllocator.Shared"/>), so disposing a batch returns its memory for the next row groups.</para>
/// </remarks>
internal sealed partial class ArrowParquetReader : IAsyncDisposable
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly GuardedReadStream _guarded;
    private readonly ParquetReader _reader;
    private readonly ParquetSchemaMapping.ReadMapping _mapping;
    private readonly ParquetReadOptions _options;
    private readonly MemoryAllocator _allocator;
    private readonly FileMetaData _meta;
    private readonly ScratchBuffers _scratch = new();
    private readonly ParquetChunkDecoder?[] _decoders;
    private readonly byte[]?[] _chunkBuffers;
    private bool _disposed;

    private ArrowParquetReader(string displayName, Stream stream, bool ownsStream, GuardedReadStream guarded, ParquetReader reader, FileMetaData meta, ParquetSchemaMapping.ReadMapping mapping, ParquetReadOptions options, long rowCount)
    {
        DisplayName = displayName;
        _stream = stream;
        _ownsStream = ownsStream;
        _guarded = guarded;
        _reader = reader;
        _meta = meta;
        _mapping = mapping;
        _options = options;
        _allocator = options.Allocator ?? PooledMemoryAllocator.Shared;
        var leaves = meta.RowGroups.Count > 0 ? meta.RowGroups[0].Columns.Count : 0;
        _decoders = new ParquetChunkDecoder?[leaves];
        _chunkBuffers = new byte[]?[leaves];
        RowCount = rowCount;
        Metadata = reader.CustomMetadata is { } custom ? new Dictionary<string, string>(custom, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>Gets the file path or display name used in errors.</summary>
    public string DisplayName { get; }

    /// <summary>Gets the Arrow schema of the readable columns, in file order.</summary>
    public Schema Schema => _mapping.Schema;

    /// <summary>Gets the columns that cannot be read, with the reason for each.</summary>
    public IReadOnlyDictionary<string, string> UnsupportedColumns => _mapping.Unsupported;

    /// <summary>Gets the number of rows in the file.</summary>
    public long RowCount { get; }

    /// <summary>Gets the number of row groups.</summary>
    public int RowGroupCount => _meta.RowGroups.Count;

    /// <summary>Gets the key/value metadata of the file.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens a file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Read options, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The reader; dispose it to close the file.</returns>
    /// <exception cref="ParquetFileException">The file is missing, unreadable, corrupt or not Parquet.</exception>
    public static async ValueTask<ArrowParquetReader> OpenAsync(string path, ParquetReadOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.Asynchronous | FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ParquetFileException(path, null, null, $"the file cannot be opened: {e.Message}", e);
        }

        return await OpenAsync(stream, path, options, ownsStream: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a Parquet file held in a readable, seekable stream.</summary>
    /// <param name="stream">The stream; the reader does not close it unless <paramref name="ownsStream"/>.</param>
    /// <param name="displayName">The name used in errors.</param>
    /// <param name="options">Read options, or <see langword="null"/> for defaults.</param>
    /// <param name="ownsStream">Whether disposing the reader (or a failed open) disposes the stream.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The reader.</returns>
    /// <exception cref="ParquetFileException">The content is corrupt or not Parquet.</exception>
    public static async ValueTask<ArrowParquetReader> OpenAsync(Stream stream, string displayName, ParquetReadOptions? options, bool ownsStream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        options ??= new ParquetReadOptions();
        options.ThrowIfInvalid();
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Timeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(options.Timeout);
        }

        ParquetReader? reader = null;
        try
        {
            var length = stream.Length;
            await CheckEnvelopeAsync(stream, length, options, displayName, timeout.Token).ConfigureAwait(false);
            var guarded = new GuardedReadStream(stream, length) { Token = timeout.Token };
            reader = await ParquetReader.CreateAsync(guarded, new ParquetOptions(), leaveStreamOpen: true, timeout.Token).ConfigureAwait(false);
            var meta = reader.Metadata ?? throw new InvalidDataException("the file has no metadata");
            var mapping = ParquetSchemaMapping.ForRead(meta.Schema ?? [], reader.CustomMetadata ?? new Dictionary<string, string>());
            var rowCount = CheckRowGroups(meta, length, options, displayName);
            guarded.Token = CancellationToken.None;
            return new ArrowParquetReader(displayName, stream, ownsStream, guarded, reader, meta, mapping, options, rowCount);
        }
        catch (Exception e)
        {
            if (reader is not null)
            {
                await DisposeQuietlyAsync(reader).ConfigureAwait(false);
            }

            if (ownsStream)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            if (e is ParquetFileException)
            {
                throw;
            }

            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            if (e is OperationCanceledException)
            {
                throw new ParquetFileException(displayName, null, null, $"opening the file took longer than {options.Timeout}; the footer may be corrupt", e);
            }

            if (IsReadFailure(e))
            {
                throw new ParquetFileException(displayName, null, null, $"the file is corrupt or not Parquet: {e.Message}", e);
            }

            throw;
        }
    }

    /// <summary>Reads the file, one row group at a time.</summary>
    /// <param name="columns">The columns to read, in the order wanted, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The batches; the caller owns and disposes each.</returns>
    /// <exception cref="ParquetFileException">The data is corrupt, or a requested column cannot be read.</exception>
    /// <exception cref="ArgumentException">A requested column does not exist.</exception>
    public IAsyncEnumerable<RecordBatch> ReadAsync(IReadOnlyList<string>? columns = null, CancellationToken cancellationToken = default)
        => ReadAsync(columns, null, cancellationToken);

    /// <summary>Reads the file, one row group at a time, labelling the batches with a given schema.</summary>
    /// <param name="columns">The columns to read, in the order wanted, or <see langword="null"/> for all.</param>
    /// <param name="outputSchema">The schema of the yielded batches (same names and types as the columns read; used
    /// by multi-file sources so every batch carries the source's schema), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The batches; the caller owns and disposes each.</returns>
    public async IAsyncEnumerable<RecordBatch> ReadAsync(IReadOnlyList<string>? columns, Schema? outputSchema, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var selected = Resolve(columns);
        var schema = outputSchema ?? (columns is null ? Schema : new Schema(selected.Select(static c => c.ArrowField), null));
        if (schema.FieldsList.Count != selected.Count)
        {
            throw new ArgumentException("The output schema must have one field per column read.", nameof(outputSchema));
        }

        var batchSize = _options.BatchSize ?? int.MaxValue;
        for (var group = 0; group < _meta.RowGroups.Count; group++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = (int)_meta.RowGroups[group].NumRows;
            if (rows == 0)
            {
                continue;
            }

            var batch = await ReadRowGroupAsync(group, rows, selected, schema, cancellationToken).ConfigureAwait(false);
            if (rows <= batchSize)
            {
                yield return batch;
                continue;
            }

            try
            {
                for (var offset = 0; offset < rows; offset += batchSize)
                {
                    // A row group read whole is handed out in slices: a cancelled read stops between them too.
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return batch.SliceShared(offset, Math.Min(batchSize, rows - offset));
                }
            }
            finally
            {
                batch.Dispose();
            }
        }
    }

    /// <summary>Closes the file (when owned) and releases pooled buffers.</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _scratch.Dispose();
        foreach (var decoder in _decoders)
        {
            decoder?.Dispose();
        }

        foreach (var buffer in _chunkBuffers)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        System.Array.Clear(_decoders);
        System.Array.Clear(_chunkBuffers);
        await DisposeQuietlyAsync(_reader).ConfigureAwait(false);
        await _guarded.DisposeAsync().ConfigureAwait(false);
        if (_ownsStream)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private List<ParquetColumn> Resolve(IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            if (_mapping.Unsupported.Count > 0)
            {
                throw new ParquetFileException(DisplayName, null, null, "some columns cannot be read (list the others to read them): "
                    + string.Join("; ", _mapping.Unsupported.Select(static u => $"'{u.Key}': {u.Value}")));
            }

            return [.. _mapping.Columns];
        }

        var result = new List<ParquetColumn>(names.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!seen.Add(name))
            {
                throw new ArgumentException($"The column '{name}' is requested twice.", nameof(names));
            }

            var column = _mapping.Columns.FirstOrDefault(c => c.Name == name);
            if (column is not null)
            {
                result.Add(column);
            }
            else if (_mapping.Unsupported.TryGetValue(name, out var reason))
            {
                throw new ParquetFileException(DisplayName, null, name, reason);
            }
            else
            {
                throw new ArgumentException($"The Parquet file '{DisplayName}' has no column '{name}' (columns: {string.Join(", ", _mapping.Columns.Select(static c => c.Name))}).", nameof(names));
            }
        }

        return result;
    }

    private async ValueTask<RecordBatch> ReadRowGroupAsync(int group, int rows, List<ParquetColumn> columns, Schema schema, CancellationToken cancellationToken)
    {
        var arrays = new IArrowArray?[columns.Count];
        var decoding = new Task<IArrowArray>?[columns.Count];
        ParquetRowGroupReader? rowGroup = null;
        try
        {
            // Our own decoder: read each chunk's bytes here (sequential I/O) and decode it on the thread pool at once, so
            // the columns of a row group decode concurrently while the next chunk is read.
            for (var i = 0; i < columns.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var column = columns[i];
                var chunk = _meta.RowGroups[group].Columns[column.Index].MetaData!;
                if (!ParquetChunkDecoder.Supports(column, chunk))
                {
                    continue;
                }

                var bytes = await ReadChunkAsync(column, chunk, cancellationToken).ConfigureAwait(false);
                var length = (int)chunk.TotalCompressedSize;
                var decoder = _decoders[column.Index] ??= new ParquetChunkDecoder();
                var maxPage = MaxPageBytes(column, chunk, rows);
                var estimate = (int)Math.Min(Math.Min(chunk.TotalUncompressedSize, maxPage), int.MaxValue - 64);
                decoding[i] = Task.Run(() => decoder.Decode(bytes.AsSpan(0, length), column, chunk.Codec, rows, maxPage, _allocator, estimate, chunk.TotalUncompressedSize), cancellationToken);
            }

            // Parquet.Net for what our decoder does not cover, on this thread, while the decoders run.
            for (var i = 0; i < columns.Count; i++)
            {
                if (decoding[i] is null)
                {
                    rowGroup ??= _reader.OpenRowGroupReader(group);
                    arrays[i] = await ReadWithParquetNetAsync(rowGroup, group, columns[i], rows, cancellationToken).ConfigureAwait(false);
                }
            }

            for (var i = 0; i < columns.Count; i++)
            {
                if (decoding[i] is not { } task)
                {
                    continue;
                }

                try
                {
                    arrays[i] = await task.ConfigureAwait(false);
                }
                catch (NotSupportedException)
                {
                    // A page uses something our decoder does not implement: Parquet.Net reads the whole chunk again.
                    rowGroup ??= _reader.OpenRowGroupReader(group);
                    arrays[i] = await ReadWithParquetNetAsync(rowGroup, group, columns[i], rows, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not ParquetFileException && IsReadFailure(e))
                {
                    throw new ParquetFileException(DisplayName, group, columns[i].Name, $"the column data is corrupt: {e.Message}", e);
                }
            }

            return new RecordBatch(schema, arrays!, rows);
        }
        catch (Exception e)
        {
            // Decoders still running use this reader's scratch buffers: let them finish before anything is released.
            for (var i = 0; i < columns.Count; i++)
            {
                if (decoding[i] is { } task)
                {
                    try
                    {
                        arrays[i] ??= await task.ConfigureAwait(false);
                    }
                    catch (Exception ignored) when (IsReadFailure(ignored))
                    {
                        // The first failure is the one reported.
                    }
                }

                arrays[i]?.Dispose();
            }

            if (IsReadFailure(e) && e is not ParquetFileException)
            {
                throw new ParquetFileException(DisplayName, group, null, $"the row group is corrupt: {e.Message}", e);
            }

            throw;
        }
        finally
        {
            rowGroup?.Dispose();
        }
    }

    private async ValueTask<IArrowArray> ReadWithParquetNetAsync(ParquetRowGroupReader rowGroup, int group, ParquetColumn column, int rows, CancellationToken cancellationToken)
    {
        try
        {
            await ValidatePagesAsync(group, column, rows, cancellationToken).ConfigureAwait(false);
            return await ReadColumnAsync(rowGroup, column, rows, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ParquetFileException && IsReadFailure(e))
        {
            throw new ParquetFileException(DisplayName, group, column.Name, $"the column data is corrupt: {e.Message}", e);
        }
        catch (ParquetFileException e) when (e.RowGroup is null)
        {
            throw new ParquetFileException(DisplayName, group, column.Name, e.Problem ?? e.Message, e.InnerException);
        }
    }

    /// <summary>Reads a column chunk's bytes into this column's reusable buffer (its bounds were checked against the
    /// file when the reader opened).</summary>
    private async ValueTask<byte[]> ReadChunkAsync(ParquetColumn column, Parquet.Meta.ColumnMetaData chunk, CancellationToken cancellationToken)
    {
        var start = chunk.DictionaryPageOffset is > 0 and var d && d < chunk.DataPageOffset ? d : chunk.DataPageOffset;
        var length = (int)chunk.TotalCompressedSize;
        ref var buffer = ref _chunkBuffers[column.Index];
        if (buffer is null || buffer.Length < length)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = null;
            buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
        }

        var target = buffer;
        _stream.Seek(start, SeekOrigin.Begin);
        await _stream.ReadExactlyAsync(target.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        return target;
    }

    private static async ValueTask CheckEnvelopeAsync(Stream stream, long length, ParquetReadOptions options, string file, CancellationToken cancellationToken)
    {
        if (length < 12)
        {
            throw new ParquetFileException(file, null, null, $"the file has {length} bytes, too few to be Parquet (at least 12)");
        }

        var head = new byte[8];
        stream.Seek(0, SeekOrigin.Begin);
        await stream.ReadExactlyAsync(head.AsMemory(0, 4), cancellationToken).ConfigureAwait(false);
        if (!head.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new ParquetFileException(file, null, null, "the file does not start with the Parquet magic bytes 'PAR1'");
        }

        stream.Seek(length - 8, SeekOrigin.Begin);
        await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        if (!head.AsSpan(4, 4).SequenceEqual(Magic))
        {
            throw new ParquetFileException(file, null, null, "the file does not end with the Parquet magic bytes 'PAR1' (truncated or encrypted)");
        }

        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(head);
        if (footerLength <= 0 || footerLength > length - 12)
        {
            throw new ParquetFileException(file, null, null, $"the footer length {footerLength} does not fit the file ({length} bytes)");
        }

        if (footerLength > options.MaxFooterBytes)
        {
            throw new ParquetFileException(file, null, null, $"the footer is {footerLength} bytes, more than the allowed {options.MaxFooterBytes} (ParquetReadOptions.MaxFooterBytes)");
        }

        var footer = ArrayPool<byte>.Shared.Rent(footerLength);
        try
        {
            stream.Seek(length - 8 - footerLength, SeekOrigin.Begin);
            await stream.ReadExactlyAsync(footer.AsMemory(0, footerLength), cancellationToken).ConfigureAwait(false);
            if (!ThriftCompactValidator.TryValidateFileMetaData(footer.AsSpan(0, footerLength), out var error))
            {
                throw new ParquetFileException(file, null, null, $"the footer is corrupt: {error}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(footer);
        }

        stream.Seek(0, SeekOrigin.Begin);
    }

    private static long CheckRowGroups(FileMetaData meta, long length, ParquetReadOptions options, string file)
    {
        var schema = meta.Schema ?? throw new InvalidDataException("the file has no schema");
        var leaves = schema.Count(static e => e.NumChildren is null or 0) - (schema.Count > 0 && schema[0].NumChildren is null or 0 ? 1 : 0);
        var rowGroups = meta.RowGroups ?? throw new InvalidDataException("the file has no row group list");
        long total = 0;
        for (var g = 0; g < rowGroups.Count; g++)
        {
            var rowGroup = rowGroups[g];
            var rows = rowGroup.NumRows;
            if (rows < 0 || rows > options.MaxRowGroupRows || rows > ParquetWriteOptions.MaxRowGroupSize)
            {
                throw new ParquetFileException(file, g, null, rows < 0
                    ? $"the row group declares {rows} rows"
                    : $"the row group has {rows} rows, more than the allowed {Math.Min(options.MaxRowGroupRows, ParquetWriteOptions.MaxRowGroupSize)} (ParquetReadOptions.MaxRowGroupRows)");
            }

            total = checked(total + rows);
            var chunks = rowGroup.Columns ?? [];
            if (chunks.Count != leaves)
            {
                throw new ParquetFileException(file, g, null, $"the row group has {chunks.Count} column chunks but the schema has {leaves} columns");
            }

            foreach (var chunk in chunks)
            {
                var chunkMeta = chunk.MetaData ?? throw new ParquetFileException(file, g, null, "a column chunk has no metadata");
                var name = chunkMeta.PathInSchema is { Count: > 0 } path ? string.Join('.', path) : null;
                if (chunkMeta.NumValues < 0 || (chunkMeta.NumValues != rows && chunkMeta.PathInSchema?.Count == 1))
                {
                    // Flat columns hold exactly one value (or null) per row.
                    throw new ParquetFileException(file, g, name, $"the column chunk declares {chunkMeta.NumValues} values for {rows} rows");
                }

                var start = chunkMeta.DictionaryPageOffset is > 0 and var d && d < chunkMeta.DataPageOffset ? d : chunkMeta.DataPageOffset;
                var size = chunkMeta.TotalCompressedSize;
                if (start < 4 || size < 0 || start > length - 8 || size > length - 8 - start)
                {
                    throw new ParquetFileException(file, g, name, $"the column chunk (offset {start}, {size} bytes) lies outside the file ({length} bytes)");
                }
            }
        }

        return total;
    }

    /// <summary>Whether an exception comes from reading the file: anything but cancellation. Parquet.Net and its
    /// codecs (Snappier, ZstdSharp, K4os LZ4) throw a zoo of types on damaged input; all of them become one
    /// <see cref="ParquetFileException"/>.</summary>
    private static bool IsReadFailure(Exception e) => e is not OperationCanceledException;

    private static async ValueTask DisposeQuietlyAsync(ParquetReader reader)
    {
        try
        {
            await reader.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            // Nothing more can be done for a reader over a damaged file.
        }
    }
}
