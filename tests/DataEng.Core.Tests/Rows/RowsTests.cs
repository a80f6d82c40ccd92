using Apache.Arrow;
using Apache.Arrow.Arrays;
using Apache.Arrow.Types;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.TypedRows;

public class RowsTests
{
    [Fact]
    public void ToBatch_ThenToList_RoundTripsEveryTypeWithAndWithoutNulls()
    {
        Everything[] rows = [Everything.Sample(0), Everything.Nulls(1), Everything.Sample(2), Everything.Nulls(3)];

        using var batch = Rows.ToBatch(rows);
        var read = Rows.ToList<Everything>(batch);

        Assert.Equal(4, batch.Length);
        Assert.Equal(rows.Length, read.Count);
        for (var i = 0; i < rows.Length; i++)
        {
            Everything.AssertEqual(rows[i], read[i]);
        }
    }

    [Fact]
    public void SchemaOf_EveryType_MapsToTheDocumentedArrowTypeAndNullability()
    {
        var schema = Rows.SchemaOf<Everything>();

        string Describe(string name)
        {
            var field = schema.GetFieldByName(name);
            return SchemaText.Describe(field.DataType) + (field.IsNullable ? "?" : "");
        }

        Assert.Equal("bool", Describe("Bool"));
        Assert.Equal("bool?", Describe("MaybeBool"));
        Assert.Equal("int8", Describe("Int8"));
        Assert.Equal("uint8", Describe("UInt8"));
        Assert.Equal("int16", Describe("Int16"));
        Assert.Equal("uint16", Describe("UInt16"));
        Assert.Equal("int32", Describe("Int32"));
        Assert.Equal("uint32", Describe("UInt32"));
        Assert.Equal("int64", Describe("Int64"));
        Assert.Equal("uint64", Describe("UInt64"));
        Assert.Equal("int32?", Describe("MaybeInt32"));
        Assert.Equal("float", Describe("Single"));
        Assert.Equal("double", Describe("Double"));
        Assert.Equal("decimal128(38, 18)", Describe("Decimal"));
        Assert.Equal("decimal128(38, 18)?", Describe("MaybeDecimal"));
        Assert.Equal("utf8", Describe("Text"));
        Assert.Equal("utf8?", Describe("MaybeText"));
        Assert.Equal("binary", Describe("Bytes"));
        Assert.Equal("binary?", Describe("MaybeBytes"));
        Assert.Equal("utf8", Describe("Char"));
        Assert.Equal("utf8", Describe("Guid"));
        Assert.Equal("utf8", Describe("Color"));
        Assert.Equal("utf8?", Describe("MaybeColor"));
        Assert.Equal("timestamp[microsecond]", Describe("DateTime"));
        Assert.Equal("timestamp[microsecond, UTC]", Describe("DateTimeOffset"));
        Assert.Equal("timestamp[microsecond, UTC]?", Describe("MaybeDateTimeOffset"));
        Assert.Equal("date32", Describe("DateOnly"));
        Assert.Equal("time64[microsecond]", Describe("TimeOnly"));
        Assert.Equal(37, schema.FieldsList.Count);
        Assert.Equal("Bool", schema.FieldsList[0].Name);
        Assert.Equal("MaybeTimeOnly", schema.FieldsList[^1].Name);
    }

    [Fact]
    public void ToBatch_ValuesReadBackByArrowsOwnAccessors_Match()
    {
        var row = Everything.Sample(7);

        using var batch = Rows.ToBatch([row, Everything.Nulls(8)]);

        Assert.Equal(row.Int32, ((Int32Array)batch.Column("Int32")).GetValue(0));
        Assert.Equal(row.UInt64, ((UInt64Array)batch.Column("UInt64")).GetValue(0));
        Assert.Equal(row.Double, ((DoubleArray)batch.Column("Double")).GetValue(0));
        Assert.False(((BooleanArray)batch.Column("Bool")).GetValue(0) is null);
        Assert.Equal(row.Decimal, ((Decimal128Array)batch.Column("Decimal")).GetValue(0));
        Assert.Equal(row.MaybeDecimal, ((Decimal128Array)batch.Column("MaybeDecimal")).GetValue(0));
        Assert.Null(((Decimal128Array)batch.Column("MaybeDecimal")).GetValue(1));
        Assert.Equal(row.Text, ((StringArray)batch.Column("Text")).GetString(0));
        Assert.Equal(row.Bytes, ((BinaryArray)batch.Column("Bytes")).GetBytes(0).ToArray());
        Assert.Equal("é", ((StringArray)batch.Column("Char")).GetString(0));
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", ((StringArray)batch.Column("Guid")).GetString(0));
        Assert.Equal("Blue", ((StringArray)batch.Column("Color")).GetString(0));
        Assert.Equal("Read, Write", ((StringArray)batch.Column("Access")).GetString(0));
        Assert.Equal(new DateTimeOffset(row.DateTime.Ticks, TimeSpan.Zero), ((TimestampArray)batch.Column("DateTime")).GetTimestamp(0));
        Assert.Equal(row.DateTimeOffset, ((TimestampArray)batch.Column("DateTimeOffset")).GetTimestamp(0));
        Assert.Equal(row.DateOnly, ((Date32Array)batch.Column("DateOnly")).GetDateOnly(0));
        Assert.Equal(row.TimeOnly, ((Time64Array)batch.Column("TimeOnly")).GetTime(0));
        Assert.Equal(1, batch.Column("MaybeTimeOnly").NullCount);
        Assert.True(batch.Column("MaybeTimeOnly").IsNull(1));
    }

    [Fact]
    public void ToList_SlicedBatch_ReadsOnlyTheSliceWithItsNulls()
    {
        var rows = Enumerable.Range(0, 21).Select(i => i % 3 == 0 ? Everything.Nulls(i) : Everything.Sample(i)).ToArray();
        using var batch = Rows.ToBatch(rows);

        using var slice = batch.Slice(5, 11);
        var read = Rows.ToList<Everything>(slice);

        Assert.Equal(11, read.Count);
        for (var i = 0; i < read.Count; i++)
        {
            Everything.AssertEqual(rows[5 + i], read[i]);
        }
    }

    [Fact]
    public void ToBatch_CountingAllocator_EveryBufferIsReleasedWithTheBatch()
    {
        var allocator = new CountingMemoryAllocator();

        var batch = Rows.ToBatch(Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? Everything.Sample(i) : Everything.Nulls(i)), allocator: allocator);

        Assert.True(allocator.LiveAllocations > 0);
        batch.Dispose();
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void ToBatch_FailsHalfWay_ReleasesTheColumnsAlreadyBuilt()
    {
        var allocator = new CountingMemoryAllocator();
        var rows = new[] { Everything.Sample(0), Everything.Sample(1) with { MaybeDateTime = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Local) } };

        Assert.Throws<DataFormatException>(() => Rows.ToBatch(rows, allocator: allocator));

        Assert.True(allocator.TotalAllocations > 0);
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void ToBatch_NoRows_GivesAnEmptyBatchOfTheSchema()
    {
        using var batch = Rows.ToBatch(System.Array.Empty<Everything>());

        Assert.Equal(0, batch.Length);
        Assert.Same(Rows.SchemaOf<Everything>(), batch.Schema);
        Assert.Empty(Rows.ToList<Everything>(batch));
    }

    [Fact]
    public void ToList_EmptyColumnsWithoutBuffers_GivesNoRows()
    {
        var schema = new Schema([new Field("Color", StringType.Default, false)], null);
        var empty = ArrowArrayFactory.BuildArray(new ArrayData(StringType.Default, 0, 0, 0, [ArrowBuffer.Empty, ArrowBuffer.Empty, ArrowBuffer.Empty]));
        using var batch = new RecordBatch(schema, [empty], 0);

        Assert.Empty(Rows.ToList<ColorRow>(batch));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(86_400_000_000L)]
    [InlineData(long.MaxValue)]
    public void ToList_Time64OutsideOneDay_ThrowsNamingTheRow(long micros)
    {
        var schema = new Schema([new Field("Time", new Time64Type(TimeUnit.Microsecond), false)], null);
        using var batch = new RecordBatch(schema, [new Time64Array.Builder(new Time64Type(TimeUnit.Microsecond)).Append(0L).Append(micros).Build()], 2);

        var error = Assert.Throws<DataFormatException>(() => Rows.ToList<TimeRow>(batch));

        Assert.Equal(2, error.Row);
        Assert.Contains("outside one day", error.Message);
    }

    [Fact]
    public void SchemaOf_SameOptionValues_ReusesTheCachedMapper()
    {
        var a = Rows.SchemaOf<Order>(new RowMappingOptions { NamingConvention = ColumnNamingConvention.SnakeCase });
        var b = Rows.SchemaOf<Order>(new RowMappingOptions { NamingConvention = ColumnNamingConvention.SnakeCase });
        var c = Rows.SchemaOf<Order>();

        Assert.Same(a, b);
        Assert.NotSame(a, c);
    }

    [Fact]
    public void ToBatch_DecimalTooLargeForColumn_ThrowsNamingPropertyColumnAndRow()
    {
        OrderAmount[] rows = [new(1, 1m), new(2, 2m), new(3, decimal.MaxValue)];

        var error = Assert.Throws<DataFormatException>(() => Rows.ToBatch(rows));

        Assert.Equal(3, error.Row);
        Assert.Equal("Amount", error.Column);
        Assert.Contains("OrderAmount.Amount", error.Message);
        Assert.Contains("does not fit decimal128(38, 18)", error.Message);
    }

    [Fact]
    public void ToBatch_DecimalWithMorePlacesThanTheScale_ThrowsUnlessRoundingIsOn()
    {
        OrderAmount[] rows = [new(1, 1m / 3m), new(2, 2.5m)];
        var options = new RowMappingOptions { DecimalPrecision = 10, DecimalScale = 0 };

        var error = Assert.Throws<DataFormatException>(() => Rows.ToBatch(rows, options));
        Assert.Equal(1, error.Row);
        Assert.Contains("more than 0 decimal places", error.Message);

        options.RoundDecimals = true;
        using var batch = Rows.ToBatch(rows, options);
        Assert.Equal([0m, 3m], Rows.ToList<OrderAmount>(batch, options).Select(r => r.Amount));
    }

    [Fact]
    public void ToList_Decimal128WiderThanSystemDecimal_ThrowsUnlessRoundingIsOn()
    {
        var options = new RowMappingOptions { DecimalPrecision = 38, DecimalScale = 0 };
        var column = new Decimal128Array.Builder(new Decimal128Type(38, 30)).Append(1.123456789012345678901234567890123m).Build();
        using var batch = new RecordBatch(new Schema([new Field("Id", Int64Type.Default, false), new Field("Amount", column.Data.DataType, true)], null),
            [new Int64Array.Builder().Append(1).Build(), column], 1);
        using var wide = WithValue(batch, 1, 30, "1123456789012345678901234567891");

        Assert.Throws<DataFormatException>(() => Rows.ToList<OrderAmount>(wide, options));
        options.RoundDecimals = true;
        Assert.Equal(1.1234567890123456789012345679m, Rows.ToList<OrderAmount>(wide, options)[0].Amount);
    }

    [Fact]
    public void ToBatch_LocalDateTime_IsRejectedByDefaultNamingThePropertyAndRow()
    {
        var local = new DateTime(2024, 6, 1, 12, 0, 0, DateTimeKind.Local);
        var rows = new[] { Everything.Sample(0), Everything.Sample(1) with { DateTime = local } };

        var error = Assert.Throws<DataFormatException>(() => Rows.ToBatch(rows));

        Assert.Equal(2, error.Row);
        Assert.Equal("DateTime", error.Column);
        Assert.Contains("DateTimeKind.Local", error.Message);
        Assert.Contains("ToUniversalTime", error.Message);
    }

    [Fact]
    public void ToBatch_LocalDateTimeWithConvertToUtc_StoresTheUtcInstant()
    {
        var local = new DateTime(2024, 6, 1, 12, 0, 0, DateTimeKind.Local);
        var options = new RowMappingOptions { LocalDateTimes = LocalDateTimeHandling.ConvertToUtc, DateTimeTimeZone = "UTC" };

        using var batch = Rows.ToBatch([Everything.Sample(0) with { DateTime = local }], options);
        var read = Rows.ToList<Everything>(batch, options)[0];

        Assert.Equal(local.ToUniversalTime(), read.DateTime);
        Assert.Equal(DateTimeKind.Utc, read.DateTime.Kind);
    }

    [Fact]
    public void ToBatch_DateTimeWithoutTimeZone_KeepsWallClockAndReadsBackUnspecified()
    {
        var utc = new DateTime(2024, 6, 1, 12, 30, 0, DateTimeKind.Utc);
        var unspecified = new DateTime(2024, 6, 1, 12, 30, 0, DateTimeKind.Unspecified);

        using var batch = Rows.ToBatch([Everything.Sample(0) with { DateTime = utc, MaybeDateTime = unspecified }]);
        var read = Rows.ToList<Everything>(batch)[0];

        Assert.Equal(utc.Ticks, read.DateTime.Ticks);
        Assert.Equal(unspecified.Ticks, read.MaybeDateTime!.Value.Ticks);
        Assert.Equal(DateTimeKind.Unspecified, read.DateTime.Kind);
        Assert.Null(((TimestampType)batch.Schema.GetFieldByName("DateTime").DataType).Timezone);
    }

    [Fact]
    public void ToBatch_DateTimeWithUtcTimeZone_TakesUnspecifiedAsUtcAndReadsBackUtc()
    {
        var options = new RowMappingOptions { DateTimeTimeZone = "UTC" };
        var unspecified = new DateTime(2024, 6, 1, 12, 30, 0, DateTimeKind.Unspecified);

        using var batch = Rows.ToBatch([Everything.Sample(0) with { DateTime = unspecified }], options);
        var read = Rows.ToList<Everything>(batch, options)[0];

        Assert.Equal("UTC", ((TimestampType)batch.Schema.GetFieldByName("DateTime").DataType).Timezone);
        Assert.Equal(new DateTimeOffset(unspecified.Ticks, TimeSpan.Zero), ((TimestampArray)batch.Column("DateTime")).GetTimestamp(0));
        Assert.Equal(DateTimeKind.Utc, read.DateTime.Kind);
        Assert.Equal(unspecified.Ticks, read.DateTime.Ticks);
    }

    [Fact]
    public void ToBatch_DateTimeOffsetWithOffset_StoresTheInstantAndReadsBackAtUtc()
    {
        var at = new DateTimeOffset(2024, 6, 1, 12, 30, 0, TimeSpan.FromHours(-7));

        using var batch = Rows.ToBatch([new Order(1, "a", 1m, at, null)]);
        var read = Rows.ToList<Order>(batch)[0];

        Assert.Equal(at, read.PlacedAt);
        Assert.Equal(TimeSpan.Zero, read.PlacedAt.Offset);
        Assert.Equal(at.UtcDateTime, read.PlacedAt.UtcDateTime);
    }

    [Fact]
    public void ToBatch_SubMicrosecondTicks_AreTruncatedTowardsThePast()
    {
        var before = new DateTime(1960, 1, 1, 0, 0, 0).AddTicks(-7);
        var after = new DateTime(2024, 1, 1).AddTicks(7);

        using var batch = Rows.ToBatch([Everything.Sample(0) with { DateTime = before, MaybeDateTime = after }]);
        var read = Rows.ToList<Everything>(batch)[0];

        Assert.Equal(before.Ticks - 3, read.DateTime.Ticks);
        Assert.Equal(after.Ticks - 7, read.MaybeDateTime!.Value.Ticks);
    }

    [Fact]
    public void ToBatch_NanosecondUnit_KeepsEveryTickButRejectsDatesOutsideItsRange()
    {
        var options = new RowMappingOptions { TimestampUnit = TimeUnit.Nanosecond };
        var precise = new DateTime(2024, 1, 1).AddTicks(7);

        using (var batch = Rows.ToBatch([Everything.Sample(0) with { DateTime = precise, MaybeDateTime = null, MaybeDateTimeOffset = null }], options))
        {
            Assert.Equal(precise, Rows.ToList<Everything>(batch, options)[0].DateTime);
            Assert.Equal(TimeUnit.Nanosecond, ((TimestampType)batch.Schema.GetFieldByName("DateTime").DataType).Unit);
        }

        var error = Assert.Throws<DataFormatException>(() => Rows.ToBatch([Everything.Sample(0) with { MaybeDateTimeOffset = null }], options));
        Assert.Equal("MaybeDateTime", error.Column);
        Assert.Contains("0001-01-01", error.Message);
        Assert.Contains("outside the range of timestamp[ns]", error.Message);
    }

    [Fact]
    public void ToBatch_NullInNonNullableReferenceProperty_ThrowsNamingPropertyAndRow()
    {
        var rows = new[] { new Order(1, "a", 1m, default, null), new Order(2, null!, 1m, default, null) };

        var error = Assert.Throws<DataFormatException>(() => Rows.ToBatch(rows));

        Assert.Equal(2, error.Row);
        Assert.Equal("Customer", error.Column);
        Assert.Contains("not nullable", error.Message);
        Assert.False(Rows.SchemaOf<Order>().GetFieldByName("Customer").IsNullable);
        Assert.True(Rows.SchemaOf<Order>().GetFieldByName("Note").IsNullable);
    }

    [Fact]
    public void ToBatch_NullableAnnotationsIgnored_EveryReferenceColumnIsNullable()
    {
        var options = new RowMappingOptions { RespectNullableAnnotations = false };

        using var batch = Rows.ToBatch([new Order(1, null!, 1m, default, null)], options);

        Assert.True(batch.Schema.GetFieldByName("Customer").IsNullable);
        Assert.Null(Rows.ToList<Order>(batch, options)[0].Customer);
    }

    [Fact]
    public void ToBatch_NullRow_ThrowsNamingTheRow()
    {
        var error = Assert.Throws<DataFormatException>(() => Rows.ToBatch(new[] { new OrderAmount(1, 1m), null! }));

        Assert.Equal(2, error.Row);
        Assert.Contains("row is null", error.Message);
    }

    [Fact]
    public void ToBatch_StringWithUnpairedSurrogate_ThrowsInsteadOfReplacingIt()
    {
        var error = Assert.Throws<DataFormatException>(() => Rows.ToBatch([Everything.Sample(0) with { Text = "ok\uD800" }]));

        Assert.Equal("Text", error.Column);
        Assert.Contains("unpaired surrogate", error.Message);
    }

    [Fact]
    public void ToList_NullIntoNonNullableProperty_ThrowsNamingRowAndColumn()
    {
        var schema = new Schema([new Field("Id", Int64Type.Default, true), new Field("Amount", new Decimal128Type(38, 18), true)], null);
        using var batch = new RecordBatch(schema,
            [new Int64Array.Builder().Append(1).AppendNull().Build(), new Decimal128Array.Builder(new Decimal128Type(38, 18)).Append(1m).Append(2m).Build()], 2);

        var error = Assert.Throws<DataFormatException>(() => Rows.ToList<OrderAmount>(batch));

        Assert.Equal(2, error.Row);
        Assert.Equal("Id", error.Column);
        Assert.Contains("long?", error.Message);
    }

    [Fact]
    public void ToList_MissingColumns_ListsEveryMissingProperty()
    {
        using var batch = Rows.ToBatch([new OrderAmount(1, 2m)]);

        var error = Assert.Throws<SchemaMismatchException>(() => Rows.ToList<Order>(batch));

        Assert.Equal(3, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.Contains("'Order.Customer'") && p.Contains("no column 'Customer'"));
        Assert.Contains(error.Problems, p => p.Contains("'Order.PlacedAt'"));
        Assert.Contains(error.Problems, p => p.Contains("'Order.Note'"));
    }

    [Fact]
    public void ToList_IncompatibleColumnTypes_NamesColumnTypeAndProperty()
    {
        var schema = new Schema([new Field("Id", StringType.Default, true), new Field("Amount", Int64Type.Default, true), new Field("Line", Int64Type.Default, true)], null);
        using var batch = new RecordBatch(schema,
            [new StringArray.Builder().Append("x").Build(), new Int64Array.Builder().Append(1).Build(), new Int64Array.Builder().Append(1).Build()], 1);

        var error = Assert.Throws<SchemaMismatchException>(() => Rows.ToList<OrderLine>(batch));

        Assert.Contains(error.Problems, p => p.Contains("column 'Line' is int64") && p.Contains("'OrderLine.Line' (int)") && p.Contains("widen"));
        Assert.Contains(error.Problems, p => p.Contains("no column 'OrderId'"));
        Assert.Contains(error.Problems, p => p.Contains("no column 'Sku'"));
    }

    [Fact]
    public void ToList_StringIntoNumber_IsAProblem()
    {
        var schema = new Schema([new Field("Id", StringType.Default, true), new Field("Amount", DoubleType.Default, true)], null);
        using var batch = new RecordBatch(schema, [new StringArray.Builder().Append("x").Build(), new DoubleArray.Builder().Append(1).Build()], 1);

        var error = Assert.Throws<SchemaMismatchException>(() => Rows.ToList<OrderAmount>(batch));

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.Contains("column 'Id' is utf8") && p.Contains("expected int64"));
        Assert.Contains(error.Problems, p => p.Contains("column 'Amount' is double"));
    }

    [Fact]
    public void ToList_WideningColumns_AreReadExactly()
    {
        var schema = new Schema([new Field("Id", Int32Type.Default, false), new Field("Amount", Int64Type.Default, false)], null);
        using var batch = new RecordBatch(schema,
            [new Int32Array.Builder().Append(int.MinValue).Append(7).Build(), new Int64Array.Builder().Append(long.MaxValue).Append(-3).Build()], 2);

        var rows = Rows.ToList<OrderAmount>(batch);

        Assert.Equal([new OrderAmount(int.MinValue, long.MaxValue), new OrderAmount(7, -3)], rows);
    }

    [Fact]
    public void ToBatch_GuidAsFixedSizeBinary_StoresBigEndianBytesAndReadsBothForms()
    {
        var options = new RowMappingOptions { Guids = GuidMapping.FixedSizeBinary };
        var row = Everything.Sample(0);

        using var binary = Rows.ToBatch([row, Everything.Nulls(1)], options);
        using var text = Rows.ToBatch([row, Everything.Nulls(1)]);

        Assert.Equal(16, ((FixedSizeBinaryType)binary.Schema.GetFieldByName("Guid").DataType).ByteWidth);
        Assert.Equal(row.Guid.ToByteArray(bigEndian: true), ((FixedSizeBinaryArray)binary.Column("Guid")).GetBytes(0).ToArray());
        Everything.AssertEqual(row, Rows.ToList<Everything>(binary)[0]);
        Everything.AssertEqual(row, Rows.ToList<Everything>(text, options)[0]);
        Assert.Null(Rows.ToList<Everything>(binary)[1].MaybeGuid);
    }

    [Fact]
    public void ToBatch_EnumsAsIntegers_UseTheUnderlyingWidth()
    {
        var options = new RowMappingOptions { Enums = EnumMapping.Integer };

        using var batch = Rows.ToBatch([Everything.Sample(0), Everything.Nulls(1)], options);

        Assert.Equal(ArrowTypeId.UInt8, batch.Schema.GetFieldByName("Access").DataType.TypeId);
        Assert.Equal(ArrowTypeId.Int32, batch.Schema.GetFieldByName("Color").DataType.TypeId);
        Assert.Equal((byte)3, ((UInt8Array)batch.Column("Access")).GetValue(0));
        Everything.AssertEqual(Everything.Sample(0), Rows.ToList<Everything>(batch, options)[0]);
        Everything.AssertEqual(Everything.Nulls(1), Rows.ToList<Everything>(batch)[1]);
    }

    [Fact]
    public void ToList_UnknownEnumName_ThrowsListingTheMembers()
    {
        var schema = new Schema([new Field("Color", StringType.Default, false)], null);
        using var batch = new RecordBatch(schema, [new StringArray.Builder().Append("blue").Append("Purple").Build()], 2);

        var error = Assert.Throws<DataFormatException>(() => Rows.ToList<ColorRow>(batch));

        Assert.Equal(2, error.Row);
        Assert.Contains("\"Purple\" is not a member of Color (Red, Green, Blue)", error.Message);
    }

    [Fact]
    public void SchemaOf_UnsupportedPropertyTypes_ListsEveryOne()
    {
        var error = Assert.Throws<SchemaMismatchException>(() => Rows.SchemaOf<WithUnsupported>());

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.Contains("'WithUnsupported.Values'") && p.Contains("List<int>") && p.Contains("[ArrowIgnore]"));
        Assert.Contains(error.Problems, p => p.Contains("'WithUnsupported.Elapsed'") && p.Contains("TimeSpan"));
    }

    [Fact]
    public void SchemaOf_InvalidOptions_ThrowsListingEveryProblem()
    {
        var options = new RowMappingOptions { DecimalPrecision = 40, DecimalScale = -1, DateTimeTimeZone = "" };

        var error = Assert.Throws<DataEngValidationException>(() => Rows.SchemaOf<Order>(options));

        Assert.Equal(3, options.Validate().Count);
        Assert.Contains("DecimalPrecision", error.Message);
        Assert.Contains("DecimalScale", error.Message);
        Assert.Contains("DateTimeTimeZone", error.Message);
    }

    [Fact]
    public void Bind_EquivalentSchemaInstances_ShareOneBinding()
    {
        Schema Make() => new([new Field("Id", Int64Type.Default, false), new Field("Amount", new Decimal128Type(20, 4), true)], null);
        var mapper = RowMapper<OrderAmount>.Get(null);

        var first = mapper.Bind(Make());
        var second = mapper.Bind(Make());

        Assert.Same(first, second);
        Assert.NotSame(first, mapper.Bind(new Schema([new Field("id", Int64Type.Default, false), new Field("Amount", new Decimal128Type(20, 4), true)], null)));
    }

    private static RecordBatch WithValue(RecordBatch batch, int column, int scale, string unscaled)
    {
        var value = System.Numerics.BigInteger.Parse(unscaled, System.Globalization.CultureInfo.InvariantCulture);
        var bytes = new byte[16];
        value.TryWriteBytes(bytes, out _, isUnsigned: false, isBigEndian: false);
        var type = new Decimal128Type(38, scale);
        var data = new ArrayData(type, 1, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(bytes)]);
        var fields = batch.Schema.FieldsList.Select((f, i) => i == column ? new Field(f.Name, type, true) : f).ToList();
        return new RecordBatch(new Schema(fields, null), batch.Arrays.Select((a, i) => i == column ? ArrowArrayFactory.BuildArray(data) : a.Retain()), batch.Length);
    }

    public sealed record ColorRow(Color Color);

    public sealed record TimeRow(TimeOnly Time);
}
