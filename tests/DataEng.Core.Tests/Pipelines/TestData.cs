using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core.Tests.Pipelines;

internal static class TestData
{
    public static readonly Schema Schema = new Schema.Builder()
        .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
        .Field(f => f.Name("amount").DataType(DoubleType.Default).Nullable(true))
        .Build();

    public static RecordBatch Batch(long firstId, int rows, MemoryAllocator? allocator = null)
    {
        var ids = new Int64Array.Builder();
        var amounts = new DoubleArray.Builder();
        for (var i = 0; i < rows; i++)
        {
            ids.Append(firstId + i);
            if ((firstId + i) % 5 == 0)
            {
                amounts.AppendNull();
            }
            else
            {
                amounts.Append((firstId + i) * 1.5);
            }
        }

        return new RecordBatch(Schema, [ids.Build(allocator), amounts.Build(allocator)], rows);
    }

    public static IEnumerable<long> Ids(IEnumerable<RecordBatch> batches)
        => batches.SelectMany(b => ((Int64Array)b.Column(0)).Values.ToArray());
}
