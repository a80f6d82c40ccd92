using System.Diagnostics;
using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// One execution of a <see cref="Pipeline"/>: stages connected by bounded queues, consecutive batch transforms
/// fused into one segment run with ordered parallelism, first failure wins and cancels the rest. In steady state a
/// batch passing through allocates nothing in the runner: the queues wait on reusable value-task sources, the
/// parallel segment runs long-lived workers, and cancellation completes every queue once instead of registering
/// per wait.
/// </summary>
internal sealed class Run
{
    private readonly Pipeline _pipeline;
    private readonly RunContext _context;
    private readonly CancellationTokenSource _cancellation;
    private readonly IProgress<RunProgress>? _progress;
    private readonly PipelineOptions _options;
    private readonly StageCounter[] _counters;
    private readonly TimeProvider _time;
    private readonly List<BatchQueue> _queues = [];
    private Exception? _failure;
    private string? _failedStage;
    private int _failed;
    private long _startTimestamp;
    private long _lastProgressTimestamp;

    public Run(Pipeline pipeline, RunContext context, CancellationTokenSource cancellation, IProgress<RunProgress>? progress)
    {
        _pipeline = pipeline;
        _context = context;
        _cancellation = cancellation;
        _progress = progress;
        _options = pipeline.Options;
        _time = _options.TimeProvider;
        _counters = new StageCounter[pipeline.StageNames.Count];
        for (var i = 0; i < _counters.Length; i++)
        {
            _counters[i] = new StageCounter(pipeline.StageNames[i], pipeline.Name);
        }
    }

    private CancellationToken Token => _cancellation.Token;

    private string SinkName => _pipeline.StageNames[^1];

    public async Task<RunResult> ExecuteAsync()
    {
        var startedAt = _time.GetUtcNow();
        _startTimestamp = _lastProgressTimestamp = _time.GetTimestamp();
        ISinkWriter? writer = null;
        var committed = false;
        try
        {
            try
            {
                writer = await _pipeline.Sink.OpenAsync(_pipeline.OutputSchema, _context, Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Fail(SinkName, e);
            }

            if (writer is not null)
            {
                await RunStagesAsync(writer).ConfigureAwait(false);
            }

            if (_failed == 0 && !Token.IsCancellationRequested && writer is not null)
            {
                committed = await CommitAsync(writer).ConfigureAwait(false);
            }
        }
        finally
        {
            DrainChannels();
            if (writer is not null)
            {
                if (!committed)
                {
                    await AbortQuietlyAsync(writer).ConfigureAwait(false);
                }

                try
                {
                    await writer.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (!committed)
                {
                    Log.AbortFailed(_context.Logger, e, _pipeline.Name, _context.RunNumber, SinkName);
                }
            }
        }

        if (_failure is not null)
        {
            throw new PipelineStageException(_failedStage!, _pipeline.Name, _context.RunNumber, _context.RunId, _failure);
        }

        if (!committed)
        {
            // Cancelled before the commit began: nothing is visible. Once committed, the run succeeded even if the
            // caller cancelled while the commit was finishing.
            Token.ThrowIfCancellationRequested();
            throw new OperationCanceledException(Token);
        }

        var elapsed = _time.GetElapsedTime(_startTimestamp);
        ReportProgress(force: true);
        var stages = new StageMetrics[_counters.Length];
        for (var i = 0; i < stages.Length; i++)
        {
            var (skipped, deadLettered) = _context.Rejected.Of(_counters[i].Name);
            stages[i] = _counters[i].ToMetrics(KindOf(i), _time) with { RowsSkipped = skipped, RowsDeadLettered = deadLettered, BytesSpilled = _context.BytesSpilled(_counters[i].Name) };
        }

        var (totalSkipped, totalDeadLettered) = _context.Rejected.Total();
        if (totalSkipped > 0 || totalDeadLettered > 0)
        {
            var summary = string.Join(", ", stages.Where(static s => s.RowsSkipped > 0 || s.RowsDeadLettered > 0).Select(static s => $"'{s.Name}' {s.RowsSkipped} skipped, {s.RowsDeadLettered} dead-lettered"));
            Log.RunRejectedRows(_context.Logger, _pipeline.Name, _context.RunNumber, _context.RunId, totalSkipped, totalDeadLettered, summary.Length > 0 ? summary : "see the stages' logs");
        }

        return new RunResult(_pipeline.Name, _context.RunNumber, _context.RunId, startedAt, elapsed, stages)
        {
            RowsSkipped = totalSkipped,
            RowsDeadLettered = totalDeadLettered,
            CommitProperties = new Dictionary<string, string>(_context.CommitProperties, StringComparer.Ordinal),
        };
    }

    private StageKind KindOf(int stage) => stage == 0
        ? StageKind.Source
        : stage == _counters.Length - 1
            ? StageKind.Sink
            : _pipeline.Transforms[stage - 1] is IBatchTransform ? StageKind.BatchTransform : StageKind.StreamTransform;

    private async Task RunStagesAsync(ISinkWriter writer)
    {
        using var registration = Token.UnsafeRegister(static state => ((Run)state!).CompleteQueuesCancelled(), this);
        var tasks = new List<Task>();
        var current = NewQueue(_options.ChannelCapacity);
        tasks.Add(PumpSourceAsync(current));

        var transforms = _pipeline.Transforms;
        var index = 0;
        while (index < transforms.Count)
        {
            var next = NewQueue(_options.ChannelCapacity);
            if (transforms[index] is IStreamTransform stream)
            {
                tasks.Add(RunStreamTransformAsync(index + 1, stream, current, next));
                index++;
            }
            else
            {
                var first = index;
                while (index < transforms.Count && transforms[index] is IBatchTransform)
                {
                    index++;
                }

                var segment = new IBatchTransform[index - first];
                for (var i = 0; i < segment.Length; i++)
                {
                    segment[i] = (IBatchTransform)transforms[first + i];
                }

                tasks.Add(RunBatchSegmentAsync(first + 1, segment, current, next));
            }

            current = next;
        }

        tasks.Add(PumpSinkAsync(current, writer));
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private BatchQueue NewQueue(int capacity)
    {
        var queue = new BatchQueue(capacity);
        lock (_queues)
        {
            _queues.Add(queue);
        }

        if (Token.IsCancellationRequested)
        {
            queue.Complete(new OperationCanceledException(Token));
        }

        return queue;
    }

    /// <summary>Wakes every stage waiting on a queue with the cancellation (one registration per run, not per wait).</summary>
    private void CompleteQueuesCancelled()
    {
        BatchQueue[] queues;
        lock (_queues)
        {
            queues = [.. _queues];
        }

        foreach (var queue in queues)
        {
            queue.Complete(new OperationCanceledException(Token));
        }
    }

    private async Task PumpSourceAsync(BatchQueue output)
    {
        await Task.Yield();
        var counter = _counters[0];
        var schema = _pipeline.Source.Schema;
        try
        {
            var batches = _pipeline.Source.ReadAsync(_context, Token).GetAsyncEnumerator(Token);
            try
            {
                while (true)
                {
                    var start = _time.GetTimestamp();
                    var more = await batches.MoveNextAsync().ConfigureAwait(false);
                    counter.AddTime(_time.GetTimestamp() - start);
                    if (!more)
                    {
                        break;
                    }

                    var batch = batches.Current;
                    try
                    {
                        CheckSchema(batch, schema, _pipeline.Source.Name);
                        counter.Count(batch);
                    }
                    catch
                    {
                        batch.Dispose();
                        throw;
                    }

                    await output.WriteOrDisposeAsync(batch).ConfigureAwait(false);
                }
            }
            finally
            {
                await batches.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            Fail(counter.Name, e);
        }
        finally
        {
            output.Complete();
        }
    }

    private async Task RunStreamTransformAsync(int stage, IStreamTransform transform, BatchQueue input, BatchQueue output)
    {
        await Task.Yield();
        var counter = _counters[stage];
        try
        {
            var batches = transform.ApplyAsync(ReadOwnedAsync(input, counter, Token), _context, Token).GetAsyncEnumerator(Token);
            try
            {
                while (true)
                {
                    var start = _time.GetTimestamp();
                    var more = await batches.MoveNextAsync().ConfigureAwait(false);
                    counter.AddTime(_time.GetTimestamp() - start);
                    if (!more)
                    {
                        break;
                    }

                    var batch = batches.Current;
                    counter.Count(batch);
                    await output.WriteOrDisposeAsync(batch).ConfigureAwait(false);
                }
            }
            finally
            {
                await batches.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            Fail(counter.Name, e);
        }
        finally
        {
            output.Complete();
        }
    }

    private async IAsyncEnumerable<RecordBatch> ReadOwnedAsync(BatchQueue input, StageCounter waiting, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = _time.GetTimestamp();
            var more = await input.WaitToReadAsync().ConfigureAwait(false);
            // Time spent waiting for upstream is not the transform's own time: take it back out.
            waiting.AddTime(start - _time.GetTimestamp());
            if (!more)
            {
                yield break;
            }

            while (input.TryRead(out var batch))
            {
                yield return batch!;
            }
        }
    }

    private async Task RunBatchSegmentAsync(int firstStage, IBatchTransform[] transforms, BatchQueue input, BatchQueue output)
    {
        await Task.Yield();
        try
        {
            if (_options.MaxDegreeOfParallelism == 1)
            {
                while (await input.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (input.TryRead(out var batch))
                    {
                        var result = ApplyChain(firstStage, transforms, batch!);
                        if (result is not null)
                        {
                            await output.WriteOrDisposeAsync(result).ConfigureAwait(false);
                        }
                    }
                }
            }
            else
            {
                await RunOrderedParallelAsync(firstStage, transforms, input, output).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            Fail(_counters[firstStage].Name, e);
        }
        finally
        {
            output.Complete();
        }
    }

    /// <summary>
    /// Runs the segment on <c>MaxDegreeOfParallelism</c> long-lived workers. Batch <c>i</c> goes to worker
    /// <c>i mod n</c> and results are collected from the workers in the same rotation, so they leave in input order
    /// whatever order they finish in; each worker holds at most one batch waiting and one result waiting.
    /// </summary>
    private async Task RunOrderedParallelAsync(int firstStage, IBatchTransform[] transforms, BatchQueue input, BatchQueue output)
    {
        var count = _options.MaxDegreeOfParallelism;
        var inboxes = new BatchQueue[count];
        var outboxes = new BatchQueue[count];
        var workers = new Task[count];
        for (var i = 0; i < count; i++)
        {
            inboxes[i] = NewQueue(1);
            outboxes[i] = NewQueue(1);
        }

        for (var i = 0; i < count; i++)
        {
            workers[i] = WorkAsync(inboxes[i], outboxes[i]);
        }

        var dispatcher = DispatchAsync();
        try
        {
            // Collect in rotation; the first worker that ends without a result marks the end of the input.
            for (var next = 0; ; next = (next + 1) % count)
            {
                var outbox = outboxes[next];
                if (!await outbox.WaitToReadAsync().ConfigureAwait(false))
                {
                    break;
                }

                outbox.TryRead(out var result);
                if (result is not null)
                {
                    await output.WriteOrDisposeAsync(result).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            Fail(_counters[firstStage].Name, e);
        }
        finally
        {
            await dispatcher.ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(false);
        }

        async Task DispatchAsync()
        {
            await Task.Yield();
            try
            {
                var next = 0;
                while (await input.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (input.TryRead(out var batch))
                    {
                        await inboxes[next].WriteOrDisposeAsync(batch).ConfigureAwait(false);
                        next = (next + 1) % count;
                    }
                }
            }
            catch (Exception e)
            {
                Fail(_counters[firstStage].Name, e);
            }
            finally
            {
                foreach (var inbox in inboxes)
                {
                    inbox.Complete();
                }
            }
        }

        async Task WorkAsync(BatchQueue inbox, BatchQueue outbox)
        {
            await Task.Yield();
            try
            {
                while (await inbox.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (inbox.TryRead(out var batch))
                    {
                        // A dropped (empty) result still takes its turn, as null, so the rotation stays in step.
                        var result = ApplyChain(firstStage, transforms, batch!);
                        await outbox.WriteOrDisposeAsync(result).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e)
            {
                // ApplyChain has recorded its own failure; this records a failure to hand the result on.
                Fail(_counters[firstStage].Name, e);
            }
            finally
            {
                outbox.Complete();
            }
        }
    }

    private RecordBatch? ApplyChain(int firstStage, IBatchTransform[] transforms, RecordBatch batch)
    {
        var current = batch;
        for (var i = 0; i < transforms.Length; i++)
        {
            var counter = _counters[firstStage + i];
            var start = _time.GetTimestamp();
            RecordBatch next;
            try
            {
                next = transforms[i].Apply(current, _context);
            }
            catch (Exception e)
            {
                current.Dispose();
                Fail(counter.Name, e);
                throw;
            }

            if (!ReferenceEquals(next, current))
            {
                current.Dispose();
            }

            counter.AddTime(_time.GetTimestamp() - start);
            counter.Count(next);
            current = next;
            if (current.Length == 0)
            {
                current.Dispose();
                return null;
            }
        }

        return current;
    }

    private async Task PumpSinkAsync(BatchQueue input, ISinkWriter writer)
    {
        await Task.Yield();
        var counter = _counters[^1];
        try
        {
            while (await input.WaitToReadAsync().ConfigureAwait(false))
            {
                while (input.TryRead(out var nullable))
                {
                    var batch = nullable!;
                    try
                    {
                        var start = _time.GetTimestamp();
                        await writer.WriteAsync(batch, Token).ConfigureAwait(false);
                        counter.AddTime(_time.GetTimestamp() - start);
                        counter.Count(batch);
                    }
                    finally
                    {
                        batch.Dispose();
                    }

                    ReportProgress(force: false);
                }
            }
        }
        catch (Exception e)
        {
            Fail(counter.Name, e);
        }
    }

    private async Task<bool> CommitAsync(ISinkWriter writer)
    {
        var start = _time.GetTimestamp();
        using var activity = DataEngTelemetry.ActivitySource.StartActivity("pipeline.commit", ActivityKind.Internal);
        activity?.SetTag("dataeng.pipeline", _pipeline.Name);
        activity?.SetTag("dataeng.run.number", _context.RunNumber);
        var commit = new SinkCommit(_pipeline.Name, _context.RunNumber, _context.RunId, new Dictionary<string, string>(_context.CommitProperties, StringComparer.Ordinal));
        try
        {
            await writer.PrepareAsync(commit, Token).ConfigureAwait(false);

            // Once a commit begins it is allowed to finish: cancelling half way would only make recovery do the work.
            await writer.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(SinkName, e);
            return false;
        }
        finally
        {
            var elapsed = _time.GetElapsedTime(start);
            _counters[^1].AddTime(_time.GetTimestamp() - start);
            DataEngTelemetry.CommitDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("dataeng.pipeline", _pipeline.Name));
        }

        return true;
    }

    private async Task AbortQuietlyAsync(ISinkWriter writer)
    {
        try
        {
            await writer.AbortAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.AbortFailed(_context.Logger, e, _pipeline.Name, _context.RunNumber, SinkName);
        }
    }

    private void DrainChannels()
    {
        BatchQueue[] queues;
        lock (_queues)
        {
            queues = [.. _queues];
        }

        foreach (var queue in queues)
        {
            queue.Complete(new OperationCanceledException("The run ended."));
            while (queue.TryRead(out var batch))
            {
                batch?.Dispose();
            }
        }
    }

    private void Fail(string stage, Exception exception)
    {
        // A failure caused by the cancellation that an earlier failure (or the caller) requested is not news.
        if (_cancellation.IsCancellationRequested)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _failed, 1, 0) == 0)
        {
            _failure = exception;
            _failedStage = stage;
        }

        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ReportProgress(bool force)
    {
        if (_progress is null)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (!force && _time.GetElapsedTime(Volatile.Read(ref _lastProgressTimestamp), now) < _options.ProgressInterval)
        {
            return;
        }

        Volatile.Write(ref _lastProgressTimestamp, now);
        _progress.Report(new RunProgress(
            Interlocked.Read(ref _counters[0].Rows),
            Interlocked.Read(ref _counters[^1].Rows),
            Interlocked.Read(ref _counters[^1].Bytes),
            _time.GetElapsedTime(_startTimestamp, now)));
    }

    private static void CheckSchema(RecordBatch batch, Schema expected, string stage)
    {
        if (ReferenceEquals(batch.Schema, expected))
        {
            return;
        }

        var actual = batch.Schema;
        var same = actual.FieldsList.Count == expected.FieldsList.Count;
        for (var i = 0; same && i < actual.FieldsList.Count; i++)
        {
            var a = actual.FieldsList[i];
            var e = expected.FieldsList[i];
            same = a.Name == e.Name && a.DataType.TypeId == e.DataType.TypeId;
        }

        if (!same)
        {
            throw new SchemaMismatchException(
                $"Source '{stage}' yielded a batch whose schema differs from the one it declared.",
                [$"declared: {SchemaText.Describe(expected)}", $"yielded:  {SchemaText.Describe(actual)}"]);
        }
    }

    private sealed class StageCounter(string name, string pipeline)
    {
        public long Rows;
        public long Batches;
        public long Bytes;
        public long Ticks;

        public string Name { get; } = name;

        public void Count(RecordBatch batch)
        {
            var bytes = batch.GetBufferSize();
            Interlocked.Add(ref Rows, batch.Length);
            Interlocked.Increment(ref Batches);
            Interlocked.Add(ref Bytes, bytes);
            if (DataEngTelemetry.Rows.Enabled)
            {
                var p = new KeyValuePair<string, object?>("dataeng.pipeline", pipeline);
                var s = new KeyValuePair<string, object?>("dataeng.stage", Name);
                DataEngTelemetry.Rows.Add(batch.Length, p, s);
                DataEngTelemetry.Batches.Add(1, p, s);
                DataEngTelemetry.Bytes.Add(bytes, p, s);
            }
        }

        public void AddTime(long ticks) => Interlocked.Add(ref Ticks, ticks);

        public StageMetrics ToMetrics(StageKind kind, TimeProvider time)
            => new(Name, kind, Rows, Batches, Bytes, TimeSpan.FromSeconds(Math.Max(0, Ticks) / (double)time.TimestampFrequency));
    }
}
