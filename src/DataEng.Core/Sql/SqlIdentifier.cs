using System.Data.Common;

namespace DataEng.Core;

/// <summary>
/// Quotes identifiers (table and column names) by the provider's rules, so a name read from configuration or state is
/// never interpreted as SQL. Values must be bound as parameters instead (<see cref="SqlParameters"/>).
/// </summary>
internal static class SqlIdentifier
{
    /// <summary>Quotes one identifier with the quoting rules of the connection's provider.</summary>
    /// <param name="connection">The connection; its provider's <see cref="DbCommandBuilder"/> is used when it has one.</param>
    /// <param name="name">The identifier (one part: quote <c>schema</c> and <c>table</c> separately).</param>
    /// <returns>The quoted identifier.</returns>
    public static string Quote(DbConnection connection, string name)
    {
        ArgumentNullException.ThrowIfNull(connection);
        DbCommandBuilder? builder = null;
        try
        {
            builder = DbProviderFactories.GetFactory(connection)?.CreateCommandBuilder();
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            // no factory: fall back to ANSI quoting
        }

        using (builder)
        {
            return Quote(builder, name);
        }
    }

    /// <summary>Quotes one identifier with a command builder's rules, or ANSI double quotes when it has none.</summary>
    /// <param name="builder">The provider's command builder, or <see langword="null"/>.</param>
    /// <param name="name">The identifier.</param>
    /// <returns>The quoted identifier.</returns>
    public static string Quote(DbCommandBuilder? builder, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An identifier must not contain a NUL character.", nameof(name));
        }

        if (builder is not null)
        {
            try
            {
                var quoted = builder.QuoteIdentifier(name);
                if (!string.IsNullOrEmpty(quoted) && quoted != name)
                {
                    return quoted;
                }
            }
            catch (NotSupportedException)
            {
                // the builder needs QuotePrefix/QuoteSuffix: fall back to ANSI quoting
            }
        }

        return QuoteAnsi(name);
    }

    /// <summary>Quotes a qualified name part by part (<c>schema</c>, <c>table</c>) and joins the parts with dots.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="parts">The name parts.</param>
    /// <returns>The quoted, qualified name.</returns>
    public static string QuoteQualified(DbConnection connection, params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return string.Join('.', parts.Select(p => Quote(connection, p)));
    }

    /// <summary>Quotes an identifier with ANSI double quotes, doubling any double quote inside.</summary>
    /// <param name="name">The identifier.</param>
    /// <returns>The quoted identifier.</returns>
    public static string QuoteAnsi(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
