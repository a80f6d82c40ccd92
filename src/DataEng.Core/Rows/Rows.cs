using System.Diagnostics.CodeAnalysis;
using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>
/// Typed rows where people want them: sources over <see cref="IEnumerable{T}"/> and <see cref="IAsyncEnumerable{T}"/>,
/// a sink collecting rows, and conversions between rows and Arrow batches. A row type maps its public properties to
/// columns (names by <see cref="RowMappingOptions.NamingConvention"/> or <see cref="ArrowColumnAttribute"/>; skip one
/// with <see cref="ArrowIgnoreAttribute"/>); rows are created through a public parameterless constructor and
/// setters/init accessors, or through the constructor whose parameters match the properties (positional records).
/// The mapping is compiled once per type and options, so no reflection runs per row. See docs/rows.md for the table of types.
/// </summary>
public static class Rows
{
    /// <summary>The default number of rows per batch.</summary>
    public const int DefaultBatchSize = 65_536;

    /// <summary>Creates a source that enumerates <paramref name="rows"/> on every run and yields batches of them.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="rows">The rows; enumerated again on every run.</param>
    /// <param name="options">The mapping options, or <see langword="null"/> for defaults.</param>
    /// <param name="batchSize">The maximum number of rows per batch.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for <c>rows&lt;T&gt;</c>.</param>
    /// <returns>The source. Its batches are built on <see cref="RunContext.Allocator"/> and owned by the caller.</returns>
    /// <exception cref="SchemaMismatchException"><typeparamref name="T"/> cannot be mapped; every problem is listed.</exception>
    /// <remarks>A value that cannot be stored (a decimal too large for its column, a <see cref="DateTimeKind.Local"/>
    /// time by default, a null in a non-nullable property) fails the run with a <see cref="DataFormatException"/>
    /// naming the property and the row number.</remarks>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The two sources differ by the sequence type only; the optional parameters are the same.")]
    public static ISource From<T>(IEnumerable<T> rows, RowMappingOptions? options = null, int batchSize = DefaultBatchSize, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return new EnumerableRowSource<T>(rows, RowMapper<T>.Get(options), batchSize, name ?? DefaultName<T>());
    }

    /// <summary>Creates a source that enumerates <paramref name="rows"/> on every run, passing the run's cancellation
    /// token, and yields batches of them.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="rows">The rows; enumerated again on every run.</param>
    /// <param name="options">The mapping options, or <see langword="null"/> for defaults.</param>
    /// <param name="batchSize">The maximum number of rows per batch. A batch is yielded when it is full or the sequence
    /// ends, so a slow sequence delivers its rows late when the batch size is large.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for <c>rows&lt;T&gt;</c>.</param>
    /// <returns>The source. Its batches are built on <see cref="RunContext.Allocator"/> and owned by the caller.</returns>
    /// <exception cref="SchemaMismatchException"><typeparamref name="T"/> cannot be mapped; every problem is listed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The two sources differ by the sequence type only; the optional parameters are the same.")]
    public static ISource From<T>(IAsyncEnumerable<T> rows, RowMappingOptions? options = null, int batchSize = DefaultBatchSize, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return new AsyncEnumerableRowSource<T>(rows, RowMapper<T>.Get(options), batchSize, name ?? DefaultName<T>());
    }

    /// <summary>Creates a sink that converts the batches it receives into rows of <typeparamref name="T"/> and keeps
    /// the rows of committed runs.</summary>
    /// <typeparam name="T">The row type; its properties are matched to columns by name.</typeparam>
    /// <param name="options">The mapping options, or <see langword="null"/> for defaults.</param>
    /// <param name="name">The stage name, or <see langword="null"/> for <c>collect&lt;T&gt;</c>.</param>
    /// <returns>The sink.</returns>
    /// <exception cref="SchemaMismatchException"><typeparamref name="T"/> cannot be mapped; every problem is listed.</exception>
    public static RowsSink<T> Collect<T>(RowMappingOptions? options = null, string? name = null)
        => new(RowMapper<T>.Get(options), name ?? $"collect<{RowTypeNames.Display(typeof(T))}>");

    /// <summary>Reads every row of a batch. Properties are matched to columns by name (exactly, then ignoring case,
    /// then ignoring case and underscores when <see cref="RowMappingOptions.CaseInsensitiveColumnMatching"/>); extra
    /// columns are ignored.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="batch">The batch, borrowed: the caller still owns and disposes it.</param>
    /// <param name="options">The mapping options, or <see langword="null"/> for defaults.</param>
    /// <returns>The rows, in batch order.</returns>
    /// <exception cref="SchemaMismatchException">A property has no column or a column of an incompatible type; every problem is listed.</exception>
    /// <exception cref="DataFormatException">A value cannot be read (a null into a non-nullable property, a decimal
    /// too large for <see cref="decimal"/>...); the exception names the row and column.</exception>
    public static IReadOnlyList<T> ToList<T>(RecordBatch batch, RowMappingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return RowMapper<T>.Get(options).ReadAll(batch, "batch");
    }

    /// <summary>Builds one batch from rows.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="rows">The rows.</param>
    /// <param name="options">The mapping options, or <see langword="null"/> for defaults.</param>
    /// <param name="allocator">The allocator of the batch's buffers, or <see langword="null"/> for the default.</param>
    /// <returns>A batch with schema <see cref="SchemaOf{T}"/>, owned by the caller.</returns>
    /// <exception cref="SchemaMismatchException"><typeparamref name="T"/> cannot be mapped; every problem is listed.</exception>
    /// <exception cref="DataFormatException">A value cannot be stored; the exception names the property and row.</exception>
    public static RecordBatch ToBatch<T>(IEnumerable<T> rows, RowMappingOptions? options = null, MemoryAllocator? allocator = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return RowMapper<T>.Get(options).Write(rows, allocator ?? MemoryAllocator.Default.Value, "rows");
    }

    /// <summary>Returns the Arrow schema rows of <typeparamref name="T"/> are written with.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="options">The mapping options, or <see langword="null"/> for defaults.</param>
    /// <returns>The schema (shared; do not modify).</returns>
    /// <exception cref="SchemaMismatchException"><typeparamref name="T"/> cannot be mapped; every problem is listed.</exception>
    public static Schema SchemaOf<T>(RowMappingOptions? options = null) => RowMapper<T>.Get(options).Schema;

    private static string DefaultName<T>() => $"rows<{RowTypeNames.Display(typeof(T))}>";
}
