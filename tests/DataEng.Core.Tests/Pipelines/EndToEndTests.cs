using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DataEng.Core.Tests.Pipelines;

/// <summary>
/// The foundation's done-when: a CSV file and a SQLite table each flow through filter + derive + cast into a Parquet
/// file that DuckDB (a reader we did not write) reads back equal, nulls and types included.
/// </summary>
public sealed class EndToEndTests : IDisposable
{
    private static readonly (long Id, double? Amount, string? Note)[] Orders =
    [
        (1, 10.5, "plain"),
        (2, -3, "negative: filtered out"),
        (3, null, "null amount: filtered out"),
        (4, 0.25, null),
        (5, 1e9, "quoted \"text\", with comma"),
        (6, 0, "zero: filtered out"),
        (7, 42, "ünïcödé ✓"),
    ];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dataeng-e2e-" + Guid.NewGuid().ToString("N"));

    public EndToEndTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task CsvFile_FilterDeriveCast_ToParquet_DuckDbReadsItBackEqual()
    {
        var csv = Path.Combine(_dir, "orders.csv");
        var lines = new List<string> { "id,amount,note" };
        lines.AddRange(Orders.Select(o => string.Join(",",
            o.Id.ToString(CultureInfo.InvariantCulture),
            o.Amount?.ToString("R", CultureInfo.InvariantCulture) ?? "",
            o.Note is null ? "" : "\"" + o.Note.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")));
        await File.WriteAllLinesAsync(csv, lines);

        await RunAndVerifyAsync(DataEng.Core.Csv.File(csv), Path.Combine(_dir, "from-csv.parquet"));
    }

    [Fact]
    public async Task SqliteTable_FilterDeriveCast_ToParquet_DuckDbReadsItBackEqual()
    {
        var db = Path.Combine(_dir, "orders.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString();
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE orders (id INTEGER NOT NULL, amount REAL, note TEXT)";
            await create.ExecuteNonQueryAsync();
            foreach (var (id, amount, note) in Orders)
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO orders VALUES ($id, $amount, $note)";
                insert.Parameters.AddWithValue("$id", id);
                insert.Parameters.AddWithValue("$amount", (object?)amount ?? DBNull.Value);
                insert.Parameters.AddWithValue("$note", (object?)note ?? DBNull.Value);
                await insert.ExecuteNonQueryAsync();
            }
        }

        await RunAndVerifyAsync(DataEng.Core.Sql.Query(() => new SqliteConnection(connectionString), "SELECT id, amount, note FROM orders ORDER BY id"), Path.Combine(_dir, "from-sqlite.parquet"));
    }

    private static async Task RunAndVerifyAsync(ISource source, string target)
    {
        var pipeline = Pipeline.Create("e2e")
            .Extract(source)
            .Filter("amount", (double v) => v > 0)
            .Derive("amount_cents", "amount", (double v) => (long)Math.Round(v * 100))
            .Cast("id", DataTypes.Int32)
            .Load(ParquetFile.Write(target))
            .Build();

        var result = await pipeline.RunAsync();

        var expected = Orders.Where(o => o.Amount > 0).ToList();
        Assert.Equal(Orders.Length, result.RowsRead);
        Assert.Equal(expected.Count, result.RowsWritten);

        var types = Duck.Describe(target);
        Assert.Equal("INTEGER", types["id"]);
        Assert.Equal("DOUBLE", types["amount"]);
        Assert.Equal("VARCHAR", types["note"]);
        Assert.Equal("BIGINT", types["amount_cents"]);

        var rows = Duck.Query($"SELECT id, amount, note, amount_cents FROM read_parquet({Duck.Literal(target)}) ORDER BY id");
        Assert.Equal(expected.Count, rows.Count);
        for (var index = 0; index < rows.Count; index++)
        {
            var (id, amount, note) = expected[index];
            Assert.Equal((int)id, rows[index][0]);
            Assert.Equal(amount!.Value, rows[index][1]);
            Assert.Equal(note, rows[index][2]);
            Assert.Equal((long)Math.Round(amount.Value * 100), rows[index][3]);
        }
    }
}
