using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace DataEng.Core;

public static partial class Sql
{
    /// <summary>
    /// Creates an incremental source over a table: each run reads only rows whose cursor is new since the last
    /// committed run, in keyset pages ordered by (cursor, key…), with parameterised SQL only. Run it with
    /// <see cref="IncrementalPipelineExtensions.RunIncrementalAsync"/>.
    /// </summary>
    /// <param name="createConnection">Returns a new (closed) connection; the source opens, owns and disposes it. Its
    /// connection string never appears in logs, errors or checkpoints.</param>
    /// <param name="table">The table name, quoted by the provider's rules (never SQL text).</param>
    /// <param name="cursorColumn">The cursor column (integer, decimal, date, timestamp or string), ideally indexed
    /// together with the key columns.</param>
    /// <param name="keyColumns">The primary key columns: they order ties of the cursor and identify rows read again.</param>
    /// <param name="options">The incremental options, or <see langword="null"/> for defaults.</param>
    /// <param name="schemaName">The table's schema, or <see langword="null"/> for the default one.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for <c>sql:table</c>.</param>
    /// <returns>The source.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter only, as Sql.Query's do.")]
    public static IIncrementalSource Incremental(Func<DbConnection> createConnection, string table, string cursorColumn, IReadOnlyList<string> keyColumns, IncrementalOptions? options = null, string? schemaName = null, string? name = null)
        => IncrementalTable(SqlConnectionFactory.FromFactory(createConnection), table, cursorColumn, keyColumns, options, schemaName, name);

    /// <summary>Creates an incremental source over a table, with connections from an async opener (see
    /// <see cref="Incremental(Func{DbConnection}, string, string, IReadOnlyList{string}, IncrementalOptions?, string?, string?)"/>).</summary>
    /// <param name="openConnection">Returns a new connection (opened or not); the source owns and disposes it.</param>
    /// <param name="table">The table name.</param>
    /// <param name="cursorColumn">The cursor column.</param>
    /// <param name="keyColumns">The primary key columns.</param>
    /// <param name="options">The incremental options, or <see langword="null"/> for defaults.</param>
    /// <param name="schemaName">The table's schema, or <see langword="null"/>.</param>
    /// <param name="name">The stage name, or <see langword="null"/>.</param>
    /// <returns>The source.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter only, as Sql.Query's do.")]
    public static IIncrementalSource Incremental(Func<CancellationToken, ValueTask<DbConnection>> openConnection, string table, string cursorColumn, IReadOnlyList<string> keyColumns, IncrementalOptions? options = null, string? schemaName = null, string? name = null)
        => IncrementalTable(SqlConnectionFactory.FromOpener(openConnection), table, cursorColumn, keyColumns, options, schemaName, name);

    /// <summary>Creates an incremental source over a table, with connections from a data source (see
    /// <see cref="Incremental(Func{DbConnection}, string, string, IReadOnlyList{string}, IncrementalOptions?, string?, string?)"/>).</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="table">The table name.</param>
    /// <param name="cursorColumn">The cursor column.</param>
    /// <param name="keyColumns">The primary key columns.</param>
    /// <param name="options">The incremental options, or <see langword="null"/> for defaults.</param>
    /// <param name="schemaName">The table's schema, or <see langword="null"/>.</param>
    /// <param name="name">The stage name, or <see langword="null"/>.</param>
    /// <returns>The source.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter only, as Sql.Query's do.")]
    public static IIncrementalSource Incremental(DbDataSource dataSource, string table, string cursorColumn, IReadOnlyList<string> keyColumns, IncrementalOptions? options = null, string? schemaName = null, string? name = null)
        => IncrementalTable(SqlConnectionFactory.FromDataSource(dataSource), table, cursorColumn, keyColumns, options, schemaName, name);

    /// <summary>
    /// Creates an incremental source over a base query (a trusted SELECT written in code, used as a subquery): each
    /// run adds its bounds and keyset conditions around it as bound parameters.
    /// </summary>
    /// <param name="createConnection">Returns a new (closed) connection; the source opens, owns and disposes it.</param>
    /// <param name="baseQuery">The SELECT to read from; it must expose the cursor and key columns.</param>
    /// <param name="cursorColumn">The cursor column of the query's result.</param>
    /// <param name="keyColumns">The key columns of the query's result.</param>
    /// <param name="options">The incremental options, or <see langword="null"/> for defaults.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for <c>sql:query</c>.</param>
    /// <returns>The source.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter only, as Sql.Query's do.")]
    public static IIncrementalSource IncrementalQuery(Func<DbConnection> createConnection, string baseQuery, string cursorColumn, IReadOnlyList<string> keyColumns, IncrementalOptions? options = null, string? name = null)
        => IncrementalFromQuery(SqlConnectionFactory.FromFactory(createConnection), baseQuery, cursorColumn, keyColumns, options, name);

    /// <summary>Creates an incremental source over a base query, with connections from a data source (see
    /// <see cref="IncrementalQuery(Func{DbConnection}, string, string, IReadOnlyList{string}, IncrementalOptions?, string?)"/>).</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="baseQuery">The SELECT to read from.</param>
    /// <param name="cursorColumn">The cursor column of the query's result.</param>
    /// <param name="keyColumns">The key columns of the query's result.</param>
    /// <param name="options">The incremental options, or <see langword="null"/> for defaults.</param>
    /// <param name="name">The stage name, or <see langword="null"/>.</param>
    /// <returns>The source.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter only, as Sql.Query's do.")]
    public static IIncrementalSource IncrementalQuery(DbDataSource dataSource, string baseQuery, string cursorColumn, IReadOnlyList<string> keyColumns, IncrementalOptions? options = null, string? name = null)
        => IncrementalFromQuery(SqlConnectionFactory.FromDataSource(dataSource), baseQuery, cursorColumn, keyColumns, options, name);

    private static IncrementalSqlSource IncrementalTable(SqlConnectionFactory connections, string table, string cursorColumn, IReadOnlyList<string> keyColumns, IncrementalOptions? options, string? schemaName, string? name)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        return new IncrementalSqlSource(connections, schemaName, table, null, cursorColumn, keyColumns, options, name);
    }

    private static IncrementalSqlSource IncrementalFromQuery(SqlConnectionFactory connections, string baseQuery, string cursorColumn, IReadOnlyList<string> keyColumns, IncrementalOptions? options, string? name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseQuery);
        return new IncrementalSqlSource(connections, null, null, baseQuery, cursorColumn, keyColumns, options, name);
    }
}
