using System.Data.Common;

namespace DataEng.Core;

/// <summary>
/// Provider-specific SQL pieces for the incremental SQL source: identifier quoting (<see cref="SqlIdentifier"/>),
/// parameter markers and row limits. Values are always bound as parameters; only quoted identifiers and markers are
/// spliced into the text.
/// </summary>
internal sealed class SqlText
{
    private readonly DbConnection _connection;
    private readonly Kind _kind;

    private SqlText(DbConnection connection)
    {
        _connection = connection;
        _kind = connection.GetType().Name switch
        {
            "SqlConnection" => Kind.SqlServer,
            "OracleConnection" => Kind.Oracle,
            _ => Kind.Standard,
        };
    }

    private enum Kind
    {
        Standard,
        SqlServer,
        Oracle,
    }

    public static SqlText For(DbConnection connection) => new(connection);

    /// <summary>Quotes an identifier by the provider's rules (<see cref="SqlIdentifier.Quote(DbConnection, string)"/>).</summary>
    public string Quote(string identifier) => SqlIdentifier.Quote(_connection, identifier);

    public string Marker(int index) => (_kind == Kind.Oracle ? ":p" : "@p") + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Select(string columns, string from, string where, string orderBy, string? limitMarker) => _kind switch
    {
        Kind.SqlServer when limitMarker is not null => $"SELECT TOP ({limitMarker}) {columns} FROM {from}{where}{orderBy}",
        Kind.Oracle when limitMarker is not null => $"SELECT {columns} FROM {from}{where}{orderBy} FETCH FIRST {limitMarker} ROWS ONLY",
        _ when limitMarker is not null => $"SELECT {columns} FROM {from}{where}{orderBy} LIMIT {limitMarker}",
        _ => $"SELECT {columns} FROM {from}{where}{orderBy}",
    };

    public static DbParameter AddParameter(DbCommand command, string marker, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = marker;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
