using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core.Testing;

/// <summary>
/// Wraps a source and makes some of its reads fail with a <see cref="TransientDataEngException"/> (or an exception of
/// your choice) on a <see cref="FlakySchedule"/>, to test retries and exactly-once behaviour. Batches pass through
/// unchanged and keep the inner source's ownership rules (the caller owns every yielded batch).
/// </summary>
public sealed class FlakySource : ISource
{
    private readonly ISource _inner;
    private readonly FlakySchedule _schedule;
    private readonly Func<int, Exception>? _createException;
    private int _calls;
    private int _failures;

    /// <summary>Creates a flaky source.</summary>
    /// <param name="inner">The source that provides the data.</param>
    /// <param name="schedule">When reads fail.</param>
    /// <param name="createException">Creates the exception for a failing call (given its number), or
    /// <see langword="null"/> for a <see cref="TransientDataEngException"/>.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for the inner source's name.</param>
    public FlakySource(ISource inner, FlakySchedule schedule, Func<int, Exception>? createException = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(schedule);
        _inner = inner;
        _schedule = schedule;
        _createException = createException;
        Name = name ?? inner.Name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Schema Schema => _inner.Schema;

    /// <summary>Gets how many reads have started.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets how many reads have failed on purpose.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _calls);
        var fails = _schedule.Fails(call);
        var yielded = 0;
        if (fails && _schedule.BatchesBeforeFailure == 0)
        {
            throw Failure(call, 0);
        }

        await foreach (var batch in _inner.ReadAsync(context, cancellationToken).ConfigureAwait(false))
        {
            yield return batch;
            yielded++;
            if (fails && yielded == _schedule.BatchesBeforeFailure)
            {
                throw Failure(call, yielded);
            }
        }

        if (fails)
        {
            // The inner source had fewer batches than the partial page: fail at its end.
            throw Failure(call, yielded);
        }
    }

    private Exception Failure(int call, int yielded)
    {
        Interlocked.Increment(ref _failures);
        return _createException?.Invoke(call)
            ?? new TransientDataEngException($"Source '{Name}' failed on purpose on read {call} after {yielded} batch{(yielded == 1 ? "" : "es")} ({_schedule}).");
    }
}
