using System.Data.Common;
using DataEng.Core.Stages;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DataEng.Core.DocSnippets.Guides;

/// <summary>The code of docs/sql.md.</summary>
public static class SqlGuide
{
    public static ISource[] Sources(string cs, string sql, DbDataSource dataSource, DateTime since)
    {
        // <snippet:sources>
        // a factory of (closed) connections: the source opens, owns and disposes one per run
        var orders = Sql.Query(() => new SqliteConnection("Data Source=shop.db"),
            "SELECT id, amount, placed_at FROM orders WHERE placed_at >= @since",
            new { since = new DateTime(2024, 1, 1) },
            new SqlSourceOptions { Name = "orders" });

        // an async opener (may return the connection opened or not)
        var viaOpener = Sql.Query(async ct => { var c = new NpgsqlConnection(cs); await c.OpenAsync(ct); return c; }, sql);

        // a DbDataSource (Npgsql, or DbProviderFactory.CreateDataSource)
        var viaDataSource = Sql.Query(dataSource, sql, new Dictionary<string, object?> { ["@since"] = since });
        // </snippet:sources>
        return [orders, viaOpener, viaDataSource];
    }
}
