using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Testing;

public class BatchAssertTests
{
    [Fact]
    public void Equal_SameContentBuiltDifferently_Passes()
    {
        using var expected = TestBatch.Parse("id:int64 | name:string?\n1 | a\n2 | null");
        using var actual = TestBatch.From(new[] { new { id = 1L, name = (string?)"a" }, new { id = 2L, name = (string?)null } });

        BatchAssert.Equal(expected, actual);
    }

    [Fact]
    public void Equal_DifferentValue_ShowsRowColumnAndNulls()
    {
        using var expected = TestBatch.Parse("id | name? | amount\n1 | a | 1.5\n2 | b | 2.5\n3 | c | 3.5");
        using var actual = TestBatch.Parse("id | name? | amount\n1 | a | 1.5\n2 | null | 2.5\n3 | c | 3.75");

        var error = Assert.Throws<BatchAssertionException>(() => BatchAssert.Equal(expected, actual));

        Assert.Contains("2 of 3 rows differ", error.Message);
        Assert.Contains("Differing columns: name, amount", error.Message);
        Assert.Contains("row 2, column 'name': expected \"b\", actual null", error.Message);
        Assert.Contains("row 3, column 'amount': expected 3.5, actual 3.75", error.Message);
        Assert.Contains("null *", error.Message);
    }

    [Fact]
    public void Equal_SchemaDifferences_AreAllListed()
    {
        using var expected = TestBatch.Parse("id:int64 | name:string | extra:int32\n1 | a | 1");
        using var actual = TestBatch.Parse("id:int32 | label:string\n1 | a");

        var error = Assert.Throws<BatchAssertionException>(() => BatchAssert.Equal(expected, actual));

        Assert.StartsWith("Record batch schemas differ:", error.Message);
        Assert.Contains("int64", error.Message);
        Assert.Contains("label", error.Message);
        Assert.Contains("extra", error.Message);
    }

    [Fact]
    public void Equal_Nullability_IsComparedUnlessIgnored()
    {
        using var expected = TestBatch.Parse("id:int64!\n1");
        using var actual = TestBatch.Parse("id:int64?\n1");

        Assert.Throws<BatchAssertionException>(() => BatchAssert.Equal(expected, actual));
        BatchAssert.Equal(expected, actual, new BatchComparison { IgnoreNullability = true });
    }

    [Fact]
    public void Equal_MissingAndExtraRows_AreShown()
    {
        using var expected = TestBatch.Parse("id\n1\n2\n3");
        using var shorter = TestBatch.Parse("id\n1\n2");
        using var longer = TestBatch.Parse("id\n1\n2\n3\n4");

        var missing = Assert.Throws<BatchAssertionException>(() => BatchAssert.Equal(expected, shorter));
        var extra = Assert.Throws<BatchAssertionException>(() => BatchAssert.Equal(expected, longer));

        Assert.Contains("1 expected row is missing", missing.Message);
        Assert.Contains("Rows missing", missing.Message);
        Assert.Contains("1 unexpected row", extra.Message);
        Assert.Contains("4", extra.Message.Split("Rows unexpected")[1]);
    }

    [Fact]
    public void Equal_IgnoreRowOrder_ComparesAsMultisets()
    {
        using var expected = TestBatch.Parse("id | name?\n1 | a\n2 | null\n2 | null");
        using var shuffled = TestBatch.Parse("id | name?\n2 | null\n1 | a\n2 | null");
        using var different = TestBatch.Parse("id | name?\n2 | null\n1 | a\n3 | c");
        var unordered = new BatchComparison { IgnoreRowOrder = true };

        BatchAssert.Equal(expected, shuffled, unordered);
        Assert.Throws<BatchAssertionException>(() => BatchAssert.Equal(expected, shuffled));
        var error = Assert.Throws<BatchAssertionException>(() => BatchAssert.Equal(expected, different, unordered));
        Assert.Contains("1 expected row is missing, 1 row is unexpected", error.Message);
        Assert.Contains("missing    | 2  | null", error.Message);
        Assert.Contains("unexpected | 3  | \"c\"", error.Message);
    }

    [Fact]
    public void Equal_FloatingTolerance_AllowsSmallDifferences_AndNaNEqualsNaN()
    {
        using var expected = TestBatch.Parse("x:double | y:float\n0.3 | 1.0\nNaN | 2.0");
        using var actual = TestBatch.From(new[] { (0.1 + 0.2, 1.0000001f), (double.NaN, 2f) }, expected.Schema);

        Assert.Throws<BatchAssertionException>(() => BatchAssert.Equal(expected, actual));
        BatchAssert.Equal(expected, actual, new BatchComparison { FloatingTolerance = 1e-6 });
    }

    [Fact]
    public void Equal_SeveralActualBatches_AreComparedAsOneSequence()
    {
        using var expected = TestBatch.Parse("id\n1\n2\n3");
        using var first = TestBatch.Parse("id\n1\n2");
        using var second = TestBatch.Parse("id\n3");

        BatchAssert.Equal(expected, [first, second]);
        BatchAssert.Equal([first, second], [expected]);
    }

    [Fact]
    public void Equal_ManyDifferences_ShowsOnlyTheFirstOnes()
    {
        using var expected = TestBatch.From(Enumerable.Range(0, 100).Select(i => new { id = (long)i }));
        using var actual = TestBatch.From(Enumerable.Range(0, 100).Select(i => new { id = (long)i + 1 }));

        var error = Assert.Throws<BatchAssertionException>(() => BatchAssert.Equal(expected, actual, new BatchComparison { MaxDifferencesShown = 3 }));

        Assert.Contains("100 of 100 rows differ", error.Message);
        Assert.Contains("… and 97 more differing rows", error.Message);
        Assert.DoesNotContain("row 4,", error.Message);
    }

    [Fact]
    public void BatchAssertionException_IsNotAnXunitType_SoAnyFrameworkReportsIt()
    {
        Assert.Equal(typeof(Exception), typeof(BatchAssertionException).BaseType);
    }
}
