using System.Data.Common;

namespace DataEng.Core;

/// <summary>Database sources.</summary>
public static partial class Sql
{
    /// <summary>
    /// Creates an incremental source over a table: each run reads only rows whose cursor is new since the last
    /// committed run, in keyset pages ordered by (cursor, key…), with parameterised SQL only.
    /// </summary>
    /// <param name="connectionFactory">Creates a new connection (opened by the source if it is closed, and disposed
    /// after use). Its connection string never appears in logs, errors or checkpoints.</param>
    /// <param name="table">The table name, quoted by the provider's rules (never SQL text).</param>
    /// <param name="cursorColumn">The cursor column (integer, decimal, date, timestamp or string), ideally indexed
    /// together with the key columns.</param>
    /// <param name="keyColumns">The primary key columns: they order ties of the cursor and identify rows read again.</param>
    /// <param name="options">The incremental options, or <see langword="null"/> for defaults.</param>
    /// <param name="schemaName">The table's schema, or <see langword="null"/> for the default one.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for <c>sql:table</c>.</param>
    /// <returns>The source.</returns>
    public static IIncrementalSource Incremental(Func<DbConnection> connectionFactory, string table, string cursorColumn, IReadOnlyList<string> keyColumns, IncrementalOptions? options = null, string? schemaName = null, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        return new IncrementalSqlSource(connectionFactory, schemaName, table, null, cursorColumn, keyColumns, options, name);
    }

    /// <summary>
    /// Creates an incremental source over a base query (a trusted SELECT written in code, used as a subquery): each
    /// run adds its bounds and keyset conditions as bound parameters around it.
    /// </summary>
    /// <param name="connectionFactory">Creates a new connection.</param>
    /// <param name="baseQuery">The SELECT to read from; it must expose the cursor and key columns.</param>
    /// <param name="cursorColumn">The cursor column of the query's result.</param>
    /// <param name="keyColumns">The key columns of the query's result.</param>
    /// <param name="options">The incremental options, or <see langword="null"/> for defaults.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for <c>sql:query</c>.</param>
    /// <returns>The source.</returns>
    public static IIncrementalSource IncrementalQuery(Func<DbConnection> connectionFactory, string baseQuery, string cursorColumn, IReadOnlyList<string> keyColumns, IncrementalOptions? options = null, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseQuery);
        return new IncrementalSqlSource(connectionFactory, null, null, baseQuery, cursorColumn, keyColumns, options, name);
    }
}
