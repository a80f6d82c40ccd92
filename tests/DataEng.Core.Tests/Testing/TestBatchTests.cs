using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Testing;

public class TestBatchTests
{
    [Fact]
    public void From_AnonymousObjects_InfersTypesAndNullability()
    {
        using var batch = TestBatch.From(new[]
        {
            new { id = 1L, name = (string?)"a", amount = (double?)1.5, day = new DateOnly(2024, 5, 1) },
            new { id = 2L, name = (string?)null, amount = (double?)null, day = new DateOnly(2024, 5, 2) },
        });

        Assert.Equal("(id: int64, name: utf8?, amount: double?, day: date32)", SchemaText.Describe(batch.Schema));
        Assert.Equal(2, batch.Length);
        Assert.Equal(2L, ((Int64Array)batch.Column(0)).GetValue(1));
        Assert.True(batch.Column(1).IsNull(1));
        Assert.Equal(new DateOnly(2024, 5, 2), ((Date32Array)batch.Column(3)).GetDateOnly(1));
    }

    [Fact]
    public void From_Tuples_UsesGivenColumnNames()
    {
        using var batch = TestBatch.From(new[] { (1, "x", true), (2, "y", false) }, ["id", "code", "flag"]);

        Assert.Equal("(id: int32, code: utf8, flag: bool)", SchemaText.Describe(batch.Schema));
        Assert.Equal("y", ((StringArray)batch.Column(1)).GetString(1));
    }

    [Fact]
    public void From_WithSchema_ConvertsValuesToTheGivenTypes()
    {
        var schema = TestBatch.ParseSchema("id:int64! | at:timestamp[ms, UTC] | price:decimal(10, 2)");
        using var batch = TestBatch.From(
            new[] { new { Price = 12.5m, Id = 7, At = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero) } },
            schema);

        Assert.Same(schema, batch.Schema);
        Assert.Equal(7L, ((Int64Array)batch.Column(0)).GetValue(0));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), ((TimestampArray)batch.Column(1)).GetTimestamp(0));
        Assert.Equal(12.50m, ((Decimal128Array)batch.Column(2)).GetValue(0));
    }

    [Fact]
    public void From_WithSchema_MembersNotMatchingColumns_ListsEveryProblem()
    {
        var schema = TestBatch.ParseSchema("id:int64 | name:string");

        var error = Assert.Throws<SchemaMismatchException>(() => TestBatch.From(new[] { new { id = 1L, nme = "a", extra = 2 } }, schema));

        Assert.Equal(3, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.Contains("column 'name'"));
        Assert.Contains(error.Problems, p => p.Contains("'extra'"));
    }

    [Fact]
    public void From_ObjectArrays_NeedASchema_AndArePositional()
    {
        var schema = TestBatch.ParseSchema("id:int32 | name:string?");
        using var batch = TestBatch.From(new[] { new object?[] { 1, "a" }, [2, null] }, schema);

        Assert.Throws<ArgumentException>(() => TestBatch.From(new[] { new object?[] { 1 } }));
        Assert.Equal([(1, "a"), (2, (string?)null)], TestBatch.ToRows<(int, string?)>(batch));
    }

    [Fact]
    public void From_NullInNonNullableColumnOfGivenSchema_NamesRowAndColumn()
    {
        var schema = TestBatch.ParseSchema("id:int64! | name:string");

        var error = Assert.Throws<DataFormatException>(() => TestBatch.From(new[] { new object?[] { 1L, "a" }, [null, "b"] }, schema));

        Assert.Equal(2, error.Row);
        Assert.Equal("id", error.Column);
    }

    [Fact]
    public void Parse_TypedTable_WithNulls()
    {
        using var batch = TestBatch.Parse("""
            id:int64 | name:string | amount:double?
            1        | a           | 1.5
            2        | null        | null
            """);

        Assert.Equal("(id: int64, name: utf8?, amount: double?)", SchemaText.Describe(batch.Schema));
        Assert.Equal(2, batch.Length);
        Assert.True(batch.Column(1).IsNull(1));
        Assert.True(batch.Column(2).IsNull(1));
        Assert.Equal(1.5, ((DoubleArray)batch.Column(2)).GetValue(0));
    }

    [Fact]
    public void Parse_InfersTypesFromValues()
    {
        using var batch = TestBatch.Parse("""
            n  | x    | ok    | day        | at                   | local               | t        | price | bin    | s
            1  | 1.5  | true  | 2024-05-01 | 2024-05-01T10:00:00Z | 2024-05-01 10:00:00 | 10:30:00 | 1.50m | 0x0aff | hello
            -2 | 3    | false | 2024-05-02 | 2024-05-02T11:30:15Z | 2024-05-02 11:30:15 | 23:59:59 | 2m    | 0x     | "42"
            """);

        Assert.Equal(
            "(n: int64, x: double, ok: bool, day: date32, at: timestamp[microsecond, UTC], local: timestamp[microsecond], t: time64[microsecond], price: decimal128(38, 2), bin: binary, s: utf8)",
            SchemaText.Describe(batch.Schema));
        Assert.Equal(new DateTimeOffset(2024, 5, 2, 11, 30, 15, TimeSpan.Zero), ((TimestampArray)batch.Column(4)).GetTimestamp(1));
        Assert.Equal(2.00m, ((Decimal128Array)batch.Column(7)).GetValue(1));
        Assert.Equal(new byte[] { 0x0a, 0xff }, ((BinaryArray)batch.Column(8)).GetBytes(0).ToArray());
        Assert.Equal("42", ((StringArray)batch.Column(9)).GetString(1));
    }

    [Fact]
    public void Parse_MarkdownTable_QuotedCellsAndEmptyCells()
    {
        using var batch = TestBatch.Parse("""
            | id | text       | note |
            |----|------------|------|
            | 1  | "a \| b"   |      |
            | 2  | "null"     | x    |
            | 3  | ""         | y    |
            """);

        var rows = TestBatch.ToRows<(long Id, string? Text, string? Note)>(batch);
        Assert.Equal([(1L, "a | b", null), (2L, "null", "x"), (3L, "", "y")], rows);
        Assert.False(batch.Schema.GetFieldByName("text").IsNullable);
        Assert.True(batch.Schema.GetFieldByName("note").IsNullable);
    }

    [Fact]
    public void Parse_QuestionMarkAndBangMarkers_SetNullability()
    {
        using var batch = TestBatch.Parse("""
            a:int32? | b?  | c:int32!
            1        | 2   | 3
            """);

        Assert.True(batch.Schema.GetFieldByName("a").IsNullable);
        Assert.True(batch.Schema.GetFieldByName("b").IsNullable);
        Assert.False(batch.Schema.GetFieldByName("c").IsNullable);
        var error = Assert.Throws<DataFormatException>(() => TestBatch.Parse("c:int32!\n1\nnull"));
        Assert.Equal(2, error.Row);
        Assert.Equal("c", error.Column);
    }

    [Theory]
    [InlineData("id:int64\nabc", "'abc' is not a valid int64 value")]
    [InlineData("id:int8\n300", "does not fit")]
    [InlineData("id:nope\n1", "unknown type 'nope'")]
    [InlineData("a | b\n1", "has 1 cells, the header has 2")]
    [InlineData("a | a\n1 | 2", "appears twice")]
    [InlineData("", "the table is empty")]
    public void Parse_BadLiteral_SaysWhatAndWhere(string table, string expected)
    {
        var error = Assert.ThrowsAny<DataEngException>(() => TestBatch.Parse(table));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Parse_TimestampWithUnitAndZone_AndDecimal()
    {
        using var batch = TestBatch.Parse("""
            at:timestamp[ms, Europe/Paris] | amount:decimal(10,3) | d:date64 | t:time32[ms]
            2024-03-01T12:00:00+01:00     | 12.345               | 2024-03-01 | 08:15:30
            """);

        var type = (TimestampType)batch.Schema.GetFieldByName("at").DataType;
        Assert.Equal(TimeUnit.Millisecond, type.Unit);
        Assert.Equal("Europe/Paris", type.Timezone);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 11, 0, 0, TimeSpan.Zero), ((TimestampArray)batch.Column(0)).GetTimestamp(0));
        Assert.Equal(12.345m, ((Decimal128Array)batch.Column(1)).GetValue(0));
        Assert.Equal(new TimeOnly(8, 15, 30), ((Time32Array)batch.Column(3)).GetTime(0));
    }

    [Fact]
    public void BuiltWithCountingAllocator_ReleasesEverythingOnDispose()
    {
        var allocator = new CountingMemoryAllocator();
        var batch = TestBatch.Parse("id | name\n1 | a\n2 | b", allocator);
        Assert.True(allocator.LiveAllocations > 0);

        batch.Dispose();

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void ToRows_MapsRecordsByConstructorAndProperties()
    {
        using var batch = TestBatch.Parse("""
            order_id | customer | amount | shipped_at
            1        | ann      | 2.5    | 2024-01-01T00:00:00Z
            2        | null     | null   | null
            """);

        var rows = TestBatch.ToRows<OrderRow>(batch);

        Assert.Equal(new OrderRow(1, "ann", 2.5m) { ShippedAt = new DateTime(2024, 1, 1) }, rows[0]);
        Assert.Equal(new OrderRow(2, null, null), rows[1]);
    }

    [Fact]
    public void ToRows_NullIntoNonNullableMember_NamesRowAndColumn()
    {
        using var batch = TestBatch.Parse("id | n\n1 | 5\n2 | null");

        var error = Assert.Throws<InvalidOperationException>(() => TestBatch.ToRows<(long Id, int N)>(batch));

        Assert.Contains("Row 2", error.Message);
        Assert.Contains("'n'", error.Message);
    }

    [Fact]
    public void ToRows_Dictionaries_KeepColumnNames()
    {
        using var batch = TestBatch.Parse("id | name\n1 | a");

        var row = Assert.Single(TestBatch.ToRows<Dictionary<string, object?>>(batch));

        Assert.Equal(1L, row["id"]);
        Assert.Equal("a", row["name"]);
    }

    [Fact]
    public void Format_RendersATableWithNulls()
    {
        using var batch = TestBatch.Parse("id | name\n1 | a\n2 | null\n3 | c");

        var text = TestBatch.Format([batch], maxRows: 2);

        Assert.Contains("id: int64 | name: utf8?", text);
        Assert.Contains("2", text);
        Assert.Contains("null", text);
        Assert.Contains("… 1 more row", text);
        Assert.EndsWith("3 rows in 1 batch", text);
    }

    private sealed record OrderRow(long OrderId, string? Customer, decimal? Amount)
    {
        public DateTime? ShippedAt { get; init; }
    }
}
