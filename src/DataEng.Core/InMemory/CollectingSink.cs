using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// A sink that keeps committed batches in memory (for tests, notebooks and small results). Written batches are
/// shared references, visible in <see cref="Batches"/> only after the run commits; an aborted run leaves nothing.
/// Dispose the sink to release the batches.
/// </summary>
public sealed class CollectingSink : ISink, IDisposable
{
    private readonly object _gate = new();
    private readonly List<RecordBatch> _committed = [];
    private readonly HashSet<(string Pipeline, long Run)> _committedRuns = [];

    /// <summary>Creates a collecting sink.</summary>
    /// <param name="name">The stage name.</param>
    public CollectingSink(string name = "collect")
    {
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the committed batches, in commit and write order. They stay owned by the sink.</summary>
    public IReadOnlyList<RecordBatch> Batches
    {
        get
        {
            lock (_gate)
            {
                return [.. _committed];
            }
        }
    }

    /// <summary>Gets the schema of the last run, once one has been opened.</summary>
    public Schema? Schema { get; private set; }

    /// <summary>Gets the committed commits, in order.</summary>
    public IReadOnlyList<SinkCommit> Commits => _commits;

    private readonly List<SinkCommit> _commits = [];

    /// <summary>Gets the number of committed rows.</summary>
    public long RowCount
    {
        get
        {
            lock (_gate)
            {
                return _committed.Sum(static b => (long)b.Length);
            }
        }
    }

    /// <inheritdoc />
    public void Validate(Schema input)
    {
    }

    /// <inheritdoc />
    public ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
    {
        Schema = schema;
        return ValueTask.FromResult<ISinkWriter>(new Writer(this));
    }

    /// <summary>Releases every committed batch.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var batch in _committed)
            {
                batch.Dispose();
            }

            _committed.Clear();
        }
    }

    private sealed class Writer(CollectingSink sink) : ISinkWriter
    {
        private readonly List<RecordBatch> _pending = [];
        private SinkCommit? _prepared;
        private bool _committed;

        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_committed, this);
            _pending.Add(batch.Share());
            return ValueTask.CompletedTask;
        }

        public ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default)
        {
            _prepared = commit;
            return ValueTask.CompletedTask;
        }

        public ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            if (_committed)
            {
                return ValueTask.CompletedTask;
            }

            var commit = _prepared ?? throw new InvalidOperationException("Commit was called before prepare.");
            lock (sink._gate)
            {
                if (sink._committedRuns.Add((commit.PipelineName, commit.RunNumber)))
                {
                    sink._committed.AddRange(_pending);
                    sink._commits.Add(commit);
                }
                else
                {
                    DisposePending();
                }
            }

            _pending.Clear();
            _committed = true;
            return ValueTask.CompletedTask;
        }

        public ValueTask AbortAsync(CancellationToken cancellationToken = default)
        {
            if (!_committed)
            {
                DisposePending();
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => AbortAsync();

        private void DisposePending()
        {
            foreach (var batch in _pending)
            {
                batch.Dispose();
            }

            _pending.Clear();
        }
    }
}
