using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Makes any source incremental by filtering its rows on a cursor column (for sources that cannot push a
/// range down, such as an API or a re-exported file).</summary>
public static class Incremental
{
    /// <summary>
    /// Wraps a source that yields a full snapshot on every read: each run delivers only the rows whose cursor lies in
    /// the planned range and that were not delivered before (recognised by (cursor, key) in the lookback window).
    /// The cursor keeps the exact value of its Arrow type (a nanosecond timestamp stays in nanoseconds).
    /// </summary>
    /// <param name="source">The source; it is read whole on every run.</param>
    /// <param name="options">The cursor and key columns (required), the name and the incremental settings (lag and
    /// lookback apply to date/time cursors). They are copied: later changes do not reach the source.</param>
    /// <returns>The incremental source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid (or name a schema, which only a SQL
    /// table has); every problem is listed.</exception>
    public static IIncrementalSource Over(ISource source, IncrementalOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var resolved = options.Clone();
        var name = resolved.Name ?? source.Name;
        var problems = new ValidationProblems();
        problems.AddRange(resolved.Validate());
        problems.AddIf(resolved.SchemaName is not null, $"{nameof(IncrementalOptions.SchemaName)} applies to a SQL table only; leave it unset for {nameof(Incremental)}.{nameof(Over)}.");
        problems.ThrowIfAny($"{nameof(IncrementalOptions)} of '{name}'");
        return new FilteringSource(source, resolved.CursorColumn, [.. resolved.KeyColumns], resolved, name);
    }

    private sealed class FilteringSource(ISource inner, string cursorColumn, string[] keyColumns, IncrementalOptions options, string name) : IIncrementalSource
    {
        private readonly ConcurrentDictionary<string, IncrementalTracker> _plans = new(StringComparer.Ordinal);

        public string Name => name;

        public Schema Schema
        {
            get
            {
                var schema = inner.Schema;
                var problems = keyColumns.Prepend(cursorColumn).Where(c => schema.GetFieldIndex(c) < 0).Select(c => $"Column '{c}' is not in the schema of '{name}'.").ToList();
                if (schema.GetFieldIndex(cursorColumn) is var index and >= 0 && Ceiling(schema.FieldsList[index].DataType) is null)
                {
                    problems.Add($"Column '{cursorColumn}' of type {schema.FieldsList[index].DataType.Name} cannot be a cursor here; use an integer, decimal, floating-point, date or timestamp column.");
                }

                SchemaMismatchException.ThrowIfAny($"Source '{name}' cannot read incrementally.", problems);
                return schema;
            }
        }

        public ValueTask<IncrementalPlan> PlanAsync(IncrementalPlanContext context, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(context);
            var schema = Schema;
            var ceiling = Ceiling(schema.FieldsList[schema.GetFieldIndex(cursorColumn)].DataType)!.Value;

            // A full snapshot has no maximum to ask for: the bound is the largest value of the type, lowered to
            // now − lag for date/time cursors. A bound left at the type's maximum is reported as unbounded.
            var tracker = IncrementalTracker.Plan(options, name, cursorColumn, context.LastCommit, ceiling, context.TimeProvider.GetUtcNow(), sourceMaxIsCeiling: true, seesRowsBelowWindow: true);
            _plans[context.RunId] = tracker;
            var runId = context.RunId;
            return ValueTask.FromResult(new IncrementalPlan(tracker.Low?.Encode(), tracker.High?.Encode(), tracker.IsEmpty, () => _plans.TryRemove(runId, out _)) { IsHighUnbounded = tracker.IsHighUnbounded });
        }

        public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (!_plans.TryRemove(context.RunId, out var tracker))
            {
                throw new InvalidOperationException($"Source '{name}' is incremental: run its pipeline with RunIncrementalAsync, which plans each run before reading.");
            }

            var schema = inner.Schema;
            var cursor = schema.GetFieldIndex(cursorColumn);
            var keys = keyColumns.Select(k => schema.GetFieldIndex(k)).ToArray();
            var keyValues = new object?[keys.Length];
            long row = 0;
            await foreach (var batch in inner.ReadAsync(context, cancellationToken).ConfigureAwait(false))
            {
                RecordBatch output;
                try
                {
                    var keep = new bool[batch.Length];
                    var cursors = batch.Column(cursor);
                    for (var i = 0; i < batch.Length; i++)
                    {
                        row++;
                        var value = CursorValue.FromArrow(cursors, i);
                        if (value is { } v && tracker.Low is { } low && v < low)
                        {
                            tracker.SkipBelowWindow();
                            continue;
                        }

                        if (value is { } above && above > tracker.High!.Value)
                        {
                            continue;
                        }

                        for (var k = 0; k < keys.Length; k++)
                        {
                            var column = batch.Column(keys[k]);
                            keyValues[k] = column.IsNull(i) ? null : BadRows.Format(column, i);
                        }

                        keep[i] = tracker.Accept(value, CursorValue.KeyText(keyValues), $"row {row} of the run");
                    }

                    output = BadRows.Filter(batch, keep, context.Allocator);
                }
                catch
                {
                    batch.Dispose();
                    throw;
                }

                if (!ReferenceEquals(output, batch))
                {
                    batch.Dispose();
                }

                if (output.Length == 0)
                {
                    output.Dispose();
                    continue;
                }

                yield return output;
            }

            tracker.Complete(context.CommitProperties);
            IncrementalTracker.ReportLateRows(tracker, name, context);
        }

        private static CursorValue? Ceiling(IArrowType type) => type switch
        {
            Int8Type or Int16Type or Int32Type or Int64Type or UInt8Type or UInt16Type or UInt32Type => CursorValue.Integer(long.MaxValue),
            Decimal128Type => CursorValue.FromClr(decimal.MaxValue),
            DoubleType or FloatType => CursorValue.FromClr(double.PositiveInfinity),
            Date32Type or Date64Type => CursorValue.FromClr(DateOnly.MaxValue),
            TimestampType t => CursorValue.Timestamp(long.MaxValue, t.Unit),
            _ => null,
        };
    }
}
