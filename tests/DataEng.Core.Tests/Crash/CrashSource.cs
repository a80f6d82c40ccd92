using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DataEng.Core.Tests.Crash;

/// <summary>One order of the crash source: its id, cursor and the round that inserted it.</summary>
internal readonly record struct CrashOrder(long Id, long Cursor, int Round);

/// <summary>
/// The deterministic SQLite source of the crash tests (the table the CrashHost reads): unique order ids, an integer
/// cursor <c>updated_at</c> with heavy ties, and late rows whose cursor lies inside the lookback window below the
/// committed watermark. Rows are only added between runs, in rounds.
/// </summary>
internal sealed class CrashSource
{
    private readonly Random _random;
    private readonly string _connectionString;
    private readonly int _lookback;
    private long _maxCursor;

    public CrashSource(string path, int seed, int lookback)
    {
        Path = path;
        _lookback = lookback;
        _random = new Random(seed);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE orders (order_id INTEGER PRIMARY KEY, updated_at INTEGER NOT NULL, created_at DATETIME NOT NULL, amount REAL NOT NULL); CREATE INDEX orders_cursor ON orders (updated_at, order_id);";
        command.ExecuteNonQuery();
    }

    public string Path { get; }

    public List<CrashOrder> Orders { get; } = [];

    /// <summary>Gets the current round (0 before the first).</summary>
    public int Round { get; private set; }

    /// <summary>Inserts a round of <paramref name="count"/> orders: ids continue, cursors mostly grow with ties,
    /// about one in ten arrives late with a cursor inside the lookback below the largest cursor so far.</summary>
    public void AddRound(int count)
    {
        Round++;
        var watermark = _maxCursor;
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO orders VALUES ($id, $cursor, $created, $amount)";
        var id = command.Parameters.Add("$id", SqliteType.Integer);
        var cursor = command.Parameters.Add("$cursor", SqliteType.Integer);
        var created = command.Parameters.Add("$created", SqliteType.Text);
        var amount = command.Parameters.Add("$amount", SqliteType.Real);
        for (var i = 0; i < count; i++)
        {
            var orderId = Orders.Count + 1L;
            long value;
            if (watermark > 0 && _random.Next(10) == 0)
            {
                value = Math.Max(0, watermark - _random.Next(_lookback / 2));
            }
            else
            {
                _maxCursor += _random.Next(3);
                value = _maxCursor;
            }

            id.Value = orderId;
            cursor.Value = value;
            created.Value = new DateTime(2026, 3, 1 + (int)(orderId % 3), (int)(orderId % 24), 0, 0).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            amount.Value = Math.Round(_random.NextDouble() * 1000, 2);
            command.ExecuteNonQuery();
            Orders.Add(new CrashOrder(orderId, value, Round));
        }

        transaction.Commit();
    }
}
