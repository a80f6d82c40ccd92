using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace DataEng.Core.Tests.Sql;

/// <summary>A SQLite database in a temporary file (deleted on dispose), so every connection a source opens sees it.</summary>
internal sealed class SqliteTestDatabase : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "dataeng-tests", $"{Guid.NewGuid():N}.db");

    public SqliteTestDatabase(params string[] statements)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString();
        foreach (var statement in statements)
        {
            Execute(statement);
        }
    }

    public string ConnectionString { get; }

    public int Opened;

    public int Disposed;

    /// <summary>A connection factory for <c>Sql.Query</c> that counts opened and disposed connections.</summary>
    public DbConnection CreateConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.StateChange += (_, e) =>
        {
            if (e.CurrentState == System.Data.ConnectionState.Open)
            {
                Interlocked.Increment(ref Opened);
            }
        };
        connection.Disposed += (_, _) => Interlocked.Increment(ref Disposed);
        return connection;
    }

    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }

    /// <summary>Inserts <paramref name="rows"/> rows (id 1..rows, name 'n{id}') into a new table <c>numbers</c>.</summary>
    public void CreateNumbers(int rows)
    {
        Execute("CREATE TABLE numbers(id INTEGER NOT NULL, name TEXT)");
        Execute($"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {rows}) INSERT INTO numbers SELECT i, 'n' || i FROM s");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
    }
}
