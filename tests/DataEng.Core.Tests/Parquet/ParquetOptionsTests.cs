namespace DataEng.Core.Tests.Parquet;

public class ParquetOptionsTests
{
    [Fact]
    public void ParquetWriteOptions_Defaults_AreValid()
    {
        var options = new ParquetWriteOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(ParquetCompression.Snappy, options.Compression);
        Assert.Equal(System.IO.Compression.CompressionLevel.Fastest, options.CompressionLevel);
        Assert.Equal(1_048_576, options.RowGroupSize);
        Assert.True(options.AutoDictionary);
        Assert.Empty(options.DictionaryColumns);
    }

    [Fact]
    public void ParquetWriteOptions_Validate_ListsEveryProblem()
    {
        var options = new ParquetWriteOptions { RowGroupSize = -1, Compression = (ParquetCompression)42, CompressionLevel = (System.IO.Compression.CompressionLevel)42 };
        options.DictionaryColumns.Add("");

        Assert.Equal(4, options.Validate().Count);
    }

    [Fact]
    public void ParquetReadOptions_Defaults_AreValid()
    {
        var options = new ParquetReadOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(64 * 1024 * 1024, options.MaxFooterBytes);
        Assert.Null(options.BatchSize);
        Assert.Null(options.Allocator);
    }

    [Fact]
    public void ParquetReadOptions_Validate_ListsEveryProblem()
    {
        var options = new ParquetReadOptions { MaxFooterBytes = 10, MaxRowGroupRows = 0, MaxPageBytes = 1, Timeout = TimeSpan.Zero, BatchSize = 0 };

        Assert.Equal(5, options.Validate().Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(ParquetWriteOptions.MaxRowGroupSize + 1)]
    public void ParquetFileWrite_RowGroupSizeOutOfRange_ThrowsNamingIt(int rowGroupSize)
    {
        var options = new ParquetWriteOptions { RowGroupSize = rowGroupSize };

        var problem = Assert.Single(options.Validate());
        Assert.Contains("RowGroupSize", problem, StringComparison.Ordinal);
        Assert.Contains(rowGroupSize.ToString(System.Globalization.CultureInfo.InvariantCulture), problem, StringComparison.Ordinal);
        var error = Assert.Throws<DataEngValidationException>(() => ParquetFile.Write(Path.Combine(Path.GetTempPath(), "unused.parquet"), options));
        Assert.Contains("RowGroupSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParquetFileSinkValidate_InvalidRowGroupSize_ThrowsNamingIt()
    {
        // The control for the test below: a sink holding an invalid RowGroupSize fails validation.
        var sink = new ParquetFileSink(Path.Combine(Path.GetTempPath(), "unused.parquet"), new ParquetWriteOptions { RowGroupSize = 0 });

        var error = Assert.Throws<DataEngValidationException>(() => sink.Validate(ParquetTestData.AllTypes));
        Assert.Contains("RowGroupSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParquetWriteOptions_ChangedAfterWriteWasCreated_DoNotAffectTheSink()
    {
        var options = new ParquetWriteOptions();
        var sink = ParquetFile.Write(Path.Combine(Path.GetTempPath(), "unused.parquet"), options);

        options.RowGroupSize = 0;

        // The sink validates its own copy of the options, which still has the valid row group size.
        sink.Validate(ParquetTestData.AllTypes);
    }

    [Fact]
    public void ParquetReadOptions_BlankNameAndRepeatedColumns_AreListed()
    {
        var options = new ParquetReadOptions { Name = " ", Columns = ["a", "a", ""] };

        var problems = options.Validate();

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, static p => p.Contains("Name", StringComparison.Ordinal));
        Assert.Contains(problems, static p => p.Contains("Columns", StringComparison.Ordinal));
        Assert.Throws<DataEngValidationException>(() => ParquetFile.Read("unused.parquet", options));
    }

    [Fact]
    public void ParquetStages_NameOption_NamesTheStageAndDefaultsToTheFile()
    {
        Assert.Equal("orders-in", ParquetFile.Read("in/orders.parquet", new ParquetReadOptions { Name = "orders-in" }).Name);
        Assert.Equal("parquet:orders.parquet", ParquetFile.Read("in/orders.parquet").Name);
        Assert.Equal("orders-out", ParquetFile.Write("out/orders.parquet", new ParquetWriteOptions { Name = "orders-out" }).Name);
        Assert.Equal("parquet:orders.parquet", ParquetFile.Write("out/orders.parquet").Name);
        Assert.Single(new ParquetWriteOptions { Name = "" }.Validate());
    }

    [Fact]
    public async Task ParquetReadOptions_ColumnsChangedAfterReadWasCreated_DoNotAffectTheSource()
    {
        var path = await ParquetTestData.WriteFileAsync(Path.Combine(Path.GetTempPath(), $"proj-{Guid.NewGuid():N}.parquet"), [ParquetTestData.AllTypesBatch()], ParquetTestData.AllTypes);
        try
        {
            var columns = new List<string> { "i32" };
            var source = ParquetFile.Read(path, new ParquetReadOptions { Columns = columns });
            columns.Add("tz_us");

            Assert.Equal(["i32"], source.Schema.FieldsList.Select(static f => f.Name));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
