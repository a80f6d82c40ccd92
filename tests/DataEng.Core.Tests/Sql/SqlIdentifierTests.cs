using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace DataEng.Core.Tests.Sql;

public class SqlIdentifierTests
{
    [Theory]
    [InlineData("orders", "\"orders\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("x\"; DROP TABLE t; --", "\"x\"\"; DROP TABLE t; --\"")]
    public void Quote_ProviderWithoutCommandBuilder_UsesAnsiQuotesDoublingQuotes(string name, string expected)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");

        Assert.Equal(expected, SqlIdentifier.Quote(connection, name));
    }

    [Fact]
    public void Quote_HostileNames_AreUsableAsIdentifiersAndInjectNothing()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Run(connection, "CREATE TABLE victim(x INTEGER)");
        var table = "t\"; DROP TABLE victim; --";
        var column = "c\u201d'; --";

        Run(connection, $"CREATE TABLE {SqlIdentifier.Quote(connection, table)} ({SqlIdentifier.Quote(connection, column)} INTEGER)");
        Run(connection, $"INSERT INTO {SqlIdentifier.Quote(connection, table)} VALUES (7)");

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqlIdentifier.Quote(connection, column)} FROM {SqlIdentifier.Quote(connection, table)}";
        Assert.Equal(7L, command.ExecuteScalar());
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'victim'";
        Assert.Equal(1L, command.ExecuteScalar());
    }

    [Fact]
    public void Quote_ProviderCommandBuilder_DecidesTheQuoting()
    {
        Assert.Equal("[a]]b]", SqlIdentifier.Quote(new BracketCommandBuilder(), "a]b"));
    }

    [Fact]
    public void QuoteQualified_QuotesEachPart()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");

        Assert.Equal("\"main\".\"my.table\"", SqlIdentifier.QuoteQualified(connection, "main", "my.table"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\0b")]
    public void Quote_EmptyOrNulName_Throws(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => SqlIdentifier.Quote((DbCommandBuilder?)null, name));
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class BracketCommandBuilder : DbCommandBuilder
    {
        public override string QuoteIdentifier(string unquotedIdentifier) => "[" + unquotedIdentifier.Replace("]", "]]", StringComparison.Ordinal) + "]";

        protected override void ApplyParameterInfo(DbParameter parameter, System.Data.DataRow row, System.Data.StatementType statementType, bool whereClause)
        {
        }

        protected override string GetParameterName(int parameterOrdinal) => "@p" + parameterOrdinal;

        protected override string GetParameterName(string parameterName) => "@" + parameterName;

        protected override string GetParameterPlaceholder(int parameterOrdinal) => "@p" + parameterOrdinal;

        protected override void SetRowUpdatingHandler(DbDataAdapter adapter)
        {
        }
    }
}
