using DataEng.Core.DocSnippets;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Docs;

// The unit-testing recipe of docs/recipes.md: a test of the custom transform AddSquare (docs/snippets/Stages.cs).
public sealed class UnitTestingRecipe
{
    // <snippet:unit-test>
    [Fact]
    public async Task AddSquare_AppendsTheSquareOfN()
    {
        using var input = TestBatch.Parse("""
            n:int64
            3
            -4
            """);

        using var output = await TestRun.TransformAsync(new AddSquare(), [input]);

        using var expected = TestBatch.Parse("""
            n:int64 | square:int64
            3       | 9
            -4      | 16
            """);
        BatchAssert.Equal(expected, output);             // a readable diff of the first differing rows on failure
    }
    // </snippet:unit-test>

    // <snippet:unit-test-validation>
    [Fact]
    public void AddSquare_WithoutN_FailsAtBuild()
    {
        var schema = TestBatch.ParseSchema("id:int64");

        var error = Assert.Throws<SchemaMismatchException>(() => new AddSquare().GetOutputSchema(schema));

        Assert.Contains("column 'n' is missing", error.Message, StringComparison.Ordinal);
    }
    // </snippet:unit-test-validation>
}
