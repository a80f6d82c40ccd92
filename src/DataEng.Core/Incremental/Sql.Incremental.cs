using System.Data.Common;

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
    /// <param name="table">The table name, quoted by the provider's rules (never SQL text); its schema is
    /// <see cref="IncrementalOptions.SchemaName"/>.</param>
    /// <param name="options">The cursor and key columns (required), the name and the incremental settings. They are
    /// copied: later changes do not reach the source.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static IIncrementalSource Incremental(Func<DbConnection> createConnection, string table, IncrementalOptions options)
        => IncrementalTable(SqlConnectionFactory.FromFactory(createConnection), table, options);

    /// <summary>Creates an incremental source over a table, with connections from an async opener (see
    /// <see cref="Incremental(Func{DbConnection}, string, IncrementalOptions)"/>).</summary>
    /// <param name="openConnection">Returns a new connection (opened or not); the source owns and disposes it.</param>
    /// <param name="table">The table name.</param>
    /// <param name="options">The cursor and key columns (required), the name and the incremental settings.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static IIncrementalSource Incremental(Func<CancellationToken, ValueTask<DbConnection>> openConnection, string table, IncrementalOptions options)
        => IncrementalTable(SqlConnectionFactory.FromOpener(openConnection), table, options);

    /// <summary>Creates an incremental source over a table, with connections from a data source (see
    /// <see cref="Incremental(Func{DbConnection}, string, IncrementalOptions)"/>).</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="table">The table name.</param>
    /// <param name="options">The cursor and key columns (required), the name and the incremental settings.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static IIncrementalSource Incremental(DbDataSource dataSource, string table, IncrementalOptions options)
        => IncrementalTable(SqlConnectionFactory.FromDataSource(dataSource), table, options);

    /// <summary>
    /// Creates an incremental source over a base query (a trusted SELECT written in code, used as a subquery): each
    /// run adds its bounds and keyset conditions around it as bound parameters.
    /// </summary>
    /// <param name="createConnection">Returns a new (closed) connection; the source opens, owns and disposes it.</param>
    /// <param name="baseQuery">The SELECT to read from; it must expose the cursor and key columns.</param>
    /// <param name="options">The cursor and key columns of the query's result (required), the name (default
    /// <c>sql:query</c>) and the incremental settings.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static IIncrementalSource IncrementalQuery(Func<DbConnection> createConnection, string baseQuery, IncrementalOptions options)
        => IncrementalFromQuery(SqlConnectionFactory.FromFactory(createConnection), baseQuery, options);

    /// <summary>Creates an incremental source over a base query, with connections from a data source (see
    /// <see cref="IncrementalQuery(Func{DbConnection}, string, IncrementalOptions)"/>).</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="baseQuery">The SELECT to read from.</param>
    /// <param name="options">The cursor and key columns of the query's result (required), the name and the
    /// incremental settings.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static IIncrementalSource IncrementalQuery(DbDataSource dataSource, string baseQuery, IncrementalOptions options)
        => IncrementalFromQuery(SqlConnectionFactory.FromDataSource(dataSource), baseQuery, options);

    private static IncrementalSqlSource IncrementalTable(SqlConnectionFactory connections, string table, IncrementalOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        return new IncrementalSqlSource(connections, table, null, options);
    }

    private static IncrementalSqlSource IncrementalFromQuery(SqlConnectionFactory connections, string baseQuery, IncrementalOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseQuery);
        return new IncrementalSqlSource(connections, null, baseQuery, options);
    }
}
