using DataEng.Core.Tests.Stages;

namespace DataEng.Core.Tests.Lake;

public sealed class LakeSourceContractTests : SourceContractTests
{
    protected override ISource CreateSource()
    {
        var root = Path.Combine(Folder, "lake");
        if (!Directory.Exists(root))
        {
            // One commit per contract batch: five files, read one after the other.
            foreach (var batch in ContractData.Batches())
            {
                using (batch)
                {
                    Pipeline.Create("contract").Extract(new InMemorySource(ContractData.Schema, [batch])).Load(Core.Lake.Write(root)).Build().RunAsync().GetAwaiter().GetResult();
                }
            }
        }

        return Core.Lake.Read(root);
    }
}

public sealed class LakeSinkContractTests : SinkContractTests
{
    private string Root => Path.Combine(Folder, "lake");

    protected override ISink CreateSink() => Core.Lake.Write(Root);

    // The committed files (the latest manifest), read by DuckDB.
    protected override async ValueTask<IReadOnlyList<long>?> VisibleIdsAsync(ISink sink)
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var files = (await LakeDataset.OpenAsync(Root)).Latest?.Files ?? [];
        return files.Count == 0
            ? []
            : [.. Duck.Query($"SELECT Id FROM read_parquet([{string.Join(", ", files.Select(static f => Duck.Literal(f.FullPath)))}])").Select(static r => (long)r[0]!)];
    }

    // Data files outside the latest snapshot (left by an abort) and anything left in the staging folder.
    protected override IEnumerable<string> StrayFiles()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var committed = LakeDataset.OpenAsync(Root).GetAwaiter().GetResult().Latest?.Files.Select(static f => f.FullPath).ToHashSet() ?? [];
        var staging = Path.Combine(Root, "_dataeng", "staging");
        return Directory.EnumerateFiles(Root, "*.parquet", SearchOption.AllDirectories).Where(p => !committed.Contains(p))
            .Concat(Directory.Exists(staging) ? Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories) : []);
    }
}

public sealed class PartitionedLakeSinkContractTests : SinkContractTests
{
    private string Root => Path.Combine(Folder, "lake");

    // Partitioned by a nullable string: a partition for almost every row, the null one included.
    protected override ISink CreateSink()
    {
        var options = new LakeWriteOptions { MaxPartitionsPerRun = ContractData.Rows };
        options.PartitionBy.Add(PartitionSpec.Identity("Name"));
        return Core.Lake.Write(Root, options);
    }

    protected override async ValueTask<IReadOnlyList<long>?> VisibleIdsAsync(ISink sink)
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var snapshot = (await LakeDataset.OpenAsync(Root)).Latest;
        return snapshot is null ? [] : [.. Duck.Query($"SELECT Id FROM {Duck.Glob(Root)}").Select(static r => (long)r[0]!)];
    }

    protected override IEnumerable<string> StrayFiles()
    {
        var staging = Path.Combine(Root, "_dataeng", "staging");
        return Directory.Exists(staging) ? Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories) : [];
    }
}
