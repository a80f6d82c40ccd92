using System.Globalization;
using DataEng.Core.Stages;

namespace DataEng.Core.DocSnippets.Guides;

/// <summary>The code of docs/kernels.md.</summary>
public static class KernelsGuide
{
    public static Pipeline Chain(ISource source, ISink sink)
    {
        // <snippet:chain>
        var pipeline = Pipeline.Create("orders")
            .Extract(source)
            .Filter("amount", (double v) => v > 0)
            .Filter(RowPredicate.Column("currency").In("EUR", "USD"))
            .Derive("dt", "ts", (DateTimeOffset ts) => DateOnly.FromDateTime(ts.UtcDateTime))
            .Cast("customer_id", DataTypes.Int64)          // or Apache.Arrow.Types.Int64Type.Default
            .Select("id", "customer_id", "dt", "amount")
            .Rename("amount", "amount_eur")
            .Load(sink)
            .Build();
        // </snippet:chain>
        return pipeline;
    }

    public static IReadOnlyList<RowPredicate> Predicates()
    {
        // <snippet:predicates>
        var positiveNotGbp = RowPredicate.Column("amount").GreaterThan(0) & !RowPredicate.Column("currency").In("GBP");
        var noNoteOrOld = RowPredicate.Column("note").IsNull() | RowPredicate.Column("day").LessThan(new DateOnly(2024, 1, 1));
        var even = RowPredicate.Column("amount").Where((double v) => v % 2 == 0);                 // row lambda
        var positive = RowPredicate.Column("amount").Where((ReadOnlySpan<double> v, Span<bool> keep) =>
        {
            for (var i = 0; i < v.Length; i++) keep[i] = v[i] > 0;                             // span lambda
        });
        var skuAb = RowPredicate.Column("sku").WhereUtf8(utf8 => utf8.StartsWith("AB-"u8));      // no strings created
        // </snippet:predicates>
        return [positiveNotGbp, noNoteOrOld, even, positive, skuAb];
    }

    public static PipelineBuilder Derives(PipelineBuilder builder)
    {
        return builder
            // <snippet:derive>
            .Derive("dt", "ts", (DateTimeOffset ts) => DateOnly.FromDateTime(ts.UtcDateTime))     // row lambda
            .Derive("total", "price", "qty", (decimal p, int q) => p * q, DataTypes.Decimal128(12, 2))
            .Derive("x2", "x", (ReadOnlySpan<double> x, Span<double> y) =>                        // span lambda
            {
                for (var i = 0; i < x.Length; i++) y[i] = x[i] * 2;
            })
            .Derive("label", "code", (int? c) => c is null ? "none" : c.Value.ToString(CultureInfo.InvariantCulture)) // sees nulls
            // </snippet:derive>
            ;
    }
}
