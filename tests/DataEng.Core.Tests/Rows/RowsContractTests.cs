using DataEng.Core.Tests.Stages;

namespace DataEng.Core.Tests.TypedRows;

public sealed class RowsSourceContractTests : SourceContractTests
{
    protected override ISource CreateSource() => Rows.From(ContractData.AllRows(), batchSize: ContractData.BatchSize);
}

public sealed class AsyncRowsSourceContractTests : SourceContractTests
{
    protected override ISource CreateSource() => Rows.From(RowsAsync(), batchSize: ContractData.BatchSize);

    private static async IAsyncEnumerable<ContractRow> RowsAsync()
    {
        foreach (var row in ContractData.AllRows())
        {
            await Task.Yield();
            yield return row;
        }
    }
}

public sealed class RowsSinkContractTests : SinkContractTests
{
    protected override ISink CreateSink() => Rows.Collect<ContractRow>();

    protected override ValueTask<IReadOnlyList<long>?> VisibleIdsAsync(ISink sink)
        => ValueTask.FromResult<IReadOnlyList<long>?>([.. ((RowsSink<ContractRow>)sink).Rows.Select(static r => r.Id)]);
}
