namespace DataEng.Core;

/// <summary>
/// One column of an ordering: the column, its direction and where its nulls go. Used by sort, top-N, windows, dedup
/// and first/last aggregates.
/// </summary>
/// <remarks>
/// Values are ordered as SQL orders them: numbers by value (NaN above every number, −0.0 equal to 0.0), strings by
/// their UTF-8 bytes (which is Unicode code point order), booleans false before true. Nulls go last unless
/// <see cref="NullsFirst"/> is set, in both directions, as in DuckDB.
/// </remarks>
/// <param name="Column">The column name.</param>
/// <param name="Descending">Whether larger values come first.</param>
/// <param name="NullsFirst">Whether nulls come before every value (otherwise after).</param>
public sealed record SortKey(string Column, bool Descending = false, bool NullsFirst = false)
{
    /// <summary>Orders by a column, smallest first, nulls last.</summary>
    /// <param name="column">The column name.</param>
    /// <returns>The key.</returns>
    public static SortKey Asc(string column) => new(column);

    /// <summary>Orders by a column, largest first, nulls last.</summary>
    /// <param name="column">The column name.</param>
    /// <returns>The key.</returns>
    public static SortKey Desc(string column) => new(column, Descending: true);

    /// <summary>Returns the key in SQL form, for example <c>"ts" DESC NULLS FIRST</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"\"{Column}\" {(Descending ? "DESC" : "ASC")} NULLS {(NullsFirst ? "FIRST" : "LAST")}";
}
