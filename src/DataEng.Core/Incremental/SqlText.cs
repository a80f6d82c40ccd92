using System.Data.Common;

namespace DataEng.Core;

/// <summary>
/// Provider-specific SQL pieces for the incremental SQL source: identifier quoting (the provider's
/// <see cref="DbCommandBuilder.QuoteIdentifier"/> when it has one, the ANSI rule otherwise), parameter markers and
/// row limits. Values are always bound as parameters; only quoted identifiers and markers are spliced into the text.
/// </summary>
/// <remarks>To be replaced by <c>SqlIdentifier.Quote</c> of the ADO.NET source once it lands.</remarks>
internal sealed class SqlText
{
    private readonly DbCommandBuilder? _builder;
    private readonly Kind _kind;

    private SqlText(DbConnection connection)
    {
        var type = connection.GetType().Name;
        _kind = type switch
        {
            "SqlConnection" => Kind.SqlServer,
            "OracleConnection" => Kind.Oracle,
            "MySqlConnection" => Kind.MySql,
            _ => Kind.Standard,
        };

        try
        {
            _builder = DbProviderFactories.GetFactory(connection)?.CreateCommandBuilder();
            _ = _builder?.QuoteIdentifier("x");
        }
        catch (Exception e) when (e is NotSupportedException or NotImplementedException or InvalidOperationException or ArgumentException)
        {
            _builder = null;
        }
    }

    private enum Kind
    {
        Standard,
        SqlServer,
        Oracle,
        MySql,
    }

    public static SqlText For(DbConnection connection) => new(connection);

    public string Quote(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An identifier must not contain a NUL character.", nameof(identifier));
        }

        if (_builder is not null)
        {
            return _builder.QuoteIdentifier(identifier);
        }

        return _kind switch
        {
            Kind.SqlServer => "[" + identifier.Replace("]", "]]", StringComparison.Ordinal) + "]",
            Kind.MySql => "`" + identifier.Replace("`", "``", StringComparison.Ordinal) + "`",
            _ => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
        };
    }

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
