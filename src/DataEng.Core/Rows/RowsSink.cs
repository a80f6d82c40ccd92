using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// A sink that turns the batches it receives into rows of <typeparamref name="T"/> (matched by column name, see
/// <see cref="DataEng.Core.Rows.ToList{T}"/>) and keeps them in memory. Two-phase: rows written in a run become visible in
/// <see cref="Rows"/> only when the run commits; an aborted run leaves nothing. Committing the same run twice adds
/// its rows once. Create one with <see cref="DataEng.Core.Rows.Collect{T}"/>.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
/// <remarks>Batches are converted while they are written, so the sink keeps no Arrow memory.</remarks>
public sealed class RowsSink<T> : ISink
{
    private readonly object _gate = new();
    private readonly RowMapper<T> _mapper;
    private readonly List<T> _committed = [];
    private readonly List<SinkCommit> _commits = [];
    private readonly HashSet<(string Pipeline, long Run)> _committedRuns = [];

    internal RowsSink(RowMapper<T> mapper, string name)
    {
        _mapper = mapper;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets a snapshot of the committed rows, in commit order then write order.</summary>
    public IReadOnlyList<T> Rows
    {
        get
        {
            lock (_gate)
            {
                return _committed.ToArray();
            }
        }
    }

    /// <summary>Gets the number of committed rows.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _committed.Count;
            }
        }
    }

    /// <summary>Gets the committed commits, in order.</summary>
    public IReadOnlyList<SinkCommit> Commits
    {
        get
        {
            lock (_gate)
            {
                return _commits.ToArray();
            }
        }
    }

    /// <summary>Returns a new list of the committed rows, in commit order then write order.</summary>
    /// <returns>The rows; the list belongs to the caller.</returns>
    public List<T> ToList()
    {
        lock (_gate)
        {
            return [.. _committed];
        }
    }

    /// <summary>Forgets every committed row and commit.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _committed.Clear();
            _commits.Clear();
            _committedRuns.Clear();
        }
    }

    /// <inheritdoc />
    /// <exception cref="SchemaMismatchException">A property of <typeparamref name="T"/> has no column, or a column
    /// type it cannot be read from; every problem is listed.</exception>
    public void Validate(Schema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _mapper.Bind(input);
    }

    /// <inheritdoc />
    public ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult<ISinkWriter>(new Writer(this, schema, _mapper.Bind(schema), context));
    }

    private sealed class Writer(RowsSink<T> sink, Schema schema, RowBinding<T> binding, RunContext context) : ISinkWriter
    {
        private readonly List<T> _pending = [];
        private SinkCommit? _prepared;
        private bool _done;

        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(batch);
            ObjectDisposedException.ThrowIf(_done, this);
            var rows = System.Buffers.ArrayPool<T>.Shared.Rent(Math.Max(batch.Length, 1));
            try
            {
                var reader = ReferenceEquals(batch.Schema, schema) ? binding : sink._mapper.Bind(batch.Schema);
                reader.Read(batch, rows, new DecodeContext(sink.Name, _pending.Count + 1));
                _pending.AddRange(new ArraySegment<T>(rows, 0, batch.Length));
            }
            finally
            {
                System.Buffers.ArrayPool<T>.Shared.Return(rows, System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>());
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(commit);
            _prepared = commit;
            return ValueTask.CompletedTask;
        }

        public ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            if (_done)
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
            }

            Log.RowsCommitted(context.Logger, sink.Name, _pending.Count, commit.RunNumber, commit.PipelineName);
            _pending.Clear();
            _done = true;
            return ValueTask.CompletedTask;
        }

        public ValueTask AbortAsync(CancellationToken cancellationToken = default)
        {
            if (!_done)
            {
                _pending.Clear();
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => AbortAsync();
    }
}
