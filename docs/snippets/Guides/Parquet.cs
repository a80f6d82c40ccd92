namespace DataEng.Core.DocSnippets.Guides;

/// <summary>The code of docs/parquet.md.</summary>
public static class ParquetGuide
{
    public static async Task<Pipeline> CopyAsync()
    {
        // <snippet:copy>
        var pipeline = Pipeline.Create("orders")
            .Extract(ParquetFile.Read(["in/2024-01.parquet", "in/2024-02.parquet"], new ParquetReadOptions { Columns = ["id", "amount", "ts"] }))
            .Load(ParquetFile.Write("out/orders.parquet", new ParquetWriteOptions { Compression = ParquetCompression.Zstd }))
            .Build();
        await pipeline.RunAsync();
        // </snippet:copy>
        return pipeline;
    }
}
