using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Stages;

namespace DataEng.Core.DocSnippets.Guides;

/// <summary>Stands in for a blob or object-store client that opens a readable stream.</summary>
public interface IBlobClient
{
    Stream OpenRead();
}

/// <summary>The code of docs/csv.md.</summary>
public static class CsvGuide
{
    public static (Pipeline Orders, ISource Events, ISource FromBlob) Sources(ISink sink, IBlobClient blobClient)
    {
        // <snippet:sources>
        var orders = Pipeline.Create("orders")
            .Extract(Csv.File("in/orders.csv"))                              // schema inferred when built
            .Load(sink)
            .Build();

        var events = Csv.Files("in/events", "*.csv", new CsvSourceOptions
        {
            Delimiter = ';',
            Culture = CultureInfo.GetCultureInfo("de-DE"),                  // 1.234,5 → 1234.5
            NullValues = ["", "NULL", "\\N"],
            Schema = new Schema.Builder()
                .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
                .Field(f => f.Name("amount").DataType(new Decimal128Type(12, 2)))
                .Field(f => f.Name("at").DataType(new TimestampType(TimeUnit.Microsecond, "UTC")))
                .Build(),
        });

        var fromBlob = Csv.Stream(() => blobClient.OpenRead(), "s3://bucket/orders.csv");
        // </snippet:sources>
        return (orders, events, fromBlob);
    }
}
