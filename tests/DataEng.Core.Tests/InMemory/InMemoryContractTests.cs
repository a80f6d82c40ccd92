using Apache.Arrow;
using DataEng.Core.Tests.Stages;

namespace DataEng.Core.Tests.InMemory;

public sealed class InMemorySourceContractTests : SourceContractTests
{
    private readonly List<RecordBatch> _batches = ContractData.Batches();

    protected override ISource CreateSource() => new InMemorySource(ContractData.Schema, _batches);

    protected override void Dispose(bool disposing)
    {
        _batches.ForEach(static b => b.Dispose());
        base.Dispose(disposing);
    }
}

public sealed class CollectingSinkContractTests : SinkContractTests
{
    protected override ISink CreateSink() => new CollectingSink();

    protected override ValueTask<IReadOnlyList<long>?> VisibleIdsAsync(ISink sink)
        => ValueTask.FromResult<IReadOnlyList<long>?>([.. ((CollectingSink)sink).Batches.SelectMany(ContractData.Ids)]);
}

public sealed class NullSinkContractTests : SinkContractTests
{
    protected override ISink CreateSink() => new NullSink();

    // A null sink discards: nothing to read back, but every lifecycle call must still be accepted.
    protected override ValueTask<IReadOnlyList<long>?> VisibleIdsAsync(ISink sink) => ValueTask.FromResult<IReadOnlyList<long>?>(null);
}
