using DataEng.Core.DocSnippets.Guides;

namespace DataEng.Core.Tests.Docs;

/// <summary>Runs the guide snippets (docs/snippets/Guides) that need no files, database or server; the rest compile only.</summary>
public sealed class GuideSnippetTests
{
    private static readonly RowMappingOptions SnakeCase = new() { NamingConvention = ColumnNamingConvention.SnakeCase };

    [Fact]
    public async Task Rows_MapsOrdersToNetAmounts()
    {
        Order[] orders =
        [
            new(1, "ada", 100m, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), null),
            new(2, "bob", 20m, new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero), "gift"),
        ];

        var result = await RowsGuide.NetAsync(orders);

        Assert.Equal([new Net(1, 90m), new Net(2, 18m)], result);
    }

    [Fact]
    public async Task Kernels_ChainFiltersDerivesCastsSelectsAndRenames()
    {
        KernelInput[] rows =
        [
            new(1, 7, 10.5, "EUR", new DateTimeOffset(2024, 3, 31, 23, 0, 0, TimeSpan.Zero)),
            new(2, 8, -1, "EUR", new DateTimeOffset(2024, 3, 31, 23, 0, 0, TimeSpan.Zero)),
            new(3, 9, 5, "GBP", new DateTimeOffset(2024, 3, 31, 23, 0, 0, TimeSpan.Zero)),
            new(4, 10, 2, "USD", new DateTimeOffset(2024, 4, 1, 1, 0, 0, TimeSpan.Zero)),
        ];
        var sink = Rows.Collect<KernelOutput>(SnakeCase);

        var pipeline = KernelsGuide.Chain(Rows.From(rows, SnakeCase), sink);
        await pipeline.RunAsync();

        Assert.Equal(
            [new KernelOutput(1, 7, new DateOnly(2024, 3, 31), 10.5), new KernelOutput(4, 10, new DateOnly(2024, 4, 1), 2)],
            sink.ToList());
    }

    [Fact]
    public void Kernels_PredicatesBuild()
    {
        var predicates = KernelsGuide.Predicates();

        Assert.Equal(5, predicates.Count);
        Assert.Contains("amount", predicates[0].ToString(), StringComparison.Ordinal);
    }

    public sealed record KernelInput(long Id, int CustomerId, double Amount, string Currency, DateTimeOffset Ts);

    public sealed record KernelOutput(long Id, long CustomerId, DateOnly Dt, double AmountEur);
}
