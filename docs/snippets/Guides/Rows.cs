namespace DataEng.Core.DocSnippets.Guides;

// <snippet:types>
public sealed record Order(long Id, string Customer, decimal Amount, DateTimeOffset PlacedAt, string? Note);
public sealed record Net(long Id, decimal Amount);
// </snippet:types>

/// <summary>The code of docs/rows.md.</summary>
public static class RowsGuide
{
    public static async Task<List<Net>> NetAsync(IEnumerable<Order> orders, CancellationToken cancellationToken = default)
    {
        // <snippet:map>
        var sink = Rows.Collect<Net>();
        await Pipeline.Create("orders")
            .Extract(Rows.From(orders))                                    // IEnumerable<Order> or IAsyncEnumerable<Order>
            .Map((Order o) => new Net(o.Id, o.Amount * 0.9m))              // row-level custom logic
            .Load(sink)                                                    // rows visible after the run commits
            .Build()
            .RunAsync(cancellationToken);
        List<Net> result = sink.ToList();
        // </snippet:map>
        return result;
    }
}
