using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.Tests.Lake;

public class PartitionKeyComputerTests
{
    private static readonly TimestampType Micros = new(TimeUnit.Microsecond, "UTC");

    [Fact]
    public void Bucket_Int_MatchesIcebergSpecVector()
    {
        // Iceberg spec, appendix B: hash(34) = 2017239379; bucket = (hash & int.MaxValue) % N.
        var ints = Single(Int32Type.Default, new Int32Array.Builder().Append(34).Build());
        Assert.Equal("379", Values(ints, PartitionSpec.Bucket("v", 1000))[0]);
        var longs = Single(Int64Type.Default, new Int64Array.Builder().Append(34).Build());
        Assert.Equal("379", Values(longs, PartitionSpec.Bucket("v", 1000))[0]);
    }

    [Fact]
    public void Bucket_StringDateTimestampBinary_MatchIcebergSpecVectors()
    {
        Assert.Equal("89", Values(Single(StringType.Default, new StringArray.Builder().Append("iceberg").Build()), PartitionSpec.Bucket("v", 1000))[0]);
        Assert.Equal("226", Values(Single(Date32Type.Default, new Date32Array.Builder().Append(new DateTime(2017, 11, 16)).Build()), PartitionSpec.Bucket("v", 1000))[0]);
        var ts = new TimestampArray.Builder(Micros).Append(new DateTimeOffset(2017, 11, 16, 22, 31, 8, TimeSpan.Zero)).Build();
        Assert.Equal("207", Values(Single(Micros, ts), PartitionSpec.Bucket("v", 1000))[0]);
        var nanos = new TimestampType(TimeUnit.Nanosecond, "UTC");
        var tsNanos = new TimestampArray.Builder(nanos).Append(new DateTimeOffset(2017, 11, 16, 22, 31, 8, TimeSpan.Zero)).Build();
        Assert.Equal("207", Values(Single(nanos, tsNanos), PartitionSpec.Bucket("v", 1000))[0]);
        var binary = new BinaryArray.Builder().Append([0, 1, 2, 3]).Build();
        Assert.Equal("441", Values(Single(BinaryType.Default, binary), PartitionSpec.Bucket("v", 1000))[0]);
    }

    [Fact]
    public void TimeTransforms_Utc_GiveIcebergHumanForms()
    {
        var ts = new TimestampArray.Builder(Micros)
            .Append(new DateTimeOffset(2024, 3, 31, 23, 59, 59, TimeSpan.Zero))
            .Append(new DateTimeOffset(1969, 12, 31, 23, 0, 0, TimeSpan.Zero))
            .Build();
        var batch = Single(Micros, ts);
        Assert.Equal(["2024", "1969"], Values(batch, PartitionSpec.Year("v")));
        Assert.Equal(["2024-03", "1969-12"], Values(batch, PartitionSpec.Month("v")));
        Assert.Equal(["2024-03-31", "1969-12-31"], Values(batch, PartitionSpec.Day("v")));
        Assert.Equal(["2024-03-31-23", "1969-12-31-23"], Values(batch, PartitionSpec.Hour("v")));
    }

    [Fact]
    public void Day_WithTimeZone_UsesTheOffsetOfEachInstantAcrossDaylightSaving()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var ts = new TimestampArray.Builder(Micros)
            .Append(new DateTimeOffset(2024, 3, 30, 22, 30, 0, TimeSpan.Zero)) // 23:30 CET, Mar 30
            .Append(new DateTimeOffset(2024, 3, 30, 23, 30, 0, TimeSpan.Zero)) // 00:30 CET, Mar 31
            .Append(new DateTimeOffset(2024, 3, 31, 1, 30, 0, TimeSpan.Zero))  // 03:30 CEST
            .Append(new DateTimeOffset(2024, 10, 27, 0, 30, 0, TimeSpan.Zero)) // 02:30 CEST
            .Append(new DateTimeOffset(2024, 10, 27, 1, 30, 0, TimeSpan.Zero)) // 02:30 CET (again)
            .Append(new DateTimeOffset(2024, 10, 26, 22, 30, 0, TimeSpan.Zero)) // 00:30 CEST, Oct 27
            .Build();
        var batch = Single(Micros, ts);
        Assert.Equal(["2024-03-30", "2024-03-31", "2024-10-27"], Values(batch, PartitionSpec.Day("v", berlin)).Distinct());
        var hours = Values(batch, PartitionSpec.Hour("v", berlin));
        Assert.Equal(["2024-03-30-23", "2024-03-31-00", "2024-03-31-03", "2024-10-27-02", "2024-10-27-00"], hours);
    }

    [Fact]
    public void Hour_TransitionInsideAUtcHour_IsExactPerValue()
    {
        // Adelaide moves from +09:30 to +10:30 at 02:00 local = 16:30 UTC: inside a UTC hour. With the offset of the
        // hour's start, 16:40 UTC would land in local hour 02, which does not exist that night.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Australia/Adelaide");
        var ts = new TimestampArray.Builder(Micros)
            .Append(new DateTimeOffset(2024, 10, 5, 16, 20, 0, TimeSpan.Zero))
            .Append(new DateTimeOffset(2024, 10, 5, 16, 40, 0, TimeSpan.Zero))
            .Build();
        Assert.Equal(["2024-10-06-01", "2024-10-06-03"], Values(Single(Micros, ts), PartitionSpec.Hour("v", zone)));
    }

    [Fact]
    public void Truncate_IntegersRoundTowardsNegativeInfinity_StringsCutAtCodePoints()
    {
        var ints = new Int64Array.Builder().Append(7).Append(-1).Append(10).Append(-10).Append(-11).Build();
        Assert.Equal(["0", "-10", "10", "-20"], Values(Single(Int64Type.Default, ints), PartitionSpec.Truncate("v", 10)));
        var strings = new StringArray.Builder().Append("abcdef").Append("😀😀x").Append("é").Append("").Build();
        Assert.Equal(["abc", "😀😀x", "é", ""], Values(Single(StringType.Default, strings), PartitionSpec.Truncate("v", 3)));
    }

    [Fact]
    public void Identity_TypesAndNulls_FormatAsEnginesParseThem()
    {
        var schema = new Schema.Builder()
            .Field(f => f.Name("b").DataType(BooleanType.Default))
            .Field(f => f.Name("d").DataType(DoubleType.Default))
            .Field(f => f.Name("t").DataType(Micros))
            .Field(f => f.Name("u").DataType(UInt64Type.Default))
            .Build();
        var batch = new RecordBatch(schema, [
            new BooleanArray.Builder().Append(true).AppendNull().Build(),
            new DoubleArray.Builder().Append(1.5).Append(double.NaN).Build(),
            new TimestampArray.Builder(Micros).Append(new DateTimeOffset(2024, 1, 2, 3, 4, 5, 600, TimeSpan.Zero)).AppendNull().Build(),
            new UInt64Array.Builder().Append(ulong.MaxValue).Append(0).Build(),
        ], 2);
        var computer = new PartitionKeyComputer(schema, [PartitionSpec.Identity("b"), PartitionSpec.Identity("d"), PartitionSpec.Identity("t"), PartitionSpec.Identity("u")], 100, false, null, "/x");
        computer.Compute(batch, new int[2]);
        Assert.Equal("b=true/d=1.5/t=2024-01-02 03%3A04%3A05.6/u=18446744073709551615", computer.Partitions[0].RelativeDirectory);
        Assert.Equal("b=__HIVE_DEFAULT_PARTITION__/d=NaN/t=__HIVE_DEFAULT_PARTITION__/u=0", computer.Partitions[1].RelativeDirectory);
    }

    [Fact]
    public void Compute_ManyLevels_AssignsStablePartitionsAcrossBatches()
    {
        var schema = new Schema.Builder()
            .Field(f => f.Name("a").DataType(Int32Type.Default))
            .Field(f => f.Name("b").DataType(StringType.Default))
            .Build();
        var computer = new PartitionKeyComputer(schema, [PartitionSpec.Identity("a"), PartitionSpec.Identity("b")], 100, false, null, "/x");
        var first = new RecordBatch(schema, [new Int32Array.Builder().Append(1).Append(2).Append(1).Build(), new StringArray.Builder().Append("x").Append("x").Append("y").Build()], 3);
        var second = new RecordBatch(schema, [new Int32Array.Builder().Append(1).Append(2).Append(3).Build(), new StringArray.Builder().Append("y").Append("x").Append("x").Build()], 3);
        var ids = new int[3];
        computer.Compute(first, ids);
        Assert.Equal([0, 1, 2], ids);
        computer.Compute(second, ids);
        Assert.Equal([2, 1, 3], ids);
        Assert.Equal(["a=1/b=x", "a=2/b=x", "a=1/b=y", "a=3/b=x"], computer.Partitions.Select(p => p.RelativeDirectory));
    }

    [Fact]
    public void Compute_WideKeyRange_UsesTheDictionaryPathWithTheSameResult()
    {
        var values = new Int64Array.Builder().Append(0).Append(1L << 40).Append(0).Append(-(1L << 40)).Build();
        Assert.Equal(["0", "1099511627776", "-1099511627776"], Values(Single(Int64Type.Default, values), PartitionSpec.Identity("v")));
    }

    [Fact]
    public void Compute_TooManyPartitions_FailsBeforeTheBatchIsWritten()
    {
        var values = new Int32Array.Builder().AppendRange(Enumerable.Range(0, 10)).Build();
        var batch = Single(Int32Type.Default, values);
        var computer = new PartitionKeyComputer(batch.Schema, [PartitionSpec.Identity("v")], 5, false, null, "/x");
        var e = Assert.Throws<DataEngException>(() => computer.Compute(batch, new int[10]));
        Assert.Contains("MaxPartitionsPerRun", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_CaseCollision_IsReportedWhenAsked()
    {
        var batch = Single(StringType.Default, new StringArray.Builder().Append("Eu").Append("EU").Build());
        var computer = new PartitionKeyComputer(batch.Schema, [PartitionSpec.Identity("v")], 100, true, null, "/x");
        var e = Assert.Throws<DataEngException>(() => computer.Compute(batch, new int[2]));
        Assert.Contains("v=Eu", e.Message, StringComparison.Ordinal);
        Assert.Contains("v=EU", e.Message, StringComparison.Ordinal);

        var existing = new PartitionKeyComputer(batch.Schema, [PartitionSpec.Identity("v")], 100, true, ["v=eU"], "/x");
        Assert.Throws<DataEngException>(() => existing.Compute(batch, new int[2]));

        var off = new PartitionKeyComputer(batch.Schema, [PartitionSpec.Identity("v")], 100, false, null, "/x");
        off.Compute(batch, new int[2]);
        Assert.Equal(2, off.Partitions.Count);
    }

    [Fact]
    public void Compute_ValueTooLongForAFolderName_FailsClearly()
    {
        var batch = Single(StringType.Default, new StringArray.Builder().Append(new string('x', 300)).Build());
        var computer = new PartitionKeyComputer(batch.Schema, [PartitionSpec.Identity("v")], 100, false, null, "/x");
        var e = Assert.Throws<DataEngException>(() => computer.Compute(batch, new int[1]));
        Assert.Contains("255", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WrongTypesAndMissingColumns_ListsEveryProblem()
    {
        var schema = new Schema.Builder().Field(f => f.Name("s").DataType(StringType.Default)).Field(f => f.Name("i").DataType(Int32Type.Default)).Build();
        var problems = PartitionKeyComputer.Validate(schema, [PartitionSpec.Day("s"), PartitionSpec.Identity("missing"), PartitionSpec.Hour("i"), PartitionSpec.Truncate("i", 2).As("s")]);
        Assert.Equal(4, problems.Count);
    }

    private static RecordBatch Single(IArrowType type, IArrowArray array)
        => new(new Schema.Builder().Field(f => f.Name("v").DataType(type)).Build(), [array], array.Length);

    private static string[] Values(RecordBatch batch, PartitionSpec spec)
    {
        var computer = new PartitionKeyComputer(batch.Schema, [spec], 1000, false, null, "/x");
        var ids = new int[batch.Length];
        computer.Compute(batch, ids);
        return ids.Select(i => computer.Partitions[i].EscapedValues[0]).Distinct().ToArray();
    }
}
