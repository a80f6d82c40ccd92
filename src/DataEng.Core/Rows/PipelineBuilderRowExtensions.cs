namespace DataEng.Core;

/// <summary>Row-level transforms for custom logic: read each batch as typed rows, map them, write a new batch.</summary>
public static class PipelineBuilderRowExtensions
{
    /// <summary>
    /// Appends a transform that maps every row: each input batch is read as rows of <typeparamref name="TIn"/>, passed
    /// through <paramref name="map"/>, and the results are written as a batch of <typeparamref name="TOut"/>.
    /// </summary>
    /// <typeparam name="TIn">The input row type. Its properties are matched to input columns by name (see
    /// <see cref="RowMappingOptions"/>), so it may declare only the columns it needs.</typeparam>
    /// <typeparam name="TOut">The output row type; its properties become the output columns.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="map">The row function. It may run on several batches at once, so it must be thread-safe.</param>
    /// <param name="options">The mapping options of both row types, or <see langword="null"/> for defaults.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for <c>map&lt;TIn,TOut&gt;</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks><see cref="PipelineBuilder.Build"/> fails, listing every problem, when a property of
    /// <typeparamref name="TIn"/> has no matching input column or a column of a type it cannot be read from.</remarks>
    /// <exception cref="SchemaMismatchException">A row type cannot be mapped to Arrow columns.</exception>
    public static PipelineBuilder Map<TIn, TOut>(this PipelineBuilder builder, Func<TIn, TOut> map, RowMappingOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(map);
        return builder.Transform(new RowMapTransform<TIn, TOut>(map, null, options, name ?? DefaultName<TIn, TOut>("map")));
    }

    /// <summary>
    /// Appends a transform that maps every row to zero or more rows: each input batch is read as rows of
    /// <typeparamref name="TIn"/>, every row is passed to <paramref name="map"/>, and all results are written, in
    /// order, as one batch of <typeparamref name="TOut"/> (an empty result drops the batch).
    /// </summary>
    /// <typeparam name="TIn">The input row type, matched to input columns by name.</typeparam>
    /// <typeparam name="TOut">The output row type; its properties become the output columns.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="map">The row function. It may run on several batches at once, so it must be thread-safe.</param>
    /// <param name="options">The mapping options of both row types, or <see langword="null"/> for defaults.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for <c>flat-map&lt;TIn,TOut&gt;</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="SchemaMismatchException">A row type cannot be mapped to Arrow columns.</exception>
    public static PipelineBuilder FlatMap<TIn, TOut>(this PipelineBuilder builder, Func<TIn, IEnumerable<TOut>> map, RowMappingOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(map);
        return builder.Transform(new RowMapTransform<TIn, TOut>(null, map, options, name ?? DefaultName<TIn, TOut>("flat-map")));
    }

    private static string DefaultName<TIn, TOut>(string verb) => $"{verb}<{RowTypeNames.Display(typeof(TIn))},{RowTypeNames.Display(typeof(TOut))}>";
}
