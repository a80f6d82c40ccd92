using System.Data;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;
using Microsoft.Data.Sqlite;

namespace DataEng.Core.Tests.Sql;

public class DataReaderBatchReaderTests
{
    private const string AllTypes = """
        CREATE TABLE t(i INTEGER NOT NULL, r REAL, s TEXT, b BLOB, d DECIMAL(10,2), da DATE, dt DATETIME, bo BOOLEAN,
                       g GUID, dto DATETIMEOFFSET, big BIGINT)
        """;

    [Fact]
    public async Task ReadBatchAsync_SqliteDeclaredTypes_MapsEveryTypeAndNull()
    {
        using var db = new SqliteTestDatabase(AllTypes);
        var guid = Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff");
        db.Execute(
            "INSERT INTO t VALUES(1, @r, @s, @b, @d, @da, @dt, @bo, @g, @dto, @big)",
            ("@r", 1.5), ("@s", "héllo, \"wörld\""), ("@b", new byte[] { 1, 2, 3 }), ("@d", 12.34m), ("@da", new DateOnly(2024, 2, 29)),
            ("@dt", new DateTime(2024, 1, 2, 3, 4, 5, 678, DateTimeKind.Unspecified).AddTicks(9_120)), ("@bo", true), ("@g", guid),
            ("@dto", new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2))), ("@big", long.MaxValue));
        db.Execute("INSERT INTO t(i) VALUES(2)");
        var allocator = new CountingMemoryAllocator();

        using var connection = new SqliteConnection(db.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM t ORDER BY i";
        using var reader = command.ExecuteReader();
        var schema = SqlTypeMapping.DeriveSchema(reader, "types");
        var batches = new DataReaderBatchReader(reader, schema, "types", allocator);
        using (var batch = await batches.ReadBatchAsync())
        {
            Assert.NotNull(batch);
            Assert.Equal(
                "(i: int64, r: double?, s: utf8?, b: binary?, d: decimal128(38, 18)?, da: date32?, dt: timestamp[microsecond]?, bo: bool?, " +
                "g: utf8?, dto: timestamp[microsecond, UTC]?, big: int64?)",
                SchemaText.Describe(batch.Schema));
            Assert.Equal(2, batch.Length);
            Assert.Equal([1L, 2L], ((Int64Array)batch.Column("i")).Values.ToArray());
            Assert.Equal(1.5, ((DoubleArray)batch.Column("r")).GetValue(0));
            Assert.Equal("héllo, \"wörld\"", ((StringArray)batch.Column("s")).GetString(0));
            Assert.Equal([1, 2, 3], ((BinaryArray)batch.Column("b")).GetBytes(0).ToArray());
            Assert.Equal(12.34m, ((Decimal128Array)batch.Column("d")).GetValue(0));
            Assert.Equal(new DateOnly(2024, 2, 29), ((Date32Array)batch.Column("da")).GetDateOnly(0));
            Assert.Equal(Micros(new DateTime(2024, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc)) + 912, ((TimestampArray)batch.Column("dt")).GetValue(0));
            Assert.Equal(true, ((BooleanArray)batch.Column("bo")).GetValue(0));
            Assert.Equal(guid.ToString("D"), ((StringArray)batch.Column("g")).GetString(0));
            Assert.Equal(Micros(new DateTime(2024, 1, 2, 1, 4, 5, DateTimeKind.Utc)), ((TimestampArray)batch.Column("dto")).GetValue(0));
            Assert.Equal(long.MaxValue, ((Int64Array)batch.Column("big")).GetValue(0));
            for (var c = 1; c < batch.ColumnCount; c++)
            {
                Assert.True(batch.Column(c).IsNull(1), $"column {batch.Schema.GetFieldByIndex(c).Name} of row 2 should be null");
                Assert.False(batch.Column(c).IsNull(0));
            }
        }

        Assert.Null(await batches.ReadBatchAsync());
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task ReadBatchAsync_TypedProvider_ReadsEveryClrTypeWithoutGetValue()
    {
        var table = new DataTable();
        var values = new (string Name, Type Type, object Value, string Arrow)[]
        {
            ("bool", typeof(bool), true, "bool"),
            ("u8", typeof(byte), (byte)200, "uint8"),
            ("i8", typeof(sbyte), (sbyte)-100, "int8"),
            ("i16", typeof(short), (short)-30000, "int16"),
            ("u16", typeof(ushort), (ushort)60000, "uint16"),
            ("i32", typeof(int), int.MinValue, "int32"),
            ("u32", typeof(uint), uint.MaxValue, "uint32"),
            ("i64", typeof(long), long.MinValue, "int64"),
            ("u64", typeof(ulong), ulong.MaxValue, "uint64"),
            ("f32", typeof(float), 1.25f, "float"),
            ("f64", typeof(double), -2.5e300, "double"),
            ("dec", typeof(decimal), -123456789.123456789m, "decimal128(38, 18)"),
            ("str", typeof(string), "ünïcödé 🦆", "utf8"),
            ("chr", typeof(char), 'x', "utf8"),
            ("bin", typeof(byte[]), new byte[] { 0, 255 }, "binary"),
            ("dt", typeof(DateTime), new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999 - 5), "timestamp[microsecond]"),
            ("dto", typeof(DateTimeOffset), new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.FromHours(-5)), "timestamp[microsecond, UTC]"),
            ("date", typeof(DateOnly), new DateOnly(1900, 3, 1), "date32"),
            ("time", typeof(TimeOnly), new TimeOnly(13, 14, 15, 16), "time64[microsecond]"),
            ("span", typeof(TimeSpan), TimeSpan.FromDays(-1.5), "duration"),
            ("guid", typeof(Guid), Guid.Parse("00000000-0000-0000-0000-000000000001"), "utf8"),
            ("other", typeof(Version), new Version(1, 2, 3), "utf8"),
        };
        foreach (var (name, type, _, _) in values)
        {
            table.Columns.Add(name, type);
        }

        table.Rows.Add(values.Select(v => v.Value).ToArray());
        table.Rows.Add(values.Select(_ => (object)DBNull.Value).ToArray());
        using var reader = table.CreateDataReader();
        var schema = SqlTypeMapping.DeriveSchema(reader, "table");
        Assert.Equal(values.Select(v => v.Arrow), schema.FieldsList.Select(f => SchemaText.Describe(f.DataType)));

        var allocator = new CountingMemoryAllocator();
        using (var batch = await new DataReaderBatchReader(reader, schema, "table", allocator).ReadBatchAsync())
        {
            Assert.NotNull(batch);
            Assert.Equal(true, ((BooleanArray)batch.Column("bool")).GetValue(0));
            Assert.Equal((byte)200, ((UInt8Array)batch.Column("u8")).GetValue(0));
            Assert.Equal((sbyte)-100, ((Int8Array)batch.Column("i8")).GetValue(0));
            Assert.Equal((short)-30000, ((Int16Array)batch.Column("i16")).GetValue(0));
            Assert.Equal((ushort)60000, ((UInt16Array)batch.Column("u16")).GetValue(0));
            Assert.Equal(int.MinValue, ((Int32Array)batch.Column("i32")).GetValue(0));
            Assert.Equal(uint.MaxValue, ((UInt32Array)batch.Column("u32")).GetValue(0));
            Assert.Equal(long.MinValue, ((Int64Array)batch.Column("i64")).GetValue(0));
            Assert.Equal(ulong.MaxValue, ((UInt64Array)batch.Column("u64")).GetValue(0));
            Assert.Equal(1.25f, ((FloatArray)batch.Column("f32")).GetValue(0));
            Assert.Equal(-2.5e300, ((DoubleArray)batch.Column("f64")).GetValue(0));
            Assert.Equal(-123456789.123456789m, ((Decimal128Array)batch.Column("dec")).GetValue(0));
            Assert.Equal("ünïcödé 🦆", ((StringArray)batch.Column("str")).GetString(0));
            Assert.Equal("x", ((StringArray)batch.Column("chr")).GetString(0));
            Assert.Equal([0, 255], ((BinaryArray)batch.Column("bin")).GetBytes(0).ToArray());
            // sub-microsecond ticks are floored, also before 1970: never rounded up into the next microsecond
            Assert.Equal(-1L, ((TimestampArray)batch.Column("dt")).GetValue(0));
            Assert.Equal(Micros(new DateTime(2000, 1, 1, 5, 0, 0, DateTimeKind.Utc)), ((TimestampArray)batch.Column("dto")).GetValue(0));
            Assert.Equal(new DateOnly(1900, 3, 1), ((Date32Array)batch.Column("date")).GetDateOnly(0));
            Assert.Equal(new TimeOnly(13, 14, 15, 16).Ticks / 10, ((Time64Array)batch.Column("time")).GetValue(0));
            Assert.Equal(TimeSpan.FromDays(-1.5).Ticks / 10, ((DurationArray)batch.Column("span")).GetValue(0));
            Assert.Equal("00000000-0000-0000-0000-000000000001", ((StringArray)batch.Column("guid")).GetString(0));
            Assert.Equal("1.2.3", ((StringArray)batch.Column("other")).GetString(0));
            Assert.All(Enumerable.Range(0, batch.ColumnCount), c => Assert.True(batch.Column(c).IsNull(1)));
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task ReadBatchAsync_TextInIntegerColumn_ThrowsNamingSourceRowAndColumn()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, amount REAL)", "INSERT INTO t VALUES (1, 1.0), (2, 2.0), (3, 'abc'), (4, 4.0)");
        using var reader = Execute(db, "SELECT id, amount FROM t ORDER BY id", out var connection);
        using var _ = connection;
        var batches = new DataReaderBatchReader(reader, SqlTypeMapping.DeriveSchema(reader, "orders"), "orders", new CountingMemoryAllocator());

        var error = await Assert.ThrowsAsync<DataFormatException>(async () => await batches.ReadBatchAsync());

        Assert.Equal("orders", error.Source);
        Assert.Equal(3, error.Row);
        Assert.Equal("amount", error.Column);
        Assert.Contains("'abc'", error.Message, StringComparison.Ordinal);
        Assert.Contains("double", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'12345.6'", "does not fit decimal128(5, 2)")]
    [InlineData("123456", "does not fit decimal128(5, 2)")]
    [InlineData("'1.234'", "has more than 2 decimal places")]
    [InlineData("'1,5'", "is not a valid decimal128(5, 2)")]
    public async Task ReadBatchAsync_DecimalThatDoesNotFit_ThrowsClearError(string value, string expected)
    {
        using var db = new SqliteTestDatabase();
        using var reader = Execute(db, $"SELECT {value} AS d", out var connection);
        using var _ = connection;
        var schema = new Schema.Builder().Field(f => f.Name("d").DataType(new Decimal128Type(5, 2))).Build();
        var batches = new DataReaderBatchReader(reader, schema, "money", new CountingMemoryAllocator());

        var error = await Assert.ThrowsAsync<DataFormatException>(async () => await batches.ReadBatchAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal("d", error.Column);
    }

    [Fact]
    public async Task ReadBatchAsync_DecimalValues_AreExactAtTheColumnScale()
    {
        using var db = new SqliteTestDatabase();
        using var reader = Execute(db, "SELECT '123.45' AS d UNION ALL SELECT -7 UNION ALL SELECT 0.1 UNION ALL SELECT '99999999999999999999999999999999.999999'", out var connection);
        using var _ = connection;
        var schema = new Schema.Builder().Field(f => f.Name("d").DataType(new Decimal128Type(38, 6))).Build();
        using var batch = await new DataReaderBatchReader(reader, schema, "money", new CountingMemoryAllocator()).ReadBatchAsync();

        var column = (Decimal128Array)batch!.Column(0);
        Assert.Equal(123.45m, column.GetValue(0));
        Assert.Equal(-7m, column.GetValue(1));
        Assert.Equal(0.1m, column.GetValue(2));
        Assert.Equal("99999999999999999999999999999999.999999", column.GetString(3));
    }

    [Fact]
    public async Task ReadBatchAsync_NullInNonNullableColumn_Throws()
    {
        using var db = new SqliteTestDatabase();
        using var reader = Execute(db, "SELECT 1 AS x UNION ALL SELECT NULL", out var connection);
        using var _ = connection;
        var schema = new Schema.Builder().Field(f => f.Name("x").DataType(Int64Type.Default).Nullable(false)).Build();

        var error = await Assert.ThrowsAsync<DataFormatException>(async () => await new DataReaderBatchReader(reader, schema, "q", new CountingMemoryAllocator()).ReadBatchAsync());

        Assert.Equal(2, error.Row);
        Assert.Contains("not nullable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadBatchAsync_BatchSize_SplitsRowsInOrderAndReleasesEveryBuffer()
    {
        using var db = new SqliteTestDatabase();
        db.CreateNumbers(10);
        var allocator = new CountingMemoryAllocator();
        using var reader = Execute(db, "SELECT id, name FROM numbers ORDER BY id", out var connection);
        using var _ = connection;
        var batches = new DataReaderBatchReader(reader, SqlTypeMapping.DeriveSchema(reader, "n"), "n", allocator, batchSize: 4);

        var lengths = new List<int>();
        var ids = new List<long>();
        var names = new List<string?>();
        await foreach (var batch in batches.ReadAllAsync())
        {
            using (batch)
            {
                lengths.Add(batch.Length);
                ids.AddRange(((Int64Array)batch.Column(0)).Values.ToArray());
                var strings = (StringArray)batch.Column(1);
                names.AddRange(Enumerable.Range(0, strings.Length).Select(i => strings.GetString(i)));
            }
        }

        Assert.Equal([4, 4, 2], lengths);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), ids);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => "n" + i), names);
        Assert.Equal(10, batches.RowsRead);
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task ReadBatchAsync_BadRowHandlerSkips_RowIsRolledBackInEveryColumn()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(name TEXT, id INTEGER)", "INSERT INTO t VALUES ('a', 1), ('b', 'two'), ('c', 3)");
        using var reader = Execute(db, "SELECT name, id FROM t ORDER BY rowid", out var connection);
        using var _ = connection;
        var errors = new List<DataFormatException>();
        var batches = new DataReaderBatchReader(reader, SqlTypeMapping.DeriveSchema(reader, "t"), "t", new CountingMemoryAllocator())
        {
            BadRowHandler = e =>
            {
                errors.Add(e);
                return true;
            },
        };

        using var batch = await batches.ReadBatchAsync();

        Assert.Equal(2, batch!.Length);
        Assert.Equal("a", ((StringArray)batch.Column(0)).GetString(0));
        Assert.Equal("c", ((StringArray)batch.Column(0)).GetString(1));
        Assert.Equal([1L, 3L], ((Int64Array)batch.Column(1)).Values.ToArray());
        Assert.Equal(2, Assert.Single(errors).Row);
    }

    [Fact]
    public void Constructor_SchemaDoesNotMatchReader_ListsEveryProblem()
    {
        using var db = new SqliteTestDatabase();
        using var reader = Execute(db, "SELECT 1 AS a, 2 AS b", out var connection);
        using var _ = connection;
        var schema = new Schema.Builder()
            .Field(f => f.Name("a").DataType(Int64Type.Default))
            .Field(f => f.Name("c").DataType(Int64Type.Default))
            .Field(f => f.Name("d").DataType(new ListType(Int64Type.Default)))
            .Build();

        var error = Assert.Throws<SchemaMismatchException>(() => new DataReaderBatchReader(reader, schema, "q", new CountingMemoryAllocator()));

        Assert.Equal(3, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.Contains("returns 2 columns", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("'b', the schema expects 'c'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("'d'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadBatchAsync_CancelledBetweenBatches_ThrowsAndLeaksNothing()
    {
        using var db = new SqliteTestDatabase();
        db.CreateNumbers(100);
        var allocator = new CountingMemoryAllocator();
        using var reader = Execute(db, "SELECT id FROM numbers", out var connection);
        using var _ = connection;
        var batches = new DataReaderBatchReader(reader, SqlTypeMapping.DeriveSchema(reader, "n"), "n", allocator, batchSize: 10);
        using var cts = new CancellationTokenSource();

        var first = await batches.ReadBatchAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await batches.ReadBatchAsync(cts.Token));
        first!.Dispose();

        Assert.Equal(0, allocator.LiveAllocations);
    }

    private static long Micros(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    private static SqliteDataReader Execute(SqliteTestDatabase db, string sql, out SqliteConnection connection)
    {
        connection = new SqliteConnection(db.ConnectionString);
        connection.Open();
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteReader();
    }
}
