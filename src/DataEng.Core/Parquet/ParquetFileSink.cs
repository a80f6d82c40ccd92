using System.Globalization;
using Apache.Arrow;
using DataEng.Core.ParquetFormat;
using Microsoft.Extensions.Logging;

namespace DataEng.Core;

/// <summary>
/// Writes one Parquet file per run with a two-phase commit: batches go to a hidden staging file in the target's
/// directory (<c>.{name}.{runId}.inprogress</c>, never ending in <c>.parquet</c>); prepare completes and fsyncs it;
/// commit renames it atomically onto the target and fsyncs the directory; abort deletes it.
/// </summary>
internal sealed class ParquetFileSink : ISink
{
    /// <summary>The key/value metadata key for the pipeline name.</summary>
    public const string PipelineKey = "dataeng.pipeline";

    /// <summary>The key/value metadata key for the run number.</summary>
    public const string RunNumberKey = "dataeng.run_number";

    /// <summary>The key/value metadata key for the run id.</summary>
    public const string RunIdKey = "dataeng.run_id";

    /// <summary>The prefix of the key/value metadata keys holding commit properties.</summary>
    public const string PropertyPrefix = "dataeng.commit.";

    private readonly string _path;
    private readonly ParquetWriteOptions _options;

    public ParquetFileSink(string path, ParquetWriteOptions options)
    {
        _path = Path.GetFullPath(path);
        _options = options;
        Name = options.Name ?? "parquet:" + Path.GetFileName(_path);
    }

    public string Name { get; }

    public void Validate(Schema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _options.ThrowIfInvalid();
        _ = ParquetSchemaMapping.ForWrite(input);
    }

    public async ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        var directory = Path.GetDirectoryName(_path)!;
        DurableFile.CreateDirectoryDurable(directory);
        var staging = StagingPath(_path, context.RunId);
        var stream = new FileStream(staging, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, FileOptions.Asynchronous);
        try
        {
            var writer = await ArrowParquetWriter.CreateAsync(stream, schema, _options, null, cancellationToken).ConfigureAwait(false);
            Log.ParquetStagingOpened(context.Logger, _path, staging);
            return new Writer(_path, staging, stream, writer, context.Logger);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            DurableFile.TryDelete(staging);
            throw;
        }
    }

    /// <summary>Returns the staging path of a run: hidden, in the same directory, never ending in <c>.parquet</c>.</summary>
    internal static string StagingPath(string path, string runId)
    {
        // A run id is caller-chosen text: keep only characters that cannot change the directory or the suffix.
        var safe = string.Create(runId.Length, runId, static (span, id) =>
        {
            for (var i = 0; i < id.Length; i++)
            {
                span[i] = char.IsAsciiLetterOrDigit(id[i]) || id[i] is '-' or '_' ? id[i] : '_';
            }
        });
        return Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{safe}.inprogress");
    }

    private sealed class Writer(string path, string staging, FileStream stream, ArrowParquetWriter writer, ILogger logger) : ISinkWriter
    {
        private State _state;
        private bool _streamClosed;

        private enum State
        {
            Writing,
            Prepared,
            Committed,
            Aborted,
        }

        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
        {
            if (_state != State.Writing)
            {
                throw new InvalidOperationException($"The Parquet file '{path}' is {_state.ToString().ToLowerInvariant()}; no more batches can be written.");
            }

            return writer.WriteAsync(batch, cancellationToken);
        }

        public async ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(commit);
            if (_state == State.Prepared)
            {
                return;
            }

            if (_state != State.Writing)
            {
                throw new InvalidOperationException($"The Parquet file '{path}' is {_state.ToString().ToLowerInvariant()} and cannot be prepared.");
            }

            writer.Metadata[PipelineKey] = commit.PipelineName;
            writer.Metadata[RunNumberKey] = commit.RunNumber.ToString(CultureInfo.InvariantCulture);
            writer.Metadata[RunIdKey] = commit.RunId;
            foreach (var (key, value) in commit.Properties)
            {
                writer.Metadata[PropertyPrefix + key] = value;
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            DurableFile.FsyncFile(stream);
            await CloseStreamAsync().ConfigureAwait(false);
            _state = State.Prepared;
        }

        public ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            if (_state == State.Committed)
            {
                return ValueTask.CompletedTask;
            }

            if (_state != State.Prepared)
            {
                throw new InvalidOperationException($"The Parquet file '{path}' must be prepared before it is committed (it is {_state.ToString().ToLowerInvariant()}).");
            }

            // Once the rename starts the commit is finished regardless of cancellation.
            DurableFile.MoveDurable(staging, path, overwrite: true);
            _state = State.Committed;
            Log.ParquetFileCommitted(logger, path, writer.RowCount, writer.BytesWritten, writer.RowGroupCount);
            return ValueTask.CompletedTask;
        }

        public async ValueTask AbortAsync(CancellationToken cancellationToken = default)
        {
            if (_state is State.Committed or State.Aborted)
            {
                return;
            }

            _state = State.Aborted;
            await writer.DisposeAsync().ConfigureAwait(false);
            await CloseStreamAsync().ConfigureAwait(false);
            try
            {
                File.Delete(staging);
                Log.ParquetFileAborted(logger, path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.ParquetStagingNotDeleted(logger, e, staging);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await AbortAsync().ConfigureAwait(false);
            await writer.DisposeAsync().ConfigureAwait(false);
            await CloseStreamAsync().ConfigureAwait(false);
        }

        private async ValueTask CloseStreamAsync()
        {
            if (!_streamClosed)
            {
                _streamClosed = true;
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
