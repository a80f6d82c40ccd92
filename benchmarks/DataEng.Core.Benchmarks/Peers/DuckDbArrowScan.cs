using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.C;
using Apache.Arrow.Ipc;
using DuckDB.NET.Data;

namespace DataEng.Core.Benchmarks.Peers;

/// <summary>
/// Hands Arrow record batches to DuckDB without copying them into DuckDB first: the batches are exported through the
/// Arrow C stream interface and registered as a view with DuckDB's C API (<c>duckdb_arrow_scan</c>), which DuckDB.NET
/// does not wrap. DuckDB reads the batches' buffers in place while it executes the query that scans the view.
/// </summary>
/// <remarks>
/// A registration can be scanned once: the stream is consumed by the first query. DuckDB never releases the stream
/// (its C API leaves that to the caller), so <see cref="Dispose"/> releases and frees it after the query.
/// </remarks>
internal sealed unsafe partial class DuckDbArrowScan : IDisposable
{
    private CArrowArrayStream* _stream;

    private DuckDbArrowScan(CArrowArrayStream* stream)
    {
        _stream = stream;
    }

    /// <summary>Registers <paramref name="batches"/> as the view <paramref name="viewName"/> on <paramref name="connection"/>.</summary>
    /// <param name="connection">An open DuckDB connection.</param>
    /// <param name="viewName">The view to create (replaced if it exists).</param>
    /// <param name="schema">The batches' schema.</param>
    /// <param name="batches">The batches; they stay owned by the caller and must outlive the query.</param>
    public static DuckDbArrowScan Register(DuckDBConnection connection, string viewName, Schema schema, IReadOnlyList<RecordBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var stream = CArrowArrayStream.Create();
        try
        {
            CArrowArrayStreamExporter.ExportArrayStream(new SharedBatchStream(schema, batches), stream);
            var handle = connection.NativeConnection.DangerousGetHandle();
            if (NativeMethods.ArrowScan(handle, viewName, stream) != 0)
            {
                throw new InvalidOperationException($"duckdb_arrow_scan failed to register the view '{viewName}'.");
            }

            return new DuckDbArrowScan(stream);
        }
        catch
        {
            Release(stream);
            throw;
        }
    }

    public void Dispose()
    {
        if (_stream != null)
        {
            Release(_stream);
            _stream = null;
        }
    }

    private static void Release(CArrowArrayStream* stream)
    {
        // CArrowArrayStream.Free calls the release callback (if still set) and frees the struct.
        CArrowArrayStream.Free(stream);
    }

    private static partial class NativeMethods
    {
        [LibraryImport("duckdb", EntryPoint = "duckdb_arrow_scan", StringMarshalling = StringMarshalling.Utf8)]
        public static partial int ArrowScan(IntPtr connection, string tableName, CArrowArrayStream* stream);
    }

    /// <summary>
    /// An <see cref="IArrowArrayStream"/> over batches the caller keeps: yields a shared reference to each (the
    /// exporter takes its own reference to the buffers) and disposes those references when the stream is released.
    /// </summary>
    private sealed class SharedBatchStream(Schema schema, IReadOnlyList<RecordBatch> batches) : IArrowArrayStream
    {
        private readonly List<RecordBatch> _handedOut = [];
        private int _next;

        public Schema Schema => schema;

        public ValueTask<RecordBatch> ReadNextRecordBatchAsync(CancellationToken cancellationToken = default)
        {
            if (_next >= batches.Count)
            {
                return new ValueTask<RecordBatch>((RecordBatch)null!);
            }

            var batch = batches[_next++].Share();
            _handedOut.Add(batch);
            return new ValueTask<RecordBatch>(batch);
        }

        public void Dispose()
        {
            foreach (var batch in _handedOut)
            {
                batch.Dispose();
            }

            _handedOut.Clear();
        }
    }
}
