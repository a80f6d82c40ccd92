using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.Hosting.Tests;

/// <summary>
/// A live table of increasing ids (the cursor and the key): every read returns all rows added so far, as a snapshot
/// that <see cref="Incremental.Over"/> filters. A read can be held open until released.
/// </summary>
internal sealed class LiveTable : GatedSource, ISource
{
    private static readonly Schema TableSchema = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false)).Build();
    private readonly List<long> _rows = [];

    public string Name => "live-table";

    public Schema Schema => TableSchema;

    public void Add(long first, long count)
    {
        lock (_rows)
        {
            for (var id = first; id < first + count; id++)
            {
                _rows.Add(id);
            }
        }
    }

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnterReadAsync(cancellationToken);

        var ids = new Int64Array.Builder();
        lock (_rows)
        {
            ids.AppendRange(_rows);
        }

        var column = ids.Build(context.Allocator);
        yield return new RecordBatch(TableSchema, [column], column.Length);
    }
}

/// <summary>
/// An in-memory sink whose commits carry the checkpoint (an <see cref="ICheckpointingSink"/>, as the lake is): the
/// committed ids and the commit properties become visible together; a repeated commit of a run is a no-op. A commit
/// can be held open until released.
/// </summary>
internal sealed class MemoryTableSink : ICheckpointingSink
{
    private readonly object _gate = new();
    private readonly List<long> _ids = [];
    private readonly List<CommittedRun> _commits = [];

    public string Name => "memory-table";

    public SemaphoreSlim? CommitGate { get; set; }

    public TaskCompletionSource CommitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Aborts { get; private set; }

    /// <summary>Gets the committed ids, in commit order.</summary>
    public IReadOnlyList<long> Ids
    {
        get
        {
            lock (_gate)
            {
                return [.. _ids];
            }
        }
    }

    public IReadOnlyList<CommittedRun> Commits
    {
        get
        {
            lock (_gate)
            {
                return [.. _commits];
            }
        }
    }

    public void Validate(Schema input)
    {
    }

    public ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<ISinkWriter>(new Writer(this));

    public ValueTask<CommittedRun?> GetLastCommitAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_commits.LastOrDefault());
        }
    }

    private sealed class Writer(MemoryTableSink sink) : ISinkWriter
    {
        private readonly List<long> _pending = [];
        private SinkCommit? _prepared;

        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
        {
            var ids = (Int64Array)batch.Column(0);
            for (var i = 0; i < ids.Length; i++)
            {
                _pending.Add(ids.GetValue(i)!.Value);
            }

            return ValueTask.CompletedTask;   // the runner owns the batch and disposes it after the write
        }

        public ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default)
        {
            _prepared = commit;
            return ValueTask.CompletedTask;
        }

        public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            sink.CommitStarted.TrySetResult();
            if (sink.CommitGate is not null)
            {
                await sink.CommitGate.WaitAsync(cancellationToken);
            }

            var commit = _prepared ?? throw new InvalidOperationException("Commit was called before prepare.");
            lock (sink._gate)
            {
                if (sink._commits.Any(c => c.RunNumber == commit.RunNumber))
                {
                    return;
                }

                sink._ids.AddRange(_pending);
                sink._commits.Add(new CommittedRun(commit.RunNumber, commit.RunId, new Dictionary<string, string>(commit.Properties.ToDictionary(), StringComparer.Ordinal)));
            }
        }

        public ValueTask AbortAsync(CancellationToken cancellationToken = default)
        {
            sink.Aborts++;
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
