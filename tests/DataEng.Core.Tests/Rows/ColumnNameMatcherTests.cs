using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.TypedRows;

/// <summary>One naming rule for reading rows: <see cref="Rows"/> in pipelines and the testing kit match the same columns.</summary>
public class ColumnNameMatcherTests
{
    public sealed record Payment(long OrderId, double AmountEur);

    [Fact]
    public async Task Collect_DefaultOptions_ReadsSnakeCaseColumnsIntoPascalCasePropertiesLikeTheTestingKit()
    {
        var snake = new RowMappingOptions { NamingConvention = ColumnNamingConvention.SnakeCase };
        using var batch = Rows.ToBatch([new Payment(1, 9.5), new Payment(2, 20)], snake);
        Assert.Equal(["order_id", "amount_eur"], batch.Schema.FieldsList.Select(static f => f.Name));
        var collected = Rows.Collect<Payment>();

        await Pipeline.Create("payments").Extract(new InMemorySource(batch.Schema, [Rows.ToBatch([new Payment(1, 9.5), new Payment(2, 20)], snake)])).Load(collected).Build().RunAsync();

        Payment[] expected = [new(1, 9.5), new(2, 20)];
        Assert.Equal(expected, collected.ToList());
        Assert.Equal(expected, Rows.ToList<Payment>(batch));
        Assert.Equal(expected, TestBatch.ToRows<Payment>(batch));
    }

    [Fact]
    public void Find_PrefersExactThenCaseThenUnderscores()
    {
        Assert.Equal(2, ColumnNameMatcher.Find(["amount_eur", "AMOUNTEUR", "AmountEur"], "AmountEur", loose: true, out var a1));
        Assert.Equal(1, ColumnNameMatcher.Find(["amount_eur", "AMOUNTEUR"], "AmountEur", loose: true, out var a2));
        Assert.Equal(0, ColumnNameMatcher.Find(["amount_eur", "id"], "AmountEur", loose: true, out var a3));
        Assert.Equal(-1, ColumnNameMatcher.Find(["amount_eur", "AMOUNTEUR"], "AmountEur", loose: false, out var a4));
        Assert.Equal(-1, ColumnNameMatcher.Find(["amount_usd"], "AmountEur", loose: true, out var a5));
        Assert.Equal([-1, -1, -1, -1, -1], new[] { a1, a2, a3, a4, a5 });
    }

    [Fact]
    public void ToList_TwoColumnsMatchingOnlyLoosely_IsReportedAsAmbiguousInBothReaders()
    {
        using var batch = new RecordBatch(
            new Schema([new Field("order_id", Int64Type.Default, false), new Field("amount_eur", DoubleType.Default, false), new Field("_amount_eur", DoubleType.Default, false)], null),
            [new Int64Array.Builder().Append(1).Build(), new DoubleArray.Builder().Append(1).Build(), new DoubleArray.Builder().Append(2).Build()],
            1);

        var pipeline = Assert.Throws<SchemaMismatchException>(() => Rows.ToList<Payment>(batch));
        Assert.Contains("matches both columns 'amount_eur' and '_amount_eur'", pipeline.Message + string.Join(" ", pipeline.Problems), StringComparison.Ordinal);
        var testing = Assert.Throws<InvalidOperationException>(() => TestBatch.ToRows<Payment>(batch));
        Assert.Contains("matches both columns 'amount_eur' and '_amount_eur'", testing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToList_CaseInsensitiveMatchingOff_NeedsTheExactName()
    {
        using var batch = Rows.ToBatch([new Payment(1, 9.5)], new RowMappingOptions { NamingConvention = ColumnNamingConvention.SnakeCase });

        Assert.Throws<SchemaMismatchException>(() => Rows.ToList<Payment>(batch, new RowMappingOptions { CaseInsensitiveColumnMatching = false }));
        Assert.Equal([new Payment(1, 9.5)], Rows.ToList<Payment>(batch, new RowMappingOptions { CaseInsensitiveColumnMatching = false, NamingConvention = ColumnNamingConvention.SnakeCase }));
    }
}
