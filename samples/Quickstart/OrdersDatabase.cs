using Microsoft.Data.Sqlite;

namespace Quickstart;

/// <summary>
/// The source of the quickstart: a SQLite database of orders (<c>orders.db</c> in the data folder), standing in for
/// an application database that keeps receiving and updating orders.
/// </summary>
internal sealed class OrdersDatabase
{
    /// <summary>The orders a new database starts with.</summary>
    public const int DefaultSize = 5_000;

    /// <summary>Orders are late by up to this much: well inside the pipeline's lookback.</summary>
    public static readonly TimeSpan MaxLateness = TimeSpan.FromMinutes(30);

    private static readonly DateTime FirstOrder = new(2024, 1, 1, 8, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Statuses = ["new", "paid", "shipped", "delivered"];

    public OrdersDatabase(string folder)
    {
        Path = System.IO.Path.Combine(folder, "orders.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false, DefaultTimeout = 30 }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    public bool Exists => File.Exists(Path);

    public SqliteConnection Open() => new(ConnectionString);

    /// <summary>Creates the table (if needed) and, for a new database, its first orders.</summary>
    /// <returns>The number of orders added.</returns>
    public int EnsureCreated(int initialOrders = DefaultSize)
    {
        var isNew = !Exists;
        using (var connection = Open())
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS orders (
                    order_id    INTEGER PRIMARY KEY,
                    customer_id INTEGER NOT NULL,
                    status      TEXT NOT NULL,
                    amount      REAL NOT NULL,
                    created_at  DATETIME NOT NULL,
                    updated_at  INTEGER NOT NULL -- Unix time in milliseconds, set on every change
                    );
                CREATE INDEX IF NOT EXISTS orders_updated ON orders (updated_at, order_id);
                """;
            command.ExecuteNonQuery();
        }

        return isNew ? Add(initialOrders, seed: 0) : 0;
    }

    /// <summary>
    /// Appends <paramref name="count"/> orders, deterministic for a seed and the database's content: ids continue
    /// after the largest one; most orders are updated after the latest one so far, about one in ten arrives late
    /// (its <c>updated_at</c> up to <see cref="MaxLateness"/> before the latest), as rows committed late by a busy
    /// application do.
    /// </summary>
    public int Add(int count, int seed)
    {
        var random = new Random(seed);
        using var connection = Open();
        connection.Open();
        using var transaction = connection.BeginTransaction();
        long lastId;
        DateTime? latest;
        using (var query = connection.CreateCommand())
        {
            query.Transaction = transaction;
            query.CommandText = "SELECT COALESCE(MAX(order_id), 0), MAX(updated_at) FROM orders";
            using var reader = query.ExecuteReader();
            reader.Read();
            lastId = reader.GetInt64(0);
            latest = reader.IsDBNull(1) ? null : DateTime.UnixEpoch.AddMilliseconds(reader.GetInt64(1));
        }

        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO orders VALUES ($id, $customer, $status, $amount, $created, $updated)";
        var id = insert.Parameters.Add("$id", SqliteType.Integer);
        var customer = insert.Parameters.Add("$customer", SqliteType.Integer);
        var status = insert.Parameters.Add("$status", SqliteType.Text);
        var amount = insert.Parameters.Add("$amount", SqliteType.Real);
        var created = insert.Parameters.Add("$created", SqliteType.Text);
        var updated = insert.Parameters.Add("$updated", SqliteType.Integer);
        var clock = latest ?? FirstOrder;
        for (var i = 1; i <= count; i++)
        {
            DateTime updatedAt;
            if (latest is { } watermark && random.Next(10) == 0)
            {
                updatedAt = watermark - TimeSpan.FromSeconds(random.Next(1, (int)MaxLateness.TotalSeconds));
            }
            else
            {
                clock += TimeSpan.FromSeconds(random.Next(0, 180));
                updatedAt = clock;
            }

            id.Value = lastId + i;
            customer.Value = random.Next(1, 500);
            status.Value = Statuses[random.Next(Statuses.Length)];
            amount.Value = Math.Round(5 + (random.NextDouble() * 495), 2);
            created.Value = updatedAt - TimeSpan.FromSeconds(random.Next(0, 3600));
            updated.Value = (long)(updatedAt - DateTime.UnixEpoch).TotalMilliseconds;
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return count;
    }

    /// <summary>Counts the orders.</summary>
    public long Count()
    {
        using var connection = Open();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM orders";
        return (long)command.ExecuteScalar()!;
    }
}
