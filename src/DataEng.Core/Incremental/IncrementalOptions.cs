using Polly;

namespace DataEng.Core;

/// <summary>
/// Options of an incremental source: its name, cursor and key columns, the cursor's start, lag and lookback window,
/// the null-cursor policy and paging.
/// </summary>
/// <remarks>
/// <para>Each run reads the range <c>[low, high]</c>: <c>high</c> is fixed before reading, as
/// min(source maximum, now − <see cref="Lag"/>); <c>low</c> is the last watermark minus <see cref="Lookback"/>
/// (inclusive). Rows of that window already delivered are recognised by (cursor, key) and skipped, so ties at the low
/// bound and late rows inside the lookback are never lost nor delivered twice. The new watermark is the largest
/// cursor actually delivered.</para>
/// </remarks>
public sealed class IncrementalOptions
{
    /// <summary>Gets or sets the stage name used in errors, logs and run results.</summary>
    /// <value>The default value is <see langword="null"/>: the wrapped source's name for <see cref="Incremental.Over"/>,
    /// <c>sql:</c> and the table (or <c>sql:query</c>) for <see cref="Sql.Incremental(Func{System.Data.Common.DbConnection}, string, IncrementalOptions)"/>.</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the cursor column: an integer, decimal, floating-point, date, timestamp or (SQL) string
    /// column, ideally indexed together with the key columns. Required.</summary>
    /// <value>The default value is an empty string, which is not valid.</value>
    public string CursorColumn { get; set; } = "";

    /// <summary>Gets or sets the key columns identifying a row (the primary key): they order ties of the cursor and
    /// recognise rows read again. Required.</summary>
    /// <value>The default value is empty, which is not valid.</value>
    public IReadOnlyList<string> KeyColumns { get; set; } = [];

    /// <summary>Gets or sets the schema of the table read by <see cref="Sql.Incremental(Func{System.Data.Common.DbConnection}, string, IncrementalOptions)"/>.</summary>
    /// <value>The default value is <see langword="null"/>: the connection's default schema. Only a SQL table has one.</value>
    public string? SchemaName { get; set; }

    /// <summary>Gets or sets the cursor value the first run starts at (inclusive): a <see cref="long"/> (or other
    /// integer), <see cref="decimal"/>, <see cref="double"/>, <see cref="DateOnly"/>, <see cref="DateTime"/>,
    /// <see cref="DateTimeOffset"/> or <see cref="string"/> of the cursor column's type.</summary>
    /// <value>The default value is <see langword="null"/>: the first run reads everything up to the upper bound.</value>
    public object? InitialValue { get; set; }

    /// <summary>Gets or sets how far behind the clock the upper bound stays, so rows still being written are left for
    /// the next run. Needs a date/time cursor, or <see cref="CursorFromTime"/>.</summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>. Must not be negative.</value>
    public TimeSpan Lag { get; set; }

    /// <summary>Gets or sets the window below the last watermark that is read again to catch late rows (date/time
    /// cursors). Rows already delivered are skipped by key.</summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/> (only rows tied with the watermark are re-checked).
    /// Must not be negative.</value>
    public TimeSpan Lookback { get; set; }

    /// <summary>Gets or sets the lookback window of numeric cursors (in cursor units).</summary>
    /// <value>The default value is 0. Must not be negative.</value>
    public decimal NumericLookback { get; set; }

    /// <summary>Gets or sets how a clock instant is expressed as a cursor value, for cursors that are not date/time
    /// columns (for example <c>t =&gt; t.ToUnixTimeMilliseconds()</c>), so that <see cref="Lag"/> applies.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<DateTimeOffset, object>? CursorFromTime { get; set; }

    /// <summary>Gets or sets what happens to rows whose cursor is null.</summary>
    /// <value>The default value is <see cref="NullCursorPolicy.Fail"/>.</value>
    public NullCursorPolicy NullCursor { get; set; } = NullCursorPolicy.Fail;

    /// <summary>Gets or sets the most (cursor, key) pairs the checkpoint keeps for the lookback window; a run whose
    /// window would hold more fails rather than risk a duplicate.</summary>
    /// <value>The default value is 100 000. Must be at least 1.</value>
    public int MaxWindowKeys { get; set; } = 100_000;

    /// <summary>Gets or sets the rows per page (keyset pagination) and per batch.</summary>
    /// <value>The default value is 10 000. Must be at least 1.</value>
    public int PageSize { get; set; } = 10_000;

    /// <summary>Gets or sets the resilience pipeline around each page read. A page that fails transiently is read
    /// again from the last row delivered: no duplicate, no gap.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="DataEngResilience.CreateSourcePipeline"/> on the
    /// pipeline's clock. Use <see cref="ResiliencePipeline.Empty"/> for no retries.</value>
    public ResiliencePipeline? Resilience { get; set; }

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            problems.Add($"{nameof(Name)} must not be blank when set.");
        }

        if (string.IsNullOrEmpty(CursorColumn))
        {
            problems.Add($"{nameof(CursorColumn)} must name the cursor column.");
        }

        if (KeyColumns is null || KeyColumns.Count == 0 || KeyColumns.Any(string.IsNullOrEmpty) || KeyColumns.Distinct(StringComparer.Ordinal).Count() != KeyColumns.Count)
        {
            problems.Add($"{nameof(KeyColumns)} must name at least one key column, each once (the primary key).");
        }

        if (SchemaName is not null && string.IsNullOrWhiteSpace(SchemaName))
        {
            problems.Add($"{nameof(SchemaName)} must not be blank when set.");
        }

        if (Lag < TimeSpan.Zero)
        {
            problems.Add($"{nameof(Lag)} must not be negative (was {Lag}).");
        }

        if (Lookback < TimeSpan.Zero)
        {
            problems.Add($"{nameof(Lookback)} must not be negative (was {Lookback}).");
        }

        if (NumericLookback < 0)
        {
            problems.Add($"{nameof(NumericLookback)} must not be negative (was {NumericLookback}).");
        }

        if (MaxWindowKeys < 1)
        {
            problems.Add($"{nameof(MaxWindowKeys)} must be at least 1 (was {MaxWindowKeys}).");
        }

        if (PageSize < 1)
        {
            problems.Add($"{nameof(PageSize)} must be at least 1 (was {PageSize}).");
        }

        if (!Enum.IsDefined(NullCursor))
        {
            problems.Add($"{nameof(NullCursor)} is not a valid policy ({NullCursor}).");
        }

        if (InitialValue is not null)
        {
            try
            {
                _ = CursorValue.FromClr(InitialValue);
            }
            catch (NotSupportedException e)
            {
                problems.Add($"{nameof(InitialValue)}: {e.Message}");
            }
        }

        return problems;
    }

    internal IncrementalOptions Clone()
    {
        var clone = (IncrementalOptions)MemberwiseClone();
        clone.KeyColumns = KeyColumns is null ? [] : [.. KeyColumns];
        return clone;
    }
}
