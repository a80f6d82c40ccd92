using Apache.Arrow.Types;

// RS0026: the overloads differ by the delegate (or dictionary) they take, which the compiler picks from the argument;
// the optional parameter is the same trailing knob on each of them.
#pragma warning disable RS0026

namespace DataEng.Core;

/// <summary>
/// Adds the library's stateless transforms to a pipeline in one call each:
/// <c>.Filter("amount", (double v) =&gt; v &gt; 0).Derive("dt", "ts", (DateTimeOffset ts) =&gt; DateOnly.FromDateTime(ts.UtcDateTime)).Select("id", "dt")</c>.
/// Each one is checked against its input schema when the pipeline is built (see <see cref="BatchTransforms"/>).
/// </summary>
public static class PipelineBuilderTransformExtensions
{
    /// <summary>Keeps the named columns, in the given order (zero-copy).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="columns">Column names, each at most once.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Select(this PipelineBuilder builder, params string[] columns)
        => Add(builder, BatchTransforms.Select(columns));

    /// <summary>Renames one column (zero-copy).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="from">The current name.</param>
    /// <param name="to">The new name.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Rename(this PipelineBuilder builder, string from, string to)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentException.ThrowIfNullOrEmpty(to);
        return Add(builder, BatchTransforms.Rename(new Dictionary<string, string>(StringComparer.Ordinal) { [from] = to }));
    }

    /// <summary>Renames columns (zero-copy).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="names">Old name → new name.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Rename(this PipelineBuilder builder, IReadOnlyDictionary<string, string> names)
        => Add(builder, BatchTransforms.Rename(names));

    /// <summary>Keeps the rows where <paramref name="predicate"/> is true, for example
    /// <c>RowPredicate.Column("currency").In("EUR", "USD")</c>.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="predicate">The condition; nulls follow SQL (see <see cref="RowPredicate"/>).</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Filter(this PipelineBuilder builder, RowPredicate predicate)
        => Add(builder, BatchTransforms.Filter(predicate));

    /// <summary>Keeps the rows whose (non-null) value of <paramref name="column"/> passes a test; rows with a null
    /// value are dropped.</summary>
    /// <typeparam name="T">The CLR type the column is read as (see <see cref="DataTypes"/>).</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="column">The column.</param>
    /// <param name="predicate">The test, called once per non-null row.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Filter<T>(this PipelineBuilder builder, string column, Func<T, bool> predicate)
        => Add(builder, BatchTransforms.Filter(RowPredicate.Column(column).Where(predicate)));

    /// <summary>Keeps the rows for which a vectorised test over chunks of <paramref name="column"/> sets the result;
    /// rows with a null value are dropped.</summary>
    /// <typeparam name="T">The CLR type the column is read as.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="column">The column.</param>
    /// <param name="predicate">The test, called per chunk of rows.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Filter<T>(this PipelineBuilder builder, string column, SpanPredicate<T> predicate)
        => Add(builder, BatchTransforms.Filter(RowPredicate.Column(column).Where(predicate)));

    /// <summary>Casts one column to another type.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="column">The column.</param>
    /// <param name="type">The target type, for example <c>DataTypes.Int64</c> or <c>Int64Type.Default</c>.</param>
    /// <param name="options">Options; <see langword="null"/> for strict casts.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Cast(this PipelineBuilder builder, string column, IArrowType type, CastOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(type);
        return Add(builder, BatchTransforms.Cast(new Dictionary<string, IArrowType>(StringComparer.Ordinal) { [column] = type }, options));
    }

    /// <summary>Casts several columns to other types.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="columns">Column name → target type.</param>
    /// <param name="options">Options; <see langword="null"/> for strict casts.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Cast(this PipelineBuilder builder, IReadOnlyDictionary<string, IArrowType> columns, CastOptions? options = null)
        => Add(builder, BatchTransforms.Cast(columns, options));

    /// <summary>Adds (or replaces) a column computed from another by a row lambda.</summary>
    /// <typeparam name="TIn">The CLR type the input is read as; <c>Nullable&lt;T&gt;</c> to see nulls.</typeparam>
    /// <typeparam name="TOut">The result type, which decides the output type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="output">The output column.</param>
    /// <param name="input">The input column.</param>
    /// <param name="function">The computation.</param>
    /// <param name="outputType">Overrides the output Arrow type.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Derive<TIn, TOut>(this PipelineBuilder builder, string output, string input, Func<TIn, TOut> function, IArrowType? outputType = null)
        => Add(builder, BatchTransforms.Derive(output, input, function, outputType));

    /// <summary>Adds (or replaces) a column computed from two others by a row lambda.</summary>
    /// <typeparam name="T1">The CLR type the first input is read as.</typeparam>
    /// <typeparam name="T2">The CLR type the second input is read as.</typeparam>
    /// <typeparam name="TOut">The result type, which decides the output type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="output">The output column.</param>
    /// <param name="first">The first input column.</param>
    /// <param name="second">The second input column.</param>
    /// <param name="function">The computation.</param>
    /// <param name="outputType">Overrides the output Arrow type.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Derive<T1, T2, TOut>(this PipelineBuilder builder, string output, string first, string second, Func<T1, T2, TOut> function, IArrowType? outputType = null)
        => Add(builder, BatchTransforms.Derive(output, first, second, function, outputType));

    /// <summary>Adds (or replaces) a column computed from another by a span lambda over chunks of rows.</summary>
    /// <typeparam name="TIn">The CLR type the input is read as (a non-nullable value type).</typeparam>
    /// <typeparam name="TOut">The result type (non-nullable).</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="output">The output column.</param>
    /// <param name="input">The input column.</param>
    /// <param name="function">The computation.</param>
    /// <param name="outputType">Overrides the output Arrow type.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Derive<TIn, TOut>(this PipelineBuilder builder, string output, string input, SpanFunc<TIn, TOut> function, IArrowType? outputType = null)
        => Add(builder, BatchTransforms.Derive(output, input, function, outputType));

    /// <summary>Adds (or replaces) a column computed from two others by a span lambda over chunks of rows.</summary>
    /// <typeparam name="T1">The CLR type the first input is read as.</typeparam>
    /// <typeparam name="T2">The CLR type the second input is read as.</typeparam>
    /// <typeparam name="TOut">The result type (non-nullable).</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="output">The output column.</param>
    /// <param name="first">The first input column.</param>
    /// <param name="second">The second input column.</param>
    /// <param name="function">The computation.</param>
    /// <param name="outputType">Overrides the output Arrow type.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Derive<T1, T2, TOut>(this PipelineBuilder builder, string output, string first, string second, SpanFunc<T1, T2, TOut> function, IArrowType? outputType = null)
        => Add(builder, BatchTransforms.Derive(output, first, second, function, outputType));

    /// <summary>Adds (or replaces) a uint64 column with a stable hash of the given columns (for partitioning, dedup and joins).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="output">The output column.</param>
    /// <param name="columns">The columns to hash, in order.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Hash(this PipelineBuilder builder, string output, params string[] columns)
        => Add(builder, BatchTransforms.Hash(output, columns));

    private static PipelineBuilder Add(PipelineBuilder builder, IBatchTransform transform)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Transform(transform);
    }
}
