using System.Globalization;
using Apache.Arrow;
using DataEng.Core.Benchmarks.Data;
using DuckDB.NET.Data;

namespace DataEng.Core.Benchmarks.Peers;

/// <summary>
/// DuckDB as a peer: its built-in Parquet writer (<c>COPY … TO … (FORMAT parquet …)</c>), fed either from a table
/// DuckDB holds (loaded beforehand, not timed) or from our Arrow batches through its Arrow scan (no copy into DuckDB).
/// Also the independent reader that verifies every engine's output.
/// </summary>
internal sealed class DuckDbPeer : IDisposable
{
    public const string TableName = "standard";
    private const string ArrowViewName = "arrow_input";

    private DuckDbPeer(DuckDBConnection connection)
    {
        Connection = connection;
    }

    public DuckDBConnection Connection { get; }

    /// <summary>Opens an in-memory DuckDB with its defaults (one worker thread per core).</summary>
    public static DuckDbPeer Open()
    {
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        return new DuckDbPeer(connection);
    }

    /// <summary>Loads the dataset into the table <see cref="TableName"/> (through the Arrow scan: the same values).</summary>
    public void LoadTable(StandardDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using (DuckDbArrowScan.Register(Connection, ArrowViewName, StandardDataset.Schema, data.Batches))
        {
            Execute($"CREATE OR REPLACE TABLE {TableName} AS SELECT * FROM {ArrowViewName}");
        }

        Execute($"DROP VIEW IF EXISTS {ArrowViewName}");
        var count = ScalarLong($"SELECT count(*) FROM {TableName}");
        if (count != data.Rows)
        {
            throw new InvalidOperationException($"DuckDB loaded {count} rows, expected {data.Rows}.");
        }
    }

    /// <summary>Writes the table as a Hive-partitioned dataset (by <c>dt</c>) under <paramref name="directory"/>.</summary>
    public void CopyTablePartitioned(string directory, WriteSettings settings)
        => Execute(CopySql($"SELECT * FROM {TableName}", directory, settings, partitioned: true));

    /// <summary>Writes the table as one Parquet file.</summary>
    public void CopyTableToFile(string path, WriteSettings settings)
        => Execute(CopySql($"SELECT * FROM {TableName}", path, settings, partitioned: false));

    /// <summary>Writes our Arrow batches (scanned in place) as a Hive-partitioned dataset under <paramref name="directory"/>.</summary>
    public void CopyArrowPartitioned(IReadOnlyList<RecordBatch> batches, string directory, WriteSettings settings)
    {
        using (DuckDbArrowScan.Register(Connection, ArrowViewName, StandardDataset.Schema, batches))
        {
            Execute(CopySql($"SELECT * FROM {ArrowViewName}", directory, settings, partitioned: true));
        }
    }

    /// <summary>Writes our Arrow batches (scanned in place) as one Parquet file.</summary>
    public void CopyArrowToFile(IReadOnlyList<RecordBatch> batches, string path, WriteSettings settings)
    {
        using (DuckDbArrowScan.Register(Connection, ArrowViewName, StandardDataset.Schema, batches))
        {
            Execute(CopySql($"SELECT * FROM {ArrowViewName}", path, settings, partitioned: false));
        }
    }

    /// <summary>Reads a Parquet file or dataset into a DuckDB table (materialised; the read peer).</summary>
    public long ReadIntoTable(string glob, string table = "read_back")
    {
        Execute($"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet('{Escape(glob)}', hive_partitioning = true)");
        var count = ScalarLong($"SELECT count(*) FROM {table}");
        Execute($"DROP TABLE {table}");
        return count;
    }

    public void Execute(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public long ScalarLong(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void Dispose() => Connection.Dispose();

    /// <summary>
    /// Verifies a written Parquet file or Hive dataset with a fresh DuckDB: row count, distinct <c>dt</c> values and
    /// the sum of <c>id</c> must match the dataset, so nobody wins by writing nothing (or half).
    /// </summary>
    /// <returns>A problem description, or <see langword="null"/> when the output is complete.</returns>
    public static string? Verify(string path, long expectedRows)
    {
        var glob = Directory.Exists(path) ? Path.Combine(path, "**", "*.parquet") : path;
        using var duck = Open();
        using var command = duck.Connection.CreateCommand();
        command.CommandText =
            $"SELECT count(*), count(DISTINCT dt), CAST(sum(id) AS BIGINT) FROM read_parquet('{Escape(glob)}', hive_partitioning = true)";
        using var reader = command.ExecuteReader();
        reader.Read();
        var rows = reader.GetInt64(0);
        var days = reader.GetInt64(1);
        var sum = reader.IsDBNull(2) ? 0 : reader.GetInt64(2);
        var expectedSum = expectedRows * (expectedRows - 1) / 2;
        var expectedDays = Math.Min(StandardDataset.Days, expectedRows);
        if (rows != expectedRows || sum != expectedSum || days != expectedDays)
        {
            return $"DuckDB read {rows:N0} rows (expected {expectedRows:N0}), {days} distinct dt (expected {expectedDays}), sum(id) {sum} (expected {expectedSum})";
        }

        return null;
    }

    internal static string CopySql(string select, string target, WriteSettings settings, bool partitioned)
    {
        var codec = settings.Codec == ParquetCodec.Zstd
            ? $"COMPRESSION zstd, COMPRESSION_LEVEL {settings.ZstdLevel}"
            : "COMPRESSION snappy";
        var partition = partitioned ? "PARTITION_BY (dt), OVERWRITE_OR_IGNORE true, " : string.Empty;
        return $"COPY ({select}) TO '{Escape(target)}' (FORMAT parquet, {partition}{codec}, ROW_GROUP_SIZE {settings.RowGroupRows})";
    }

    private static string Escape(string path) => path.Replace("'", "''", StringComparison.Ordinal);
}
