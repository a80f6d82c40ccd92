using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Stages;

namespace DataEng.Core.DocSnippets;

// The code of docs/concepts.md and docs/pipelines.md: your own stages.

// <snippet:custom-source>
/// <summary>Yields the numbers 1..count in batches of batchSize, in one int64 column "n".</summary>
public sealed class NumbersSource(long count, int batchSize = 10_000) : ISource
{
    private static readonly Schema NumbersSchema = new([new Field("n", Int64Type.Default, nullable: false)], null);

    public string Name => "numbers";

    public Schema Schema => NumbersSchema;                  // known before the run: Build() checks the chain with it

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (long start = 1; start <= count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var length = (int)Math.Min(batchSize, count - start + 1);
            var values = new Int64Array.Builder().Reserve(length);
            for (var i = 0; i < length; i++)
            {
                values.Append(start + i);
            }

            // Buffers come from the run's allocator; the batch now belongs to the runner.
            yield return new RecordBatch(NumbersSchema, [values.Build(context.Allocator)], length);
            await Task.Yield();
        }
    }
}
// </snippet:custom-source>

// <snippet:custom-batch-transform>
/// <summary>Adds "square" = n * n. Stateless, so the runner may apply it to several batches at once.</summary>
public sealed class AddSquare : IBatchTransform
{
    public string Name => "add-square";

    public Schema GetOutputSchema(Schema input)
    {
        // Called once by Build(): check the input, describe the output. Throw SchemaMismatchException to list problems.
        SchemaMismatchException.ThrowIfAny("add-square needs an int64 column 'n'",
            input.GetFieldIndex("n") is var index && index >= 0 && input.GetFieldByIndex(index).DataType is Int64Type
                ? []
                : ["column 'n' is missing or not int64"]);
        return new Schema([.. input.FieldsList, new Field("square", Int64Type.Default, nullable: false)], null);
    }

    public RecordBatch Apply(RecordBatch input, RunContext context)
    {
        // The input is borrowed: the runner disposes it after Apply returns. Columns reused in the output are
        // retained (a new reference), so they outlive the input.
        var n = (Int64Array)input.Column("n");
        var squares = new Int64Array.Builder().Reserve(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            var value = n.GetValue(i)!.Value;
            squares.Append(value * value);
        }

        IArrowArray[] columns = [.. Enumerable.Range(0, input.ColumnCount).Select(c => input.Column(c).Retain()), squares.Build(context.Allocator)];
        return new RecordBatch(GetOutputSchema(input.Schema), columns, input.Length);
    }
}
// </snippet:custom-batch-transform>

// <snippet:custom-stream-transform>
/// <summary>Passes on only the first <c>limit</c> rows of the run (state across batches, so a stream transform).</summary>
public sealed class Take(long limit) : IStreamTransform
{
    public string Name => "take";

    public Schema GetOutputSchema(Schema input) => input;

    public async IAsyncEnumerable<RecordBatch> ApplyAsync(IAsyncEnumerable<RecordBatch> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long left = limit;
        await foreach (var batch in input.WithCancellation(cancellationToken))
        {
            // Every pulled batch is owned here: hand it on or dispose it.
            if (left >= batch.Length)
            {
                left -= batch.Length;
                yield return batch;
            }
            else
            {
                if (left > 0)
                {
                    var head = batch.SliceShared(0, (int)left);   // its own references to the buffers
                    left = 0;
                    yield return head;
                }

                batch.Dispose();
            }
        }
    }
}
// </snippet:custom-stream-transform>

/// <summary>Runs the custom stages together.</summary>
public static class CustomStages
{
    public static async Task<long> RunAsync(CancellationToken cancellationToken = default)
    {
        // <snippet:custom-stages-run>
        using var sink = new CollectingSink();
        var pipeline = Pipeline.Create("squares")
            .Extract(new NumbersSource(count: 25_000))
            .Transform(new AddSquare())
            .Transform(new Take(limit: 12_345))
            .Load(sink)
            .Build();

        RunResult result = await pipeline.RunAsync(cancellationToken);
        Console.WriteLine($"{result.RowsRead} read, {result.RowsWritten} written; the sink holds {sink.RowCount} rows");
        // </snippet:custom-stages-run>
        return sink.RowCount;
    }
}
