using System.Runtime.CompilerServices;
using Apache.Arrow;
using DataEng.Core.Testing;

namespace DataEng.Core.Hosting.Tests;

/// <summary>
/// What the test sources share: a read can be held open on <see cref="Gate"/> (with the run's cancellation token),
/// signals <see cref="ReadStarted"/>, and can fail on demand.
/// </summary>
internal abstract class GatedSource
{
    /// <summary>When set, each read waits on it (with the run's cancellation token) before yielding.</summary>
    public SemaphoreSlim? Gate { get; set; }

    /// <summary>Completes when a read has started (replace it to wait for the next one).</summary>
    public TaskCompletionSource ReadStarted { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Exception? FailWith { get; set; }

    public bool SawCancellation { get; private set; }

    /// <summary>Signals the start of a read, waits at the gate, then throws <see cref="FailWith"/> if set.</summary>
    protected async Task EnterReadAsync(CancellationToken cancellationToken)
    {
        ReadStarted.TrySetResult();
        if (Gate is not null)
        {
            try
            {
                await Gate.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                SawCancellation = true;
                throw;
            }
        }

        if (FailWith is not null)
        {
            throw FailWith;
        }
    }
}

/// <summary>A source of one small batch per run; it can hold a run open until released, and can fail on demand.</summary>
internal sealed class ControlledSource : GatedSource, ISource
{
    private readonly RecordBatch _batch = TestBatch.Parse("id:int64\n1\n2");
    private int _active;
    private int _maxActive;

    public string Name => "controlled";

    public Schema Schema => _batch.Schema;

    public int MaxConcurrentReads => Volatile.Read(ref _maxActive);

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var active = Interlocked.Increment(ref _active);
        InterlockedMax(ref _maxActive, active);
        try
        {
            await EnterReadAsync(cancellationToken);

            yield return _batch.Share();
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private static void InterlockedMax(ref int location, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref location)) && Interlocked.CompareExchange(ref location, value, current) != current)
        {
        }
    }
}

/// <summary>A sink that records calls and can hold a commit open until released.</summary>
internal sealed class ControlledSink : ISink
{
    private readonly List<string> _calls = [];

    public string Name => "controlled-sink";

    public SemaphoreSlim? CommitGate { get; set; }

    public TaskCompletionSource CommitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public int Commits => Calls.Count(c => c == "commit-done");

    public void Validate(Schema input)
    {
    }

    public ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<ISinkWriter>(new Writer(this));

    private void Record(string call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }

    private sealed class Writer(ControlledSink sink) : ISinkWriter
    {
        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
        {
            sink.Record("write");
            return ValueTask.CompletedTask;
        }

        public ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default)
        {
            sink.Record("prepare");
            return ValueTask.CompletedTask;
        }

        public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            sink.Record("commit");
            sink.CommitStarted.TrySetResult();
            if (sink.CommitGate is not null)
            {
                await sink.CommitGate.WaitAsync(cancellationToken);
            }

            sink.Record("commit-done");
        }

        public ValueTask AbortAsync(CancellationToken cancellationToken = default)
        {
            sink.Record("abort");
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
