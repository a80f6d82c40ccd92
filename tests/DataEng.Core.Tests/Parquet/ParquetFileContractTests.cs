using DataEng.Core.Tests.Stages;

namespace DataEng.Core.Tests.Parquet;

public sealed class ParquetFileSourceContractTests : SourceContractTests
{
    protected override ISource CreateSource()
    {
        var path = Path.Combine(Folder, "contract.parquet");
        if (!File.Exists(path))
        {
            var batches = ContractData.Batches();
            ParquetTestData.WriteFileAsync(path, batches, ContractData.Schema).GetAwaiter().GetResult();
            batches.ForEach(static b => b.Dispose());
        }

        return ParquetFile.Read(path, options: new ParquetReadOptions { BatchSize = ContractData.BatchSize });
    }

    protected override void AssertResourcesReleased()
    {
        using var exclusive = new FileStream(Path.Combine(Folder, "contract.parquet"), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
    }
}

public sealed class ParquetFileSinkContractTests : SinkContractTests
{
    private string Target => Path.Combine(Folder, "out", "contract.parquet");

    protected override ISink CreateSink() => ParquetFile.Write(Target);

    // DuckDB reads the file back; no file means nothing was committed.
    protected override ValueTask<IReadOnlyList<long>?> VisibleIdsAsync(ISink sink)
        => ValueTask.FromResult<IReadOnlyList<long>?>(File.Exists(Target)
            ? [.. Duck.Query($"SELECT Id FROM read_parquet({Duck.Literal(Target)})").Select(static r => (long)r[0]!)]
            : []);

    protected override IEnumerable<string> StrayFiles()
        => Directory.Exists(Path.GetDirectoryName(Target))
            ? Directory.EnumerateFiles(Path.GetDirectoryName(Target)!, "*", SearchOption.AllDirectories).Where(p => p != Target)
            : [];
}
