using Apache.Arrow;
using Apache.Arrow.Types;

// RS0026: the overloads differ by the delegate (or dictionary) they take, which the compiler picks from the argument;
// the optional parameter is the same trailing knob on each of them.
#pragma warning disable RS0026

namespace DataEng.Core;

/// <summary>
/// Creates the library's stateless transforms (select, rename, filter, cast, derive, hash). Add them to a pipeline
/// with <see cref="PipelineBuilder.Transform"/> or, shorter, with the extension methods in
/// <see cref="PipelineBuilderTransformExtensions"/>; or call <see cref="IBatchTransform.Apply"/> directly in tests.
/// </summary>
/// <remarks>
/// Each transform checks its input schema in <see cref="ITransform.GetOutputSchema"/> and reports every problem at once
/// (unknown columns with a "did you mean" hint, unsupported or incompatible types, duplicate names), so a pipeline
/// fails at <see cref="PipelineBuilder.Build"/>, not half way through a run. Outputs reuse the input's buffers where
/// nothing changes and take new buffers from <see cref="RunContext.Allocator"/>.
/// </remarks>
public static class BatchTransforms
{
    /// <summary>Keeps the named columns, in the given order (zero-copy).</summary>
    /// <param name="columns">Column names, each at most once.</param>
    /// <returns>The transform.</returns>
    public static IBatchTransform Select(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0)
        {
            throw new ArgumentException("Select at least one column.", nameof(columns));
        }

        return new SelectTransform([.. columns]);
    }

    /// <summary>Renames columns (zero-copy).</summary>
    /// <param name="names">Old name → new name.</param>
    /// <returns>The transform.</returns>
    public static IBatchTransform Rename(IReadOnlyDictionary<string, string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return new RenameTransform(new Dictionary<string, string>(names, StringComparer.Ordinal));
    }

    /// <summary>Keeps the rows where <paramref name="predicate"/> is true; nulls follow SQL (see <see cref="RowPredicate"/>).</summary>
    /// <param name="predicate">The condition.</param>
    /// <returns>The transform.</returns>
    public static IBatchTransform Filter(RowPredicate predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var text = predicate.ToString();
        return new FilterTransform(predicate, "filter " + (text.Length > 60 ? text[..59] + "…" : text));
    }

    /// <summary>Casts columns to other types (see docs/kernels.md for every cast and its rules).</summary>
    /// <param name="columns">Column name → target type.</param>
    /// <param name="options">Options (copied); <see langword="null"/> for strict casts.</param>
    /// <returns>The transform. A value that does not convert fails the run with a <see cref="DataFormatException"/>
    /// naming the column, the row within the batch and the value (unless <see cref="CastOptions.InvalidToNull"/>).</returns>
    public static IBatchTransform Cast(IReadOnlyDictionary<string, IArrowType> columns, CastOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0)
        {
            throw new ArgumentException("Cast at least one column.", nameof(columns));
        }

        var copy = new CastOptions { AllowTruncation = options?.AllowTruncation ?? false, InvalidToNull = options?.InvalidToNull ?? false };
        return new CastTransform([.. columns], copy, "cast " + string.Join(", ", columns.Keys));
    }

    /// <summary>Computes a column from another with a row lambda (called once per row).</summary>
    /// <typeparam name="TIn">The CLR type the input is read as (see <see cref="DataTypes"/>). A <c>Nullable&lt;T&gt;</c>
    /// parameter also receives the null rows; otherwise a null input gives a null output without calling the lambda.</typeparam>
    /// <typeparam name="TOut">The result type; it decides the output type unless <paramref name="outputType"/> is given.
    /// A null result (reference or nullable type) is a null output.</typeparam>
    /// <param name="output">The output column: replaced in place if it exists, appended otherwise.</param>
    /// <param name="input">The input column.</param>
    /// <param name="function">The computation.</param>
    /// <param name="outputType">The output Arrow type, or <see langword="null"/> for the one <typeparamref name="TOut"/>
    /// maps to. Another type is reached by a strict cast.</param>
    /// <returns>The transform.</returns>
    public static IBatchTransform Derive<TIn, TOut>(string output, string input, Func<TIn, TOut> function, IArrowType? outputType = null)
    {
        CheckNames(output, input);
        ArgumentNullException.ThrowIfNull(function);
        return Computed(output, [input], (schema, problems, name) =>
        {
            var field = DeriveBinding.Validate(schema, output, [input], [typeof(TIn)], typeof(TOut), outputType, span: false, problems, out var indices, out var writeType, out var cast);
            if (field is null)
            {
                return default;
            }

            var plan = new RowDerive<TIn, TOut>(name, output, indices, [input], writeType, cast, ValueReaders.Factory<TIn>(schema.FieldsList[indices[0]].DataType, name, input), function, SeesNulls<TIn>());
            return (plan.Compute, field);
        });
    }

    /// <summary>Computes a column from two others with a row lambda (called once per row).</summary>
    /// <typeparam name="T1">The CLR type the first input is read as.</typeparam>
    /// <typeparam name="T2">The CLR type the second input is read as.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="output">The output column: replaced in place if it exists, appended otherwise.</param>
    /// <param name="first">The first input column.</param>
    /// <param name="second">The second input column.</param>
    /// <param name="function">The computation; not called when an input whose parameter is not nullable is null.</param>
    /// <param name="outputType">The output Arrow type, or <see langword="null"/> for the one <typeparamref name="TOut"/> maps to.</param>
    /// <returns>The transform.</returns>
    public static IBatchTransform Derive<T1, T2, TOut>(string output, string first, string second, Func<T1, T2, TOut> function, IArrowType? outputType = null)
    {
        CheckNames(output, first, second);
        ArgumentNullException.ThrowIfNull(function);
        return Computed(output, [first, second], (schema, problems, name) =>
        {
            var field = DeriveBinding.Validate(schema, output, [first, second], [typeof(T1), typeof(T2)], typeof(TOut), outputType, span: false, problems, out var indices, out var writeType, out var cast);
            if (field is null)
            {
                return default;
            }

            var plan = new RowDerive<T1, T2, TOut>(name, output, indices, [first, second], writeType, cast,
                ValueReaders.Factory<T1>(schema.FieldsList[indices[0]].DataType, name, first),
                ValueReaders.Factory<T2>(schema.FieldsList[indices[1]].DataType, name, second),
                function, SeesNulls<T1>(), SeesNulls<T2>());
            return (plan.Compute, field);
        });
    }

    /// <summary>Computes a column from another with a span lambda (called per chunk of rows; numbers are handed over
    /// straight from and into Arrow buffers when the types match).</summary>
    /// <typeparam name="TIn">The CLR type the input is read as (a non-nullable value type).</typeparam>
    /// <typeparam name="TOut">The result type (non-nullable).</typeparam>
    /// <param name="output">The output column: replaced in place if it exists, appended otherwise.</param>
    /// <param name="input">The input column.</param>
    /// <param name="function">The computation; a null input row gives a null output row.</param>
    /// <param name="outputType">The output Arrow type, or <see langword="null"/> for the one <typeparamref name="TOut"/> maps to.</param>
    /// <returns>The transform.</returns>
    public static IBatchTransform Derive<TIn, TOut>(string output, string input, SpanFunc<TIn, TOut> function, IArrowType? outputType = null)
    {
        CheckNames(output, input);
        ArgumentNullException.ThrowIfNull(function);
        return Computed(output, [input], (schema, problems, name) =>
        {
            var field = DeriveBinding.Validate(schema, output, [input], [typeof(TIn)], typeof(TOut), outputType, span: true, problems, out var indices, out var writeType, out var cast);
            if (field is null)
            {
                return default;
            }

            var plan = new SpanDerive<TIn, TOut>(name, output, indices, [input], writeType, cast, ValueReaders.Factory<TIn>(schema.FieldsList[indices[0]].DataType, name, input), function);
            return (plan.Compute, field);
        });
    }

    /// <summary>Computes a column from two others with a span lambda (called per chunk of rows).</summary>
    /// <typeparam name="T1">The CLR type the first input is read as (a non-nullable value type).</typeparam>
    /// <typeparam name="T2">The CLR type the second input is read as (a non-nullable value type).</typeparam>
    /// <typeparam name="TOut">The result type (non-nullable).</typeparam>
    /// <param name="output">The output column: replaced in place if it exists, appended otherwise.</param>
    /// <param name="first">The first input column.</param>
    /// <param name="second">The second input column.</param>
    /// <param name="function">The computation; a row where either input is null gives a null output row.</param>
    /// <param name="outputType">The output Arrow type, or <see langword="null"/> for the one <typeparamref name="TOut"/> maps to.</param>
    /// <returns>The transform.</returns>
    public static IBatchTransform Derive<T1, T2, TOut>(string output, string first, string second, SpanFunc<T1, T2, TOut> function, IArrowType? outputType = null)
    {
        CheckNames(output, first, second);
        ArgumentNullException.ThrowIfNull(function);
        return Computed(output, [first, second], (schema, problems, name) =>
        {
            var field = DeriveBinding.Validate(schema, output, [first, second], [typeof(T1), typeof(T2)], typeof(TOut), outputType, span: true, problems, out var indices, out var writeType, out var cast);
            if (field is null)
            {
                return default;
            }

            var plan = new SpanDerive<T1, T2, TOut>(name, output, indices, [first, second], writeType, cast,
                ValueReaders.Factory<T1>(schema.FieldsList[indices[0]].DataType, name, first),
                ValueReaders.Factory<T2>(schema.FieldsList[indices[1]].DataType, name, second),
                function);
            return (plan.Compute, field);
        });
    }

    /// <summary>Adds (or replaces) a non-null uint64 column with a stable hash of the given columns
    /// (see <see cref="BatchKernels.Hash"/>).</summary>
    /// <param name="output">The output column.</param>
    /// <param name="columns">The columns to hash, combined in this order.</param>
    /// <returns>The transform.</returns>
    public static IBatchTransform Hash(string output, params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        CheckNames(output, columns);
        if (columns.Length == 0)
        {
            throw new ArgumentException("Hash at least one column.", nameof(columns));
        }

        string[] copy = [.. columns];
        return Computed(output, copy, (schema, problems, name) =>
        {
            var count = problems.Count;
            var indices = BatchOps.HashColumns(schema, copy, problems);
            if (problems.Count > count)
            {
                return default;
            }

            return ((batch, allocator) => HashKernel.Hash([.. indices.Select(batch.Column)], batch.Length, allocator), new Field(output, UInt64Type.Default, false));
        });
    }

    private static ComputedColumnTransform Computed(string output, string[] inputs, Func<Schema, List<string>, string, (Func<RecordBatch, Apache.Arrow.Memory.MemoryAllocator, IArrowArray>? Compute, Field? Field)> bind)
    {
        var name = $"derive {output} from {string.Join(", ", inputs)}";
        return new ComputedColumnTransform(name, output, (schema, problems) => bind(schema, problems, name));
    }

    private static bool SeesNulls<T>() => Nullable.GetUnderlyingType(typeof(T)) is not null;

    private static void CheckNames(string output, params string[] inputs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        foreach (var input in inputs)
        {
            ArgumentException.ThrowIfNullOrEmpty(input);
        }
    }
}
