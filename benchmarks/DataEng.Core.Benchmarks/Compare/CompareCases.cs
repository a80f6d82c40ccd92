using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks.Compare;

/// <summary>The cases of <c>compare</c> and the engines of each: ours first, then the peers.</summary>
internal static class CompareCases
{
    public static IReadOnlyList<string> Keys { get; } = ["lake", "file", "read", "stream"];

    public static IEnumerable<CompareCase> All()
    {
        yield return new CompareCase("lake", "Arrow → 30 Hive partitions", CaseKind.WriteDataset, Engines(
            OurEngines.LakeWriter,
            new CompareEngine("DuckDB COPY PARTITION_BY (from its table)", static (c, output) => Done(() => c.Duck.CopyTablePartitioned(output, c.Settings), c),
                Note: "COPY … TO … (FORMAT parquet, PARTITION_BY (dt)) from a table DuckDB already holds (loaded before the turns, not timed).",
                NeedsDuckTable: true),
            new CompareEngine("DuckDB COPY PARTITION_BY (from our Arrow)", static (c, output) => Done(() => c.Duck.CopyArrowPartitioned(c.Data.Batches, output, c.Settings), c),
                Note: "the same COPY reading our Arrow batches in place through DuckDB's C API Arrow scan (P/Invoke duckdb_arrow_scan)."),
            new CompareEngine("Parquet.Net naive (LINQ GroupBy)", static async (c, output) =>
            {
                await NaiveParquetNet.WritePartitionedAsync(output, c.Data.Batches, c.Settings).ConfigureAwait(false);
                return c.Data.Rows;
            }, Note: "LINQ GroupBy of every row on dt, then per partition one DataField per column fed with CLR arrays (DateTime, string).")));

        yield return new CompareCase("file", "Arrow → one Parquet file", CaseKind.WriteFile, Engines(
            OurEngines.FileWriter,
            new CompareEngine("ParquetSharp Arrow FileWriter", static (c, output) => Done(() => ParquetSharpPeer.WriteFile(output, StandardDataset.Schema, c.Data.Batches, c.Settings), c),
                Note: "ParquetSharp.Arrow.FileWriter.WriteRecordBatch per batch, Arrow C++ writer threads on."),
            new CompareEngine("DuckDB COPY (from our Arrow)", static (c, output) => Done(() => c.Duck.CopyArrowToFile(c.Data.Batches, output, c.Settings), c)),
            new CompareEngine("Parquet.Net naive (DataField per column)", static async (c, output) =>
            {
                await NaiveParquetNet.WriteFileAsync(output, c.Data.Batches, c.Settings).ConfigureAwait(false);
                return c.Data.Rows;
            })));

        yield return new CompareCase("read", "Parquet file → Arrow (all columns)", CaseKind.Read, Engines(
            OurEngines.FileReader,
            new CompareEngine("ParquetSharp Arrow FileReader", static (c, _) => ParquetSharpPeer.ReadFileAsync(c.ReadInput, null, c.ReadBatchRows),
                Note: "ParquetSharp.Arrow.FileReader.GetRecordBatchReader, reader threads on, same batch size as ours."),
            new CompareEngine("Parquet.Net naive (CLR arrays → Arrow builders)", static (c, _) => NaiveParquetNet.ReadFileToArrowAsync(c.ReadInput))));

        foreach (var streaming in Streaming())
        {
            yield return streaming;
        }
    }

    /// <summary>Yields the streaming case: only ours (the peers need their input in memory or in a table).</summary>
    public static IEnumerable<CompareCase> Streaming()
    {
        yield return new CompareCase("stream", "generated stream → 30 Hive partitions (memory)", CaseKind.WriteDataset, Engines(
            new CompareEngine("DataEng.Core lake writer (streaming source)", static async (c, output) =>
            {
                var result = await Ours.WriteLakeAsync(output, new StandardDatasetSource(c.StreamRows, c.StreamBatchRows), c.Settings, c.ChannelCapacity).ConfigureAwait(false);
                return result.RowsWritten;
            }, IsOurs: true, Note: "a pipeline StandardDatasetSource (batches generated while read: generation time is included) → Lake.Write; the input is never all in memory, only the batches in flight (up to ChannelCapacity + 2 of them), so the peak shows what the pipeline and the writer need whatever the input size.")),
            Streaming: true);
    }

    private static List<CompareEngine> Engines(params CompareEngine?[] engines) => [.. engines.OfType<CompareEngine>()];

    private static Task<long> Done(Action action, CompareContext context)
    {
        action();
        return Task.FromResult(context.Data.Rows);
    }
}

/// <summary>
/// Our engines in <c>compare</c>; each is wired when its code has landed.
/// </summary>
internal static class OurEngines
{
    public static CompareEngine? LakeWriter { get; } = new("DataEng.Core lake writer (pipeline → Lake.Write)", static async (c, output) =>
    {
        var result = await Ours.WriteLakeAsync(output, c.Data.Batches, c.Settings, c.ChannelCapacity).ConfigureAwait(false);
        return result.RowsWritten;
    }, IsOurs: true, Note: "a pipeline InMemorySource → Lake.Write partitioned by dt; includes the lake's commit: every file fsynced, renamed into place, directories fsynced, manifest written (the peers do not fsync).");

    public static CompareEngine? FileWriter { get; } = new("DataEng.Core ArrowParquetWriter", static async (c, output) =>
    {
        await Ours.WriteFileAsync(output, StandardDataset.Schema, c.Data.Batches, c.Settings).ConfigureAwait(false);
        return c.Data.Rows;
    }, IsOurs: true, Note: "the library's Arrow → Parquet writer, one file, no fsync.");

    public static CompareEngine? FileReader { get; } = new("DataEng.Core ArrowParquetReader", static (c, _) => Ours.ReadFileAsync(c.ReadInput, null, c.ReadBatchRows),
        IsOurs: true, Note: "the library's Parquet → Arrow reader, batches of the same size as the peers'.");
}
