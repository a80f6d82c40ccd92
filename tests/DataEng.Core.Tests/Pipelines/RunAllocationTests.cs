using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.Tests.Pipelines;

/// <summary>
/// The runner allocates nothing per batch in steady state. Allocation counting is deterministic (not timing): the
/// bytes allocated by a run of 2N batches minus those of a run of N batches is what N more batches cost, the per-run
/// setup cancelling out. Not run in parallel with other tests, whose allocations would be counted too.
/// </summary>
[Collection(Name)]
public class RunAllocationTests
{
    public const string Name = "allocation counting";

    private const int Batches = 10_000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task RunAsync_PassThroughInSteadyState_AllocatesNothingPerBatch(int parallelism)
    {
        var schema = new Schema.Builder().Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false)).Build();
        var values = new long[256];

        // Managed memory: disposing the batch releases nothing, so one batch can pass through the runner many times.
        var batch = new RecordBatch(schema, [new Int64Array(new ArrowBuffer(MemoryMarshal.AsBytes(values.AsSpan()).ToArray()), ArrowBuffer.Empty, values.Length, 0, 0)], values.Length);
        Pipeline Build(int batches) => Pipeline.Create("pass-through")
            .Extract(new RepeatingSource(schema, batch, batches))
            .Transform(new IdentityTransform())
            .Transform(new IdentityTransform())
            .Transform(new IdentityTransform())
            .Load(new NullSink())
            .Configure(o => o.MaxDegreeOfParallelism = parallelism)
            .Build();

        var shorter = Build(Batches);
        var longer = Build(2 * Batches);
        await shorter.RunAsync();
        await longer.RunAsync();

        // The least of a few attempts: a runtime thread (tiered compilation) may allocate during one of them, a per-batch
        // allocation shows in every one.
        var least = long.MaxValue;
        for (var attempt = 0; attempt < 3 && least >= Batches; attempt++)
        {
            var extra = await AllocatedAsync(longer) - await AllocatedAsync(shorter);
            least = Math.Min(least, extra);
        }

        // One byte per batch would be Batches bytes.
        Assert.True(least < Batches, $"{Batches:N0} more batches allocated {least:N0} more bytes ({(double)least / Batches:F2} B per batch).");
    }

    private static async Task<long> AllocatedAsync(Pipeline pipeline)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await pipeline.RunAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(result.RowsWritten > 0);
        return allocated;
    }
}

[CollectionDefinition(RunAllocationTests.Name, DisableParallelization = true)]
public sealed class RunAllocationCollection;
