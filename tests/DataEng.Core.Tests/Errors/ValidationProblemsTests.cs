using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Errors;

public class ValidationProblemsTests
{
    [Fact]
    public void ThrowIfAny_NoProblem_DoesNotThrow()
    {
        var problems = new ValidationProblems();
        problems.AddIf(false, "never");

        problems.ThrowIfAny("Anything");

        Assert.Equal(0, problems.Count);
    }

    [Fact]
    public void ThrowIfAny_SeveralProblems_ListsEveryOneInOrder()
    {
        var problems = new ValidationProblems();
        problems.Add("A must be set.");
        problems.AddIf(true, "B must be positive (was -1).");
        problems.AddRange(["RowGroupSize must be at least 1.", "Compression is unknown."], "Parquet.");

        var e = Assert.Throws<DataEngValidationException>(() => problems.ThrowIfAny("SomeOptions"));

        Assert.Equal("SomeOptions", e.Subject);
        Assert.Equal(["A must be set.", "B must be positive (was -1).", "Parquet.RowGroupSize must be at least 1.", "Parquet.Compression is unknown."], e.Problems);
        var lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("SomeOptions is not valid (4 problems):", lines[0]);
        Assert.Equal(["  - A must be set.", "  - B must be positive (was -1).", "  - Parquet.RowGroupSize must be at least 1.", "  - Parquet.Compression is unknown."], lines[1..]);
    }

    [Fact]
    public void ThrowIfAny_ProblemsAddedAfterwards_DoNotChangeTheException()
    {
        var problems = new ValidationProblems();
        problems.Add("first");
        var e = Assert.Throws<DataEngValidationException>(() => problems.ThrowIfAny("X"));

        problems.Add("second");

        Assert.Equal(["first"], e.Problems);
        Assert.StartsWith("X is not valid (1 problem):", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvFile_InvalidOptions_ThrowsOneExceptionWithEveryProblem()
    {
        var options = new CsvSourceOptions { Delimiter = '"', BatchSize = 0, InferenceRows = 0, NullValues = null! };

        var e = Assert.Throws<DataEngValidationException>(() => Core.Csv.File("x.csv", options));

        Assert.Equal(nameof(CsvSourceOptions), e.Subject);
        Assert.Equal(4, e.Problems.Count);
        foreach (var name in new[] { "Delimiter", "BatchSize", "InferenceRows", "NullValues" })
        {
            Assert.Single(e.Problems, p => p.Contains(name, StringComparison.Ordinal));
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void LakeWrite_InvalidNestedParquetOptions_ArePrefixedWithTheirPath()
    {
        var options = new LakeWriteOptions { Name = " " };
        options.Parquet.Compression = (ParquetCompression)99;

        var e = Assert.Throws<DataEngValidationException>(() => Core.Lake.Write("lake", options));

        Assert.Equal(nameof(LakeWriteOptions), e.Subject);
        Assert.Contains(e.Problems, p => p.StartsWith("Name", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Parquet.Compression", StringComparison.Ordinal));
    }

    [Fact]
    public void OptionsOfEveryFactory_ThrowTheSameExceptionType()
    {
        Assert.Throws<DataEngValidationException>(() => Core.Sql.Query(() => new Microsoft.Data.Sqlite.SqliteConnection(), "SELECT 1", options: new SqlSourceOptions { Name = "" }));
        Assert.Throws<DataEngValidationException>(() => Core.Lake.Read("lake", new LakeReadOptions { SnapshotVersion = 0 }));
        Assert.Throws<DataEngValidationException>(() => ParquetFile.Write("x.parquet", new ParquetWriteOptions { RowGroupSize = 0 }));
        Assert.Throws<DataEngValidationException>(() => new PooledMemoryAllocator(new PooledMemoryAllocatorOptions { MaxRetainedBytes = -1 }));
        Assert.Throws<DataEngValidationException>(() => BadRows.Validate(static (_, _) => null, new BadRowValidationOptions { Name = "check", Policy = new BadRowPolicy { MaxCount = -1 } }));
        using var batch = TestBatch.From(new[] { new { Id = 1 } });
        Assert.Throws<DataEngValidationException>(() => BatchAssert.Equal(batch, batch, new BatchComparison { MaxDifferencesShown = 0 }));
    }

    [Fact]
    public void PipelineValidationException_IsTheValidationExceptionOfAPipeline()
    {
        var e = Assert.Throws<PipelineValidationException>(() => Pipeline.Create("broken").Build());

        DataEngValidationException general = e;
        Assert.Equal("Pipeline 'broken'", general.Subject);
        Assert.Equal(2, general.Problems.Count);
        Assert.StartsWith("Pipeline 'broken' is not valid (2 problems):", e.Message, StringComparison.Ordinal);
    }
}
