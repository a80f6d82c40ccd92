using DataEng.Core.Stages;
using DataEng.Core.Tables;

namespace DataEng.Core.DocSnippets.Guides;

/// <summary>The code of docs/lake.md.</summary>
public static class LakeGuide
{
    public static async Task<(ISource Read, LakeCommit? Last)> WriteReadCompactAsync(ISource source)
    {
        // <snippet:write-read-compact>
        var options = new LakeWriteOptions { Mode = LakeWriteMode.Append };
        options.PartitionBy.Add(PartitionSpec.Day("ts").As("dt"));        // dt=2024-03-31/
        options.Parquet.Compression = ParquetCompression.Zstd;

        var load = Pipeline.Create("orders").Extract(source).Load(Lake.Write("lake/orders", options)).Build();
        await load.RunAsync();

        var read = Lake.Read("lake/orders", new LakeReadOptions
        {
            Columns = ["id", "amount", "dt"],
            PartitionFilter = p => (DateOnly)p["dt"]! >= new DateOnly(2024, 3, 1),
        });

        var lake = await Lake.OpenAsync("lake/orders");
        LakeCommit? last = await lake.GetLastCommitAsync("orders");   // run number + committed key/values (watermark)
        await lake.CompactAsync();
        // </snippet:write-read-compact>
        return (read, last);
    }
}
