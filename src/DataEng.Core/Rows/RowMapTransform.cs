using System.Buffers;
using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// A stateless transform that reads each input batch as rows of <typeparamref name="TIn"/> (columns matched by name,
/// so <typeparamref name="TIn"/> may be a projection of the input), applies a row function, and writes the results
/// as a batch of <typeparamref name="TOut"/> built on <see cref="RunContext.Allocator"/>. The function may run on
/// several batches at once (see <see cref="PipelineOptions.MaxDegreeOfParallelism"/>), so it must be thread-safe.
/// </summary>
internal sealed class RowMapTransform<TIn, TOut> : IBatchTransform
{
    private readonly RowMapper<TIn> _input;
    private readonly RowMapper<TOut> _output;
    private readonly Func<TIn, TOut>? _map;
    private readonly Func<TIn, IEnumerable<TOut>>? _flatMap;
    private readonly BufferScratchPool _scratch = new();

    public RowMapTransform(Func<TIn, TOut>? map, Func<TIn, IEnumerable<TOut>>? flatMap, RowMappingOptions? options, string name)
    {
        _map = map;
        _flatMap = flatMap;
        _input = RowMapper<TIn>.Get(options);
        _output = RowMapper<TOut>.Get(options);
        Name = name;
    }

    public string Name { get; }

    public Schema GetOutputSchema(Schema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var problems = _input.BindProblems(input);
        SchemaMismatchException.ThrowIfAny($"Rows of type '{RowTypeNames.Display(typeof(TIn))}' cannot be read from the input {SchemaText.Describe(input)}.", problems);
        return _output.Schema;
    }

    public RecordBatch Apply(RecordBatch input, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var binding = _input.Bind(input.Schema);
        var length = input.Length;
        var rows = ArrayPool<TIn>.Shared.Rent(Math.Max(length, 1));
        var results = ArrayPool<TOut>.Shared.Rent(Math.Max(length, 1));
        var scratch = _scratch.Rent();
        try
        {
            binding.Read(input, rows, new DecodeContext($"{Name} (input)", 1));
            var count = 0;
            if (_map is not null)
            {
                for (var i = 0; i < length; i++)
                {
                    results[i] = _map(rows[i]);
                }

                count = length;
            }
            else
            {
                for (var i = 0; i < length; i++)
                {
                    foreach (var result in _flatMap!(rows[i]))
                    {
                        if (count == results.Length)
                        {
                            var larger = ArrayPool<TOut>.Shared.Rent(results.Length * 2);
                            results.AsSpan(0, count).CopyTo(larger);
                            ArrayPool<TOut>.Shared.Return(results, RuntimeHelpers.IsReferenceOrContainsReferences<TOut>());
                            results = larger;
                        }

                        results[count++] = result;
                    }
                }
            }

            return _output.Write(results, count, new EncodeContext(context.Allocator, scratch, $"{Name} (output)", 1));
        }
        finally
        {
            _scratch.Return(scratch);
            ArrayPool<TIn>.Shared.Return(rows, RuntimeHelpers.IsReferenceOrContainsReferences<TIn>());
            ArrayPool<TOut>.Shared.Return(results, RuntimeHelpers.IsReferenceOrContainsReferences<TOut>());
        }
    }
}
