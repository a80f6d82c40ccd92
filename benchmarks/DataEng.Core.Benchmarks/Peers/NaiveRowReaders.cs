using System.Data.Common;
using System.Globalization;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Benchmarks.Data;
using Microsoft.Data.Sqlite;
using Sylvan.Data.Csv;

namespace DataEng.Core.Benchmarks.Peers;

/// <summary>
/// Row-by-row readers as written by hand: a <see cref="DbDataReader"/> (Sylvan's CSV reader, or any ADO.NET reader)
/// read with its typed getters into the Arrow builders, one batch per 1,000,000 rows. Also writes the inputs.
/// </summary>
internal static class NaiveRowReaders
{
    public const string CsvHeader = "id,ts,dt,customer_id,amount,currency,note";

    /// <summary>Writes the dataset as CSV: ISO-8601 timestamps (UTC, microseconds), ISO dates, empty = null.</summary>
    public static void WriteCsv(string path, IReadOnlyList<RecordBatch> batches)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 20);
        writer.WriteLine(CsvHeader);
        var line = new StringBuilder(128);
        foreach (var batch in batches)
        {
            var id = (Int64Array)batch.Column(0);
            var ts = (TimestampArray)batch.Column(1);
            var dt = (Date32Array)batch.Column(2);
            var customer = (Int32Array)batch.Column(3);
            var amount = (DoubleArray)batch.Column(4);
            var currency = (StringArray)batch.Column(5);
            var note = (StringArray)batch.Column(6);
            for (var i = 0; i < batch.Length; i++)
            {
                line.Clear();
                line.Append(id.GetValue(i)!.Value).Append(',')
                    .Append(ts.GetTimestamp(i)!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append(',')
                    .Append(dt.GetDateOnly(i)!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',')
                    .Append(customer.GetValue(i)!.Value).Append(',')
                    .Append(amount.GetValue(i)!.Value.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                    .Append(currency.GetString(i)).Append(',')
                    .Append(note.GetString(i));
                writer.WriteLine(line);
            }
        }
    }

    /// <summary>Creates a SQLite database with the table <c>standard</c> holding the dataset (ts as ISO text, dt as text).</summary>
    public static void WriteSqlite(string path, IReadOnlyList<RecordBatch> batches)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE standard (id INTEGER NOT NULL, ts TEXT NOT NULL, dt TEXT NOT NULL, customer_id INTEGER NOT NULL, amount REAL NOT NULL, currency TEXT NOT NULL, note TEXT)";
            create.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO standard VALUES ($id, $ts, $dt, $customer, $amount, $currency, $note)";
        var parameters = new[] { "$id", "$ts", "$dt", "$customer", "$amount", "$currency", "$note" }.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
        foreach (var batch in batches)
        {
            var id = (Int64Array)batch.Column(0);
            var ts = (TimestampArray)batch.Column(1);
            var dt = (Date32Array)batch.Column(2);
            var customer = (Int32Array)batch.Column(3);
            var amount = (DoubleArray)batch.Column(4);
            var currency = (StringArray)batch.Column(5);
            var note = (StringArray)batch.Column(6);
            for (var i = 0; i < batch.Length; i++)
            {
                parameters[0].Value = id.GetValue(i)!.Value;
                parameters[1].Value = ts.GetTimestamp(i)!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
                parameters[2].Value = dt.GetDateOnly(i)!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                parameters[3].Value = customer.GetValue(i)!.Value;
                parameters[4].Value = amount.GetValue(i)!.Value;
                parameters[5].Value = currency.GetString(i);
                parameters[6].Value = (object?)note.GetString(i) ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    /// <summary>Reads the CSV with Sylvan's reader and its typed getters into Arrow builders; returns the rows.</summary>
    public static long ReadCsv(string path, int batchRows)
    {
        using var reader = CsvDataReader.Create(path);
        return ReadRows(reader, batchRows, csv: true);
    }

    /// <summary>Reads <c>SELECT * FROM standard</c> with Microsoft.Data.Sqlite into Arrow builders; returns the rows.</summary>
    public static long ReadSqlite(string path, int batchRows)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, ts, dt, customer_id, amount, currency, note FROM standard";
        using var reader = command.ExecuteReader();
        return ReadRows(reader, batchRows, csv: false);
    }

    private static long ReadRows(DbDataReader reader, int batchRows, bool csv)
    {
        var tsType = new TimestampType(TimeUnit.Microsecond, "UTC");
        long total = 0;
        var more = true;
        while (more)
        {
            var id = new Int64Array.Builder();
            var ts = new TimestampArray.Builder(tsType);
            var dt = new Date32Array.Builder();
            var customer = new Int32Array.Builder();
            var amount = new DoubleArray.Builder();
            var currency = new StringArray.Builder();
            var note = new StringArray.Builder();
            var n = 0;
            while (n < batchRows && (more = reader.Read()))
            {
                id.Append(reader.GetInt64(0));
                var time = csv ? reader.GetDateTime(1) : DateTime.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                ts.Append(new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)));
                dt.Append(DateOnly.Parse(reader.GetString(2), CultureInfo.InvariantCulture));
                customer.Append(reader.GetInt32(3));
                amount.Append(reader.GetDouble(4));
                currency.Append(reader.GetString(5));
                if (reader.IsDBNull(6) || reader.GetString(6).Length == 0)
                {
                    note.AppendNull();
                }
                else
                {
                    note.Append(reader.GetString(6));
                }

                n++;
            }

            if (n == 0)
            {
                break;
            }

            using var batch = new RecordBatch(StandardDataset.Schema, [id.Build(), ts.Build(), dt.Build(), customer.Build(), amount.Build(), currency.Build(), note.Build()], n);
            total += batch.Length;
        }

        return total;
    }
}
