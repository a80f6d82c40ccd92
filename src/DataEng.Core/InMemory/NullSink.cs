using Apache.Arrow;

namespace DataEng.Core;

/// <summary>A sink that discards every batch (for benchmarks and dry runs). Commits trivially.</summary>
public sealed class NullSink : ISink
{
    /// <summary>Creates a null sink.</summary>
    /// <param name="name">The stage name.</param>
    public NullSink(string name = "null")
    {
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public void Validate(Schema input)
    {
    }

    /// <inheritdoc />
    public ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<ISinkWriter>(Writer.Instance);

    private sealed class Writer : ISinkWriter
    {
        public static readonly Writer Instance = new();

        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask CommitAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask AbortAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
