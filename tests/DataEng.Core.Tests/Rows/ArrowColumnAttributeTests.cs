using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.Tests.TypedRows;

/// <summary>Attributes, naming conventions, name matching and the shapes of row types (records, init-only, constructors).</summary>
public class ArrowColumnAttributeTests
{
    [Fact]
    public void SchemaOf_AttributesOnPositionalParameters_SetNameOrderPrecisionUnitAndTimeZone()
    {
        var schema = Rows.SchemaOf<Attributed>();

        Assert.Equal(["order_id", "Price", "At", "Time"], schema.FieldsList.Select(f => f.Name));
        Assert.Equal("decimal128(10, 2)", SchemaText.Describe(schema.GetFieldByName("Price").DataType));
        Assert.Equal("timestamp[millisecond, Europe/Paris]", SchemaText.Describe(schema.GetFieldByName("At").DataType));
        Assert.Equal("time64[nanosecond]", SchemaText.Describe(schema.GetFieldByName("Time").DataType));
        Assert.Null(schema.FieldsList.FirstOrDefault(f => f.Name == "Secret"));
    }

    [Fact]
    public void ToBatch_AttributedRecord_RoundTripsAndIgnoredParameterGetsItsDefault()
    {
        var row = new Attributed(7, 12.34m, new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(1)), "hidden") { Time = new TimeOnly(1, 2, 3).Add(TimeSpan.FromTicks(1)) };

        using var batch = Rows.ToBatch([row]);
        var read = Rows.ToList<Attributed>(batch)[0];

        Assert.Equal(row with { Secret = null }, read);
    }

    [Fact]
    public void ToBatch_ValueWithMoreDigitsThanAttributePrecision_NamesTheProperty()
    {
        var error = Assert.Throws<DataFormatException>(() => Rows.ToBatch([new Attributed(1, 123_456_789m, default)]));

        Assert.Equal("Price", error.Column);
        Assert.Contains("decimal128(10, 2)", error.Message);
    }

    [Fact]
    public void SchemaOf_AttributesOnProperties_OrderThenDeclarationOrder()
    {
        var schema = Rows.SchemaOf<NamedOnProperties>(new RowMappingOptions { NamingConvention = ColumnNamingConvention.SnakeCase });

        Assert.Equal(["order_date", "customer_name", "ID"], schema.FieldsList.Select(f => f.Name));
    }

    [Theory]
    [InlineData(ColumnNamingConvention.AsIs, "Id,Customer,Amount,PlacedAt,Note")]
    [InlineData(ColumnNamingConvention.SnakeCase, "id,customer,amount,placed_at,note")]
    [InlineData(ColumnNamingConvention.CamelCase, "id,customer,amount,placedAt,note")]
    public void SchemaOf_NamingConvention_RenamesColumns(ColumnNamingConvention convention, string expected)
    {
        var schema = Rows.SchemaOf<Order>(new RowMappingOptions { NamingConvention = convention });

        Assert.Equal(expected, string.Join(",", schema.FieldsList.Select(f => f.Name)));
    }

    [Fact]
    public void ToList_SnakeCaseOptions_RoundTripThroughSnakeCaseColumns()
    {
        var options = new RowMappingOptions { NamingConvention = ColumnNamingConvention.SnakeCase };
        var rows = new[] { new Order(1, "ada", 10.5m, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), null) };

        using var batch = Rows.ToBatch(rows, options);

        Assert.Equal(rows, Rows.ToList<Order>(batch, options));
    }

    [Fact]
    public void ToList_ColumnNamesInAnotherCase_MatchUnlessCaseInsensitiveMatchingIsOff()
    {
        var schema = new Schema([new Field("AMOUNT", new Decimal128Type(38, 18), false), new Field("id", Int64Type.Default, false)], null);
        using var batch = new RecordBatch(schema, [new Decimal128Array.Builder(new Decimal128Type(38, 18)).Append(2.5m).Build(), new Int64Array.Builder().Append(9).Build()], 1);

        Assert.Equal([new OrderAmount(9, 2.5m)], Rows.ToList<OrderAmount>(batch));
        var error = Assert.Throws<SchemaMismatchException>(() => Rows.ToList<OrderAmount>(batch, new RowMappingOptions { CaseInsensitiveColumnMatching = false }));
        Assert.Equal(2, error.Problems.Count);
    }

    [Fact]
    public void ToList_ExactNameWinsOverCaseInsensitiveMatches()
    {
        var schema = new Schema([new Field("ID", Int64Type.Default, false), new Field("Id", Int64Type.Default, false), new Field("Amount", Int64Type.Default, false)], null);
        using var batch = new RecordBatch(schema,
            [new Int64Array.Builder().Append(1).Build(), new Int64Array.Builder().Append(2).Build(), new Int64Array.Builder().Append(3).Build()], 1);

        Assert.Equal(2, Rows.ToList<OrderAmount>(batch)[0].Id);
    }

    [Fact]
    public void ToList_TwoColumnsDifferingOnlyByCase_IsAmbiguous()
    {
        var schema = new Schema([new Field("ID", Int64Type.Default, false), new Field("id", Int64Type.Default, false), new Field("Amount", Int64Type.Default, false)], null);
        using var batch = new RecordBatch(schema,
            [new Int64Array.Builder().Append(1).Build(), new Int64Array.Builder().Append(2).Build(), new Int64Array.Builder().Append(3).Build()], 1);

        var error = Assert.Throws<SchemaMismatchException>(() => Rows.ToList<OrderAmount>(batch));

        Assert.Contains("matches both columns 'ID' and 'id'", Assert.Single(error.Problems));
    }

    [Fact]
    public void SchemaOf_MisusedOrDuplicateAttributes_ListsEveryProblem()
    {
        var error = Assert.Throws<SchemaMismatchException>(() => Rows.SchemaOf<BadAttributes>());

        Assert.Equal(4, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.Contains("'BadAttributes.Count'") && p.Contains("Precision/Scale"));
        Assert.Contains(error.Problems, p => p.Contains("'BadAttributes.Name'") && p.Contains("TimeZone"));
        Assert.Contains(error.Problems, p => p.Contains("'BadAttributes.Time'") && p.Contains("Microsecond or Nanosecond"));
        Assert.Contains(error.Problems, p => p.Contains("'BadAttributes.A', 'BadAttributes.B'") && p.Contains("'same'"));
    }

    [Fact]
    public void ToList_MutableClass_IsCreatedWithItsParameterlessConstructorAndSetters()
    {
        var rows = new[] { new MutableOrder { Id = 1, Customer = "a", Amount = 1.5m }, new MutableOrder { Id = 2, Customer = null, Amount = -2m } };

        using var batch = Rows.ToBatch(rows);
        var read = Rows.ToList<MutableOrder>(batch);

        Assert.Equal(rows.Select(r => (r.Id, r.Customer, r.Amount)), read.Select(r => (r.Id, r.Customer, r.Amount)));
    }

    [Fact]
    public void ToList_InitOnlyAndRequiredProperties_AreSet()
    {
        var rows = new[] { new InitOnlyOrder { Id = 1, Customer = "a", Quantity = 3 }, new InitOnlyOrder { Id = 2, Customer = "b" } };

        using var batch = Rows.ToBatch(rows);
        var read = Rows.ToList<InitOnlyOrder>(batch);

        Assert.Equal(rows.Select(r => (r.Id, r.Customer, r.Quantity)), read.Select(r => (r.Id, r.Customer, r.Quantity)));
    }

    [Fact]
    public void ToList_RecordWithConstructorAndSettableAndComputedProperties_UsesConstructorThenSetters()
    {
        var rows = new[] { new Mixed(1, "ada") { Extra = 5 } };

        using var batch = Rows.ToBatch(rows);
        var read = Rows.ToList<Mixed>(batch);

        Assert.Equal(["Id", "Name", "Extra", "Upper"], batch.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(rows, read);
        Assert.Equal("ADA", read[0].Upper);
    }

    [Fact]
    public void ToList_RecordStructAndClassWithPrimaryConstructor_RoundTrip()
    {
        using var points = Rows.ToBatch([new Point(1, 2), new Point(-3, 4)]);
        using var retries = Rows.ToBatch([new WithDefaultParameter(5, 9)]);

        Assert.Equal([new Point(1, 2), new Point(-3, 4)], Rows.ToList<Point>(points));
        var read = Rows.ToList<WithDefaultParameter>(retries)[0];
        Assert.Equal(5, read.Id);
        Assert.Equal(3, read.Retries);
    }

    [Fact]
    public void SchemaOf_DerivedClass_PutsBaseClassPropertiesFirst()
    {
        using var batch = Rows.ToBatch([new DerivedRow { Id = 1, Name = "x" }]);

        Assert.Equal(["Id", "Name"], batch.Schema.FieldsList.Select(f => f.Name));
        var read = Assert.Single(Rows.ToList<DerivedRow>(batch));
        Assert.Equal((1L, "x"), (read.Id, read.Name));
    }

    [Fact]
    public void ToBatch_AnonymousType_WritesAndReadsBack()
    {
        var rows = new[] { new { Id = 1, Name = "a" }, new { Id = 2, Name = "b" } };

        using var batch = Rows.ToBatch(rows);

        Assert.Equal(rows, batch.ToList(rows[0]));
    }

    [Fact]
    public void ToList_TypeThatCannotBeCreated_SaysWhy()
    {
        using var batch = Rows.ToBatch([new OrderAmount(1, 1m)]);

        var noSetters = Assert.Throws<SchemaMismatchException>(() => Rows.ToList<ReadOnlyRow>(batch));
        var badParameter = Assert.Throws<SchemaMismatchException>(() => Rows.ToList<UnmatchedParameter>(batch));

        Assert.Contains("nothing can be read into it", Assert.Single(noSetters.Problems));
        Assert.Contains("constructor parameter 'total'", Assert.Single(badParameter.Problems));
    }

    public sealed class BadAttributes
    {
        [ArrowColumn(Precision = 5)]
        public int Count { get; set; }

        [ArrowColumn(TimeZone = "UTC")]
        public string? Name { get; set; }

        [ArrowColumn(TimestampUnit = TimeUnit.Second)]
        public TimeOnly Time { get; set; }

        [ArrowColumn("same")]
        public int A { get; set; }

        [ArrowColumn("same")]
        public int B { get; set; }
    }

    public sealed class ReadOnlyRow
    {
        public long Id => 1;
    }

    public sealed class UnmatchedParameter(long id, decimal total)
    {
        public long Id { get; } = id;

        public decimal Amount { get; } = total;
    }
}

internal static class AnonymousRows
{
    /// <summary>Reads rows of an anonymous type, given an example of it.</summary>
    public static IReadOnlyList<T> ToList<T>(this RecordBatch batch, T example)
    {
        _ = example;
        return Rows.ToList<T>(batch);
    }
}
