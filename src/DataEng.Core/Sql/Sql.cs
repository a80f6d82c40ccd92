using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace DataEng.Core;

/// <summary>
/// Sources over ADO.NET: any provider's <see cref="DbConnection"/> and a parameterised query become Arrow record
/// batches.
/// </summary>
/// <remarks>
/// <para>The connection is opened at the start of each run and disposed when the read ends (completed, failed or
/// cancelled). Parameters are bound as <see cref="DbParameter"/>s, never written into the SQL text.</para>
/// <para>The schema is known when the pipeline is built: <see cref="SqlSourceOptions.Schema"/> when given, otherwise
/// it is derived by executing the query once with <see cref="System.Data.CommandBehavior.SchemaOnly"/> (providers that
/// do not honour that behaviour may run the query).</para>
/// <para>Type mapping: bool → bool; integers → int8…int64 / uint8…uint64; float, double; decimal → decimal128 with the
/// column's precision and scale (38, 18 when not reported); string, char, Guid → utf8; byte[] → binary; DateTime →
/// timestamp[us] (timestamp[us, UTC] for <c>timestamptz</c>/<c>datetimeoffset</c> columns); DateTimeOffset →
/// timestamp[us, UTC]; DateOnly → date32; TimeOnly → time64[us]; TimeSpan → duration[us] (time64[us] for
/// <c>time</c> columns); any other type → utf8 through <c>GetValue</c> and invariant formatting. For SQLite the declared
/// column type decides (<c>DATE</c>, <c>DATETIME</c>, <c>DECIMAL</c>, <c>BOOLEAN</c>, <c>GUID</c>, …). See docs/sql.md.</para>
/// <para>Connection strings and passwords never appear in messages or logs.</para>
/// </remarks>
public static partial class Sql
{
    /// <summary>Creates a source that runs a query on a connection opened by <paramref name="openConnection"/>.</summary>
    /// <param name="openConnection">Returns a new connection for one run (opened or not; the source opens a closed one).
    /// The source owns and disposes it.</param>
    /// <param name="sql">The query. Reference parameters with the provider's syntax (for example <c>@id</c>).</param>
    /// <param name="parameters">Parameter values: an object whose public properties are the parameters (for example
    /// <c>new { id = 42 }</c>) or an <see cref="IReadOnlyDictionary{TKey, TValue}"/> of names to values; read once, here.</param>
    /// <param name="options">Options, or <see langword="null"/> for defaults.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    /// <exception cref="ArgumentException">The parameters are not valid.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter only.")]
    public static ISource Query(Func<CancellationToken, ValueTask<DbConnection>> openConnection, string sql, object? parameters = null, SqlSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(openConnection);
        return Create(SqlConnectionFactory.FromOpener(openConnection), sql, parameters, options);
    }

    /// <summary>Creates a source that runs a query on a connection created by <paramref name="createConnection"/>.</summary>
    /// <param name="createConnection">Returns a new (closed) connection for one run; the source opens, owns and disposes it.</param>
    /// <param name="sql">The query.</param>
    /// <param name="parameters">Parameter values (see <see cref="Query(Func{CancellationToken, ValueTask{DbConnection}}, string, object?, SqlSourceOptions?)"/>).</param>
    /// <param name="options">Options, or <see langword="null"/> for defaults.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    /// <exception cref="ArgumentException">The parameters are not valid.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter only.")]
    public static ISource Query(Func<DbConnection> createConnection, string sql, object? parameters = null, SqlSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(createConnection);
        return Create(SqlConnectionFactory.FromFactory(createConnection), sql, parameters, options);
    }

    /// <summary>Creates a source that runs a query on a connection from <paramref name="dataSource"/>.</summary>
    /// <param name="dataSource">The data source; a connection is opened from it for each run and disposed after.</param>
    /// <param name="sql">The query.</param>
    /// <param name="parameters">Parameter values (see <see cref="Query(Func{CancellationToken, ValueTask{DbConnection}}, string, object?, SqlSourceOptions?)"/>).</param>
    /// <param name="options">Options, or <see langword="null"/> for defaults.</param>
    /// <returns>The source.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    /// <exception cref="ArgumentException">The parameters are not valid.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter only.")]
    public static ISource Query(DbDataSource dataSource, string sql, object? parameters = null, SqlSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return Create(SqlConnectionFactory.FromDataSource(dataSource), sql, parameters, options);
    }

    private static SqlQuerySource Create(SqlConnectionFactory connections, string sql, object? parameters, SqlSourceOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        options = options?.Clone() ?? new SqlSourceOptions();
        ValidationProblems.ThrowIfAny(nameof(SqlSourceOptions), options.Validate());
        return new SqlQuerySource(connections, sql, SqlParameters.From(parameters), options);
    }
}
