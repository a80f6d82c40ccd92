using System.Globalization;
using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>Transforms that reject bad rows under a <see cref="BadRowPolicy"/>.</summary>
public static class BadRows
{
    /// <summary>
    /// Creates a transform that checks every row: rows for which <paramref name="check"/> returns an error are
    /// rejected under the options' <see cref="BadRowValidationOptions.Policy"/> (fail, skip or dead-letter), the others
    /// pass on unchanged.
    /// </summary>
    /// <param name="check">Returns why row <c>i</c> of the batch is bad, or <see langword="null"/> when it is good.</param>
    /// <param name="options">The stage name and policy, or <see langword="null"/> for a stage named <c>validate</c>
    /// that fails the run on the first bad row.</param>
    /// <returns>The transform.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static IStreamTransform Validate(Func<RecordBatch, int, string?> check, BadRowValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        options ??= new BadRowValidationOptions();
        ValidationProblems.ThrowIfAny($"{nameof(BadRowValidationOptions)} of '{options.Name}'", options.Validate());
        return new ValidatingTransform(options.Name, check, options.Policy);
    }

    /// <summary>Formats one value of an Arrow array as text (for dead letters).</summary>
    internal static string? Format(IArrowArray array, int index)
    {
        if (array.IsNull(index))
        {
            return null;
        }

        return array switch
        {
            StringArray a => a.GetString(index),
            Int64Array a => a.GetValue(index)!.Value.ToString(CultureInfo.InvariantCulture),
            Int32Array a => a.GetValue(index)!.Value.ToString(CultureInfo.InvariantCulture),
            Int16Array a => a.GetValue(index)!.Value.ToString(CultureInfo.InvariantCulture),
            Int8Array a => a.GetValue(index)!.Value.ToString(CultureInfo.InvariantCulture),
            UInt8Array a => a.GetValue(index)!.Value.ToString(CultureInfo.InvariantCulture),
            DoubleArray a => a.GetValue(index)!.Value.ToString("R", CultureInfo.InvariantCulture),
            FloatArray a => a.GetValue(index)!.Value.ToString("R", CultureInfo.InvariantCulture),
            BooleanArray a => a.GetValue(index)!.Value ? "true" : "false",
            Decimal128Array a => a.GetValue(index)!.Value.ToString(CultureInfo.InvariantCulture),
            Date32Array a => a.GetDateOnly(index)!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            TimestampArray a => a.GetTimestamp(index)!.Value.ToString("O", CultureInfo.InvariantCulture),
            BinaryArray a => Convert.ToBase64String(a.GetBytes(index)),
            _ => $"<{array.Data.DataType.Name}>",
        };
    }

    /// <summary>Returns a batch of the rows whose <paramref name="keep"/> flag is set: the input itself when every row is
    /// kept, a shared slice (its own references) for one run of rows, new buffers otherwise. Either way the input may
    /// be disposed independently of the result.</summary>
    internal static RecordBatch Filter(RecordBatch batch, ReadOnlySpan<bool> keep, Apache.Arrow.Memory.MemoryAllocator allocator)
    {
        var ranges = new List<(int Start, int Length)>();
        var kept = 0;
        for (var i = 0; i < keep.Length;)
        {
            if (!keep[i])
            {
                i++;
                continue;
            }

            var start = i;
            while (i < keep.Length && keep[i])
            {
                i++;
            }

            ranges.Add((start, i - start));
            kept += i - start;
        }

        if (kept == batch.Length)
        {
            return batch;
        }

        if (ranges.Count == 1)
        {
            // One run of rows: a slice holding its own references to the buffers, no copy.
            return batch.SliceShared(ranges[0].Start, ranges[0].Length);
        }

        var columns = new IArrowArray[batch.ColumnCount];
        for (var c = 0; c < columns.Length; c++)
        {
            var column = batch.Column(c);
            if (kept == 0)
            {
                columns[c] = ArrowArrayConcatenator.Concatenate([ArrowArrayFactory.Slice(column, 0, 0)], allocator)!;
                continue;
            }

            var slices = ranges.Select(r => ArrowArrayFactory.Slice(column, r.Start, r.Length)).ToList();
            columns[c] = ArrowArrayConcatenator.Concatenate(slices, allocator)!;
        }

        return new RecordBatch(batch.Schema, columns, kept);
    }

    private sealed class ValidatingTransform(string name, Func<RecordBatch, int, string?> check, BadRowPolicy policy) : IStreamTransform
    {
        public string Name => name;

        public Schema GetOutputSchema(Schema input) => input;

        public async IAsyncEnumerable<RecordBatch> ApplyAsync(IAsyncEnumerable<RecordBatch> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var handler = new BadRowHandler(policy, name, context);
            long row = 0;
            await foreach (var batch in input.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                RecordBatch output;
                try
                {
                    var keep = new bool[batch.Length];
                    for (var i = 0; i < batch.Length; i++)
                    {
                        var error = check(batch, i);
                        keep[i] = error is null;
                        if (error is not null)
                        {
                            var raw = new Dictionary<string, string?>(batch.ColumnCount, StringComparer.Ordinal);
                            for (var c = 0; c < batch.ColumnCount; c++)
                            {
                                raw[batch.Schema.FieldsList[c].Name] = Format(batch.Column(c), i);
                            }

                            handler.Reject($"row {row + i + 1} of the run", error, raw);
                        }
                    }

                    output = Filter(batch, keep, context.Allocator);
                    handler.Accept(output.Length);
                    row += batch.Length;
                }
                catch
                {
                    batch.Dispose();
                    throw;
                }

                if (!ReferenceEquals(output, batch))
                {
                    batch.Dispose();
                }

                if (output.Length == 0)
                {
                    output.Dispose();
                    continue;
                }

                yield return output;
            }

            await handler.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
