using System.Text;
using System.Text.Json;

namespace DataEng.Core;

/// <summary>
/// The watermark logic of one incremental run: plans the range from the committed state, decides row by row what is
/// delivered (dedup of the lookback window by (cursor, key), null-cursor policy), and computes the next state.
/// </summary>
internal sealed class IncrementalTracker
{
    private readonly IncrementalOptions _options;
    private readonly string _source;
    private readonly string _cursorColumn;
    private readonly HashSet<(CursorValue Cursor, string Key)> _priorWindow;
    private readonly HashSet<string> _priorNullKeys;
    private readonly List<(CursorValue Cursor, string Key)> _candidates = [];
    private readonly List<string> _newNullKeys = [];
    private readonly List<CursorValue> _recent = [];
    private CursorValue? _maxDelivered;
    private bool _countsBelowWindow;
    private long _settledInRange;
    private int _recentLimit;
    private (long Rows, string Low)? _priorSettled;

    private IncrementalTracker(IncrementalOptions options, string source, string cursorColumn, CursorValue? watermark, HashSet<(CursorValue, string)> window, HashSet<string> nullKeys)
    {
        _options = options;
        _source = source;
        _cursorColumn = cursorColumn;
        Watermark = watermark;
        _priorWindow = window;
        _priorNullKeys = nullKeys;
    }

    /// <summary>Gets the committed watermark this run starts from.</summary>
    public CursorValue? Watermark { get; }

    /// <summary>Gets the inclusive lower bound of the read, or null for no lower bound.</summary>
    public CursorValue? Low { get; private set; }

    /// <summary>Gets the inclusive upper bound of the read, fixed before reading; null when there is nothing to read.</summary>
    public CursorValue? High { get; private set; }

    /// <summary>Gets a value indicating whether the source knows no upper bound: <see cref="High"/> is the largest value
    /// of the cursor's type, not a value seen in the source or taken from the clock.</summary>
    public bool IsHighUnbounded { get; private set; }

    /// <summary>Gets a value indicating whether the planned range holds nothing.</summary>
    public bool IsEmpty => High is null || (Low is { } low && High.Value < low);

    public long Delivered { get; private set; }

    public long Deduplicated { get; private set; }

    public long NullCursorRows { get; private set; }

    public IReadOnlySet<string> PriorNullKeys => _priorNullKeys;

    /// <summary>Gets the rows the source saw and skipped because their cursor is below <see cref="Low"/>.</summary>
    public long BelowWindow { get; private set; }

    /// <summary>Gets how many of <see cref="BelowWindow"/> were not there when the previous run read their range
    /// (known after <see cref="Complete"/>): rows that arrived too late to be loaded.</summary>
    public long LateRows { get; private set; }

    /// <summary>Plans a run: reads the committed state and fixes the bounds.</summary>
    /// <param name="options">The options.</param>
    /// <param name="source">The source name, for errors.</param>
    /// <param name="cursorColumn">The cursor column, for errors.</param>
    /// <param name="last">The last committed run, or null.</param>
    /// <param name="sourceMax">The largest cursor in the source now, or null when the source is empty.</param>
    /// <param name="now">The clock's current time.</param>
    /// <param name="normalize">Converts cursor values that did not come from the column (the initial value, the clock,
    /// and checkpoints written before the column's values were typed) into the column's kind, or null to keep them.</param>
    /// <param name="sourceMaxIsCeiling">Whether <paramref name="sourceMax"/> is the largest value of the cursor's type
    /// (the source cannot ask for its maximum), so that an upper bound left at it is reported as unbounded.</param>
    /// <param name="seesRowsBelowWindow">Whether the source reads every row, also those below the window (a snapshot,
    /// a folder), and reports them with <see cref="SkipBelowWindow"/>: the tracker then commits how many rows lie below
    /// the next run's window, so that the next run can tell rows that arrived too late from rows loaded long ago.</param>
    public static IncrementalTracker Plan(IncrementalOptions options, string source, string cursorColumn, CommittedRun? last, CursorValue? sourceMax, DateTimeOffset now, Func<CursorValue, CursorValue>? normalize = null, bool sourceMaxIsCeiling = false, bool seesRowsBelowWindow = false)
    {
        normalize ??= static v => v;
        CursorValue? watermark = null;
        var window = new HashSet<(CursorValue, string)>();
        var nullKeys = new HashSet<string>(StringComparer.Ordinal);
        if (last?.Get(IncrementalCommitKeys.Watermark) is { } w)
        {
            watermark = normalize(CursorValue.Decode(w));
        }

        if (last?.Get(IncrementalCommitKeys.Window) is { } windowText)
        {
            foreach (var (c, k) in ReadPairs(windowText))
            {
                window.Add((normalize(CursorValue.Decode(c)), k));
            }
        }

        if (last?.Get(IncrementalCommitKeys.NullKeys) is { } nullText)
        {
            foreach (var k in ReadStrings(nullText))
            {
                nullKeys.Add(k);
            }
        }

        var tracker = new IncrementalTracker(options, source, cursorColumn, watermark, window, nullKeys) { _countsBelowWindow = seesRowsBelowWindow };
        if (seesRowsBelowWindow && last?.Get(IncrementalCommitKeys.Settled) is { } settled
            && settled.IndexOf(' ', StringComparison.Ordinal) is var space and > 0
            && long.TryParse(settled.AsSpan(0, space), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var settledRows))
        {
            tracker._priorSettled = (settledRows, settled[(space + 1)..]);
        }

        tracker.Low = watermark is { } wm
            ? wm.SubtractLookback(options.Lookback, options.NumericLookback)
            : CursorValue.FromClr(options.InitialValue) is { } initial ? normalize(initial) : null;

        var high = sourceMax;
        if (high is { } max && (options.Lag > TimeSpan.Zero || options.CursorFromTime is not null))
        {
            var instant = now - options.Lag;
            CursorValue clock;
            if (options.CursorFromTime is { } convert)
            {
                clock = normalize(CursorValue.FromClr(convert(instant)) ?? throw new InvalidOperationException($"{nameof(IncrementalOptions.CursorFromTime)} returned null."));
            }
            else if (max.IsTemporal)
            {
                clock = max.FloorOfInstant(instant);
            }
            else
            {
                throw new InvalidOperationException($"Source '{source}': a lag needs a date/time cursor, but '{cursorColumn}' holds {max.Kind} values; set {nameof(IncrementalOptions.CursorFromTime)} to express the clock in cursor units.");
            }

            high = CursorValue.Min(max, clock);
        }

        if (high is { } h && watermark is { } prior && !h.IsSameKind(prior))
        {
            throw new DataEngException($"Source '{source}': the cursor column '{cursorColumn}' now holds {h.Kind} values but the checkpoint holds {prior.Encode()}. Convert the column back or reset the checkpoint.");
        }

        tracker.High = high;
        tracker.IsHighUnbounded = sourceMaxIsCeiling && high is { } top && sourceMax is { } ceiling && top == ceiling;
        return tracker;
    }

    /// <summary>Records rows the source saw and skipped because their cursor is below <see cref="Low"/>.</summary>
    /// <param name="rows">How many.</param>
    public void SkipBelowWindow(long rows = 1) => BelowWindow += rows;

    /// <summary>Decides whether a row is delivered, and records it.</summary>
    /// <param name="cursor">The row's cursor (null when the column is null).</param>
    /// <param name="key">The row's key text.</param>
    /// <param name="position">Where the row is, for errors.</param>
    /// <returns>Whether to deliver the row.</returns>
    public bool Accept(CursorValue? cursor, string key, string position)
    {
        if (cursor is not { } c)
        {
            NullCursorRows++;
            switch (_options.NullCursor)
            {
                case NullCursorPolicy.Exclude:
                    return false;
                case NullCursorPolicy.Include:
                    if (_priorNullKeys.Contains(key))
                    {
                        Deduplicated++;
                        return false;
                    }

                    _newNullKeys.Add(key);
                    Delivered++;
                    return true;
                default:
                    throw new DataFormatException(_source, null, _cursorColumn, $"the cursor is null at {position} (key {key}). Set {nameof(IncrementalOptions.NullCursor)} to Exclude or Include to accept such rows.");
            }
        }

        if (_countsBelowWindow)
        {
            RememberInRange(c);
        }

        if (Watermark is { } w && c <= w && _priorWindow.Contains((c, key)))
        {
            Deduplicated++;
            return false;
        }

        Delivered++;
        if (_maxDelivered is not { } max || c > max)
        {
            _maxDelivered = c;
        }

        _candidates.Add((c, key));
        if (_candidates.Count > (2 * _options.MaxWindowKeys) + 1024)
        {
            var floor = _maxDelivered.Value.SubtractLookback(_options.Lookback, _options.NumericLookback);
            _candidates.RemoveAll(p => p.Cursor < floor);
        }

        return true;
    }

    /// <summary>Computes the next committed state and adds it to the run's commit properties.</summary>
    public void Complete(IDictionary<string, string> properties)
    {
        CursorValue? next = Watermark;
        if (_maxDelivered is { } max && (next is not { } w || max > w))
        {
            next = max;
        }

        if (_countsBelowWindow)
        {
            CompleteBelowWindow(properties, next);
        }

        if (next is { } watermark)
        {
            var floor = watermark.SubtractLookback(_options.Lookback, _options.NumericLookback);
            var window = new SortedSet<(string, string)>();
            foreach (var (c, k) in _priorWindow.Concat(_candidates))
            {
                if (c >= floor)
                {
                    window.Add((c.Encode(), k));
                }
            }

            if (window.Count > _options.MaxWindowKeys)
            {
                throw new DataEngException($"Source '{_source}': {window.Count} rows have a cursor inside the lookback window [{floor.Encode()}, {watermark.Encode()}], more than {nameof(IncrementalOptions.MaxWindowKeys)} ({_options.MaxWindowKeys}). Raise {nameof(IncrementalOptions.MaxWindowKeys)} or shorten the lookback; nothing was committed.");
            }

            properties[IncrementalCommitKeys.Watermark] = watermark.Encode();
            properties[IncrementalCommitKeys.Window] = WritePairs(window);
        }

        var nullKeys = new SortedSet<string>(_priorNullKeys.Concat(_newNullKeys), StringComparer.Ordinal);
        if (nullKeys.Count > _options.MaxWindowKeys)
        {
            throw new DataEngException($"Source '{_source}': {nullKeys.Count} rows with a null cursor were included, more than {nameof(IncrementalOptions.MaxWindowKeys)} ({_options.MaxWindowKeys}); raise it or exclude such rows.");
        }

        if (nullKeys.Count > 0)
        {
            properties[IncrementalCommitKeys.NullKeys] = WriteStrings(nullKeys);
        }

        properties[IncrementalCommitKeys.Low] = Low?.Encode() ?? string.Empty;
        properties[IncrementalCommitKeys.High] = IsHighUnbounded ? IncrementalCommitKeys.Unbounded : High?.Encode() ?? string.Empty;
        properties[IncrementalCommitKeys.Rows] = Delivered.ToString(System.Globalization.CultureInfo.InvariantCulture);
        properties[IncrementalCommitKeys.Deduplicated] = Deduplicated.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Logs a warning and counts <see cref="LateRows"/> on the meter when a completed run skipped rows that
    /// arrived too late.</summary>
    /// <param name="tracker">The completed tracker.</param>
    /// <param name="source">The source name.</param>
    /// <param name="context">The run.</param>
    public static void ReportLateRows(IncrementalTracker tracker, string source, RunContext context)
    {
        if (tracker.LateRows == 0)
        {
            return;
        }

        Log.LateRowsSkipped(context.Logger, source, tracker.LateRows, context.RunNumber, context.PipelineName, tracker.Low?.ToDisplayString() ?? IncrementalCommitKeys.Unbounded);
        DataEngTelemetry.LateRows.Add(tracker.LateRows, new("dataeng.pipeline", context.PipelineName), new("dataeng.stage", source));
    }

    /// <summary>
    /// Keeps the cursors of rows read inside the range that may still lie below the next run's window, counting those
    /// that certainly will (below the largest watermark so far minus the lookback) instead of keeping them.
    /// </summary>
    private void RememberInRange(CursorValue cursor)
    {
        _recent.Add(cursor);
        var limit = Math.Max(_recentLimit, (2 * _options.MaxWindowKeys) + 1024);
        if (_recent.Count > limit)
        {
            var top = Watermark is { } w && (_maxDelivered is not { } m || w > m) ? w : _maxDelivered ?? cursor;
            var floor = CursorValue.Max(top, cursor).SubtractLookback(_options.Lookback, _options.NumericLookback);
            _settledInRange += _recent.RemoveAll(c => c < floor);

            // When few rows could go (a wide window), wait for the list to double before looking again: linear overall.
            _recentLimit = 2 * _recent.Count;
        }
    }

    /// <summary>
    /// Commits how many rows lie below the next run's window (<see cref="IncrementalCommitKeys.Settled"/>) and reports
    /// the rows below this run's window that were not below it last time (<see cref="LateRows"/>). Both counts cover
    /// the same range only when the window was not moved by a change of the lookback; otherwise no late rows are told.
    /// </summary>
    private void CompleteBelowWindow(IDictionary<string, string> properties, CursorValue? next)
    {
        if (_priorSettled is { } prior && Low is { } low && string.Equals(prior.Low, low.Encode(), StringComparison.Ordinal))
        {
            LateRows = Math.Max(0, BelowWindow - prior.Rows);
        }

        properties[IncrementalCommitKeys.BelowWindow] = BelowWindow.ToString(System.Globalization.CultureInfo.InvariantCulture);
        properties[IncrementalCommitKeys.LateRows] = LateRows.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (next is { } watermark)
        {
            var nextLow = watermark.SubtractLookback(_options.Lookback, _options.NumericLookback);
            var settled = BelowWindow + _settledInRange + _recent.Count(c => c < nextLow);
            properties[IncrementalCommitKeys.Settled] = settled.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + nextLow.Encode();
        }
    }

    private static string WritePairs(IEnumerable<(string Cursor, string Key)> pairs)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var (c, k) in pairs)
            {
                json.WriteStartArray();
                json.WriteStringValue(c);
                json.WriteStringValue(k);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string WriteStrings(IEnumerable<string> values)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var v in values)
            {
                json.WriteStringValue(v);
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static List<(string, string)> ReadPairs(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return [.. document.RootElement.EnumerateArray().Select(static e => (e[0].GetString()!, e[1].GetString()!))];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new DataFormatException("checkpoint", null, IncrementalCommitKeys.Window, "the lookback window is not valid JSON; reset the checkpoint.", e);
        }
    }

    private static List<string> ReadStrings(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return [.. document.RootElement.EnumerateArray().Select(static e => e.GetString()!)];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new DataFormatException("checkpoint", null, IncrementalCommitKeys.NullKeys, "the null-cursor keys are not valid JSON; reset the checkpoint.", e);
        }
    }
}
