using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core;

// Placeholder quickstart: an in-memory pipeline. The incremental SQLite → lake quickstart replaces it (issue 4).
var schema = new Schema.Builder()
    .Field(f => f.Name("order_id").DataType(Int64Type.Default).Nullable(false))
    .Field(f => f.Name("amount").DataType(DoubleType.Default))
    .Build();
var batch = new RecordBatch(schema, [
    new Int64Array.Builder().AppendRange([1, 2, 3]).Build(),
    new DoubleArray.Builder().AppendRange([9.5, 20, 31.25]).Build()], 3);

using var sink = new CollectingSink();
var pipeline = Pipeline.Create("quickstart").Extract(new InMemorySource(schema, [batch])).Load(sink).Build();
var result = await pipeline.RunAsync();
Console.WriteLine(result);
batch.Dispose();
return 0;
