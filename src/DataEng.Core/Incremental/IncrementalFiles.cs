using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>Incremental sources over the files of a folder: each run loads the files that are new since the last
/// committed run, each file once.</summary>
public static class IncrementalFiles
{
    /// <summary>Creates a source that loads new files of a folder, in order, each through the source
    /// <paramref name="openFile"/> makes for it (a CSV or Parquet source).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="searchPattern">Which files (for example <c>*.csv</c>); subfolders are not searched.</param>
    /// <param name="schema">The schema every file's source yields.</param>
    /// <param name="openFile">Makes the source of one file (full path).</param>
    /// <param name="order">How new files are recognised.</param>
    /// <param name="options">Lag, lookback and window bound (the cursor is the name or the modification time, the key is
    /// the name), or <see langword="null"/> for defaults.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for <c>files:folder</c>.</param>
    /// <returns>The source.</returns>
    public static IIncrementalSource Source(string folder, string searchPattern, Schema schema, Func<string, ISource> openFile, FileOrder order = FileOrder.ModifiedTime, IncrementalOptions? options = null, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(searchPattern);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(openFile);
        return new FileSource(Path.GetFullPath(folder), searchPattern, schema, openFile, order, (options ?? new IncrementalOptions()).Clone(), name ?? "files:" + folder);
    }

    private sealed class FileSource(string folder, string pattern, Schema schema, Func<string, ISource> openFile, FileOrder order, IncrementalOptions options, string name) : IIncrementalSource
    {
        private readonly ConcurrentDictionary<string, (IncrementalTracker Tracker, List<(CursorValue Cursor, string Name)> Files)> _plans = new(StringComparer.Ordinal);

        public string Name => name;

        public Schema Schema => schema;

        public ValueTask<IncrementalPlan> PlanAsync(IncrementalPlanContext context, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(context);
            var files = new List<(CursorValue Cursor, string Name)>();
            if (Directory.Exists(folder))
            {
                foreach (var path in Directory.EnumerateFiles(folder, pattern, SearchOption.TopDirectoryOnly))
                {
                    var fileName = Path.GetFileName(path);
                    var cursor = order == FileOrder.Name
                        ? CursorValue.String(fileName)
                        : CursorValue.FromClr(File.GetLastWriteTimeUtc(path))!.Value;
                    files.Add((cursor, fileName));
                }
            }

            files.Sort(static (a, b) => a.Cursor.CompareTo(b.Cursor) is var c && c != 0 ? c : string.CompareOrdinal(a.Name, b.Name));
            CursorValue? max = files.Count == 0 ? null : files[^1].Cursor;
            var tracker = IncrementalTracker.Plan(options, name, order == FileOrder.Name ? "name" : "modified", context.LastCommit, max, context.TimeProvider.GetUtcNow(), seesRowsBelowWindow: true);
            if (tracker.Low is { } below)
            {
                tracker.SkipBelowWindow(files.Count(f => f.Cursor < below));
            }

            var inRange = tracker.IsEmpty
                ? []
                : files.Where(f => f.Cursor <= tracker.High!.Value && (tracker.Low is not { } low || f.Cursor >= low)).ToList();
            _plans[context.RunId] = (tracker, inRange);
            var runId = context.RunId;
            return ValueTask.FromResult(new IncrementalPlan(tracker.Low?.Encode(), tracker.High?.Encode(), tracker.IsEmpty || inRange.Count == 0, () => _plans.TryRemove(runId, out _)));
        }

        public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (!_plans.TryRemove(context.RunId, out var plan))
            {
                throw new InvalidOperationException($"Source '{name}' is incremental: run its pipeline with RunIncrementalAsync, which plans each run before reading.");
            }

            foreach (var (cursor, fileName) in plan.Files)
            {
                if (!plan.Tracker.Accept(cursor, fileName, fileName))
                {
                    continue; // loaded by an earlier run
                }

                var source = openFile(Path.Combine(folder, fileName));
                await foreach (var batch in source.ReadAsync(context, cancellationToken).ConfigureAwait(false))
                {
                    yield return batch;
                }
            }

            plan.Tracker.Complete(context.CommitProperties);
            IncrementalTracker.ReportLateRows(plan.Tracker, name, context);
        }
    }
}
