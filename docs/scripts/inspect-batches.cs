#!/usr/bin/env dotnet
// Inspects record batches and a run result: schema, per-batch rows / nulls / buffer bytes, a preview of the rows,
// and per-stage metrics. Run from anywhere with:  dotnet run docs/scripts/inspect-batches.cs [rows]
// Outside this repository, replace the #:project line by  #:package DataEng.Core@<version>
#:project ../../src/DataEng.Core/DataEng.Core.csproj

using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core;
using DataEng.Core.Diagnostics;
using DataEng.Core.Stages;

var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000;
var schema = new Schema.Builder()
    .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
    .Field(f => f.Name("city").DataType(StringType.Default))
    .Field(f => f.Name("amount").DataType(DoubleType.Default))
    .Build();
string[] cities = ["Lyon", "Oslo", "Porto", "Turin"];

var batches = new List<RecordBatch>();
for (var start = 0; start < rows; start += 256)
{
    var count = Math.Min(256, rows - start);
    var ids = new Int64Array.Builder();
    var city = new StringArray.Builder();
    var amount = new DoubleArray.Builder();
    for (var i = start; i < start + count; i++)
    {
        ids.Append(i);
        city.Append(i % 7 == 0 ? null : cities[i % cities.Length]);
        amount.Append(i % 5 == 0 ? null : i * 0.25);
    }

    batches.Add(new RecordBatch(schema, [ids.Build(), city.Build(), amount.Build()], count));
}

using var sink = new CollectingSink("inspect");
var pipeline = Pipeline.Create("inspect").Extract(new InMemorySource(schema, batches)).Load(sink).Build();
var result = await pipeline.RunAsync();

Console.WriteLine($"schema {SchemaText.Describe(pipeline.OutputSchema)}");
Console.WriteLine();
Console.WriteLine("batch       rows  nulls per column                 buffer bytes");
for (var b = 0; b < sink.Batches.Count; b++)
{
    var batch = sink.Batches[b];
    var nulls = string.Join(", ", Enumerable.Range(0, batch.ColumnCount).Select(c => $"{batch.Schema.FieldsList[c].Name}={batch.Column(c).NullCount}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{b,5} {batch.Length,10:N0}  {nulls,-32} {batch.GetBufferSize(),12:N0}"));
}

Console.WriteLine();
Console.WriteLine("first rows");
var first = sink.Batches[0];
Console.WriteLine(string.Join(" | ", first.Schema.FieldsList.Select(f => f.Name)));
for (var r = 0; r < Math.Min(5, first.Length); r++)
{
    Console.WriteLine(string.Join(" | ", Enumerable.Range(0, first.ColumnCount).Select(c => Cell(first.Column(c), r))));
}

Console.WriteLine();
Console.WriteLine(result);
foreach (var batch in batches)
{
    batch.Dispose();
}

if (sink.RowCount != rows || result.RowsWritten != rows)
{
    Console.Error.WriteLine($"expected {rows} rows, the sink has {sink.RowCount}");
    return 1;
}

return 0;

static string Cell(IArrowArray column, int row) => column.IsNull(row) ? "null" : column switch
{
    Int64Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
    DoubleArray a => a.GetValue(row)!.Value.ToString("R", CultureInfo.InvariantCulture),
    StringArray a => a.GetString(row),
    _ => $"({column.Data.DataType.Name})",
};
