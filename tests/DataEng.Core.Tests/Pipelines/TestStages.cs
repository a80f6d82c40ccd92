using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core.Tests.Pipelines;

/// <summary>A source of <c>batches</c> batches of <c>rows</c> rows with sequential ids, allocated from a given allocator.</summary>
internal sealed class SequenceSource(int batches, int rows, MemoryAllocator? allocator = null, int failAfter = -1) : ISource
{
    public string Name => "sequence";

    public Schema Schema => TestData.Schema;

    public int Yielded;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < batches; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (i == failAfter)
            {
                throw new InvalidOperationException("source broke");
            }

            await Task.Yield();
            Yielded++;
            yield return TestData.Batch((long)i * rows, rows, allocator);
        }
    }
}

/// <summary>Adds 1000 to every amount; builds a new batch (reusing the id column by reference).</summary>
internal sealed class AddThousand(MemoryAllocator? allocator = null, Func<RecordBatch, bool>? failWhen = null, Action<RecordBatch>? onApply = null) : IBatchTransform
{
    public string Name => "add-thousand";

    public Schema GetOutputSchema(Schema input) => input;

    public RecordBatch Apply(RecordBatch input, RunContext context)
    {
        onApply?.Invoke(input);
        if (failWhen?.Invoke(input) == true)
        {
            throw new FormatException("bad amount");
        }

        var amounts = (DoubleArray)input.Column(1);
        var builder = new DoubleArray.Builder();
        for (var i = 0; i < amounts.Length; i++)
        {
            var v = amounts.GetValue(i);
            if (v is null)
            {
                builder.AppendNull();
            }
            else
            {
                builder.Append(v.Value + 1000);
            }
        }

        return new RecordBatch(input.Schema, [input.Column(0).Retain(), builder.Build(allocator)], input.Length);
    }
}

/// <summary>A stream transform that merges every two batches into one (stateful).</summary>
internal sealed class PairUp(MemoryAllocator? allocator = null) : IStreamTransform
{
    public string Name => "pair-up";

    public Schema GetOutputSchema(Schema input) => input;

    public async IAsyncEnumerable<RecordBatch> ApplyAsync(IAsyncEnumerable<RecordBatch> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RecordBatch? held = null;
        try
        {
            await foreach (var batch in input.WithCancellation(cancellationToken))
            {
                if (held is null)
                {
                    held = batch;
                    continue;
                }

                var merged = Concat(held, batch);
                held.Dispose();
                batch.Dispose();
                held = null;
                yield return merged;
            }

            if (held is not null)
            {
                var last = held;
                held = null;
                yield return last;
            }
        }
        finally
        {
            held?.Dispose();
        }
    }

    private RecordBatch Concat(RecordBatch a, RecordBatch b)
    {
        var ids = new Int64Array.Builder();
        var amounts = new DoubleArray.Builder();
        foreach (var batch in new[] { a, b })
        {
            var i64 = (Int64Array)batch.Column(0);
            var dbl = (DoubleArray)batch.Column(1);
            for (var i = 0; i < batch.Length; i++)
            {
                ids.Append(i64.GetValue(i)!.Value);
                amounts.Append(dbl.GetValue(i));
            }
        }

        return new RecordBatch(a.Schema, [ids.Build(allocator), amounts.Build(allocator)], a.Length + b.Length);
    }
}

/// <summary>A sink that records the calls it receives, and can fail on a given call.</summary>
internal sealed class RecordingSink(string? failOn = null) : ISink
{
    public readonly List<string> Calls = [];
    public readonly List<long> Ids = [];

    public string? FailOn => failOn;

    public string Name => "recording";

    public void Validate(Schema input)
    {
    }

    public ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
    {
        Calls.Add("open");
        if (failOn == "open")
        {
            throw new IOException("cannot open");
        }

        return ValueTask.FromResult<ISinkWriter>(new Writer(this));
    }

    private sealed class Writer(RecordingSink sink) : ISinkWriter
    {
        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
        {
            lock (sink.Calls)
            {
                sink.Calls.Add("write");
            }

            if (sink.FailOn == "write")
            {
                throw new IOException("disk on fire");
            }

            sink.Ids.AddRange(((Int64Array)batch.Column(0)).Values.ToArray());
            return ValueTask.CompletedTask;
        }

        public ValueTask PrepareAsync(SinkCommit commit, CancellationToken cancellationToken = default)
        {
            sink.Calls.Add("prepare");
            return sink.FailOn == "prepare" ? throw new IOException("fsync failed") : ValueTask.CompletedTask;
        }

        public ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            sink.Calls.Add("commit");
            return ValueTask.CompletedTask;
        }

        public ValueTask AbortAsync(CancellationToken cancellationToken = default)
        {
            sink.Calls.Add("abort");
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            sink.Calls.Add("dispose");
            return ValueTask.CompletedTask;
        }
    }
}
