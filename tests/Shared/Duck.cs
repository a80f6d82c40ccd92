using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;

namespace DataEng.Core.Tests;

// Shared by the test projects that reference DuckDB.NET (linked in): the one way tests ask DuckDB, the independent
// oracle, what a Parquet file or a lake holds.

/// <summary>
/// Runs SQL on a fresh in-memory DuckDB and returns plain values: every row materialised (BLOBs as <c>byte[]</c>, since
/// DuckDB's blob streams are only valid while their row is current; HUGEINTs that fit as <c>long</c>).
/// </summary>
internal static class Duck
{
    /// <summary>Every row of <paramref name="sql"/>, one <c>object?[]</c> per row, <see langword="null"/> for SQL NULL.</summary>
    public static List<object?[]> Query(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
                {
                    BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
                    Stream stream => ReadAll(stream),
                    var value => value,
                };
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The first column of the first row.</summary>
    public static object? Scalar(string sql) => Query(sql)[0][0];

    /// <summary>The first column of the first row as an <see cref="long"/> (counts, sums).</summary>
    public static long Long(string sql) => Convert.ToInt64(Scalar(sql), CultureInfo.InvariantCulture);

    /// <summary><paramref name="text"/> as a SQL string literal (quotes doubled).</summary>
    public static string Literal(string text) => $"'{text.Replace("'", "''", StringComparison.Ordinal)}'";

    /// <summary>A <c>read_parquet</c> over every Parquet file under a lake root, partition columns from the folder names.</summary>
    public static string Glob(string root) => $"read_parquet({Literal(root + "/**/*.parquet")}, hive_partitioning = true)";

    /// <summary>The number of rows under a lake root.</summary>
    public static long Count(string root) => Long($"SELECT count(*) FROM {Glob(root)}");

    /// <summary>Column name → DuckDB type of the glob view of a lake.</summary>
    public static Dictionary<string, string> Types(string root)
        => Query($"DESCRIBE SELECT * FROM {Glob(root)}").ToDictionary(r => (string)r[0]!, r => (string)r[1]!);

    /// <summary>Column name → DuckDB type of one Parquet file.</summary>
    public static Dictionary<string, string> Describe(string file)
        => Query($"DESCRIBE SELECT * FROM read_parquet({Literal(file)})").ToDictionary(r => (string)r[0]!, r => (string)r[1]!);

    private static byte[] ReadAll(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
