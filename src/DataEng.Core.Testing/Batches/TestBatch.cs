using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core.Testing;

/// <summary>
/// Builds record batches from inline rows for tests: anonymous objects, tuples, records, <c>object?[]</c> rows with a
/// schema, or a small table literal. The caller owns (and disposes) every batch returned.
/// </summary>
/// <remarks>
/// <para>Inferred types: <see cref="bool"/> → bool, <see cref="int"/> → int32, <see cref="long"/> → int64, <see cref="double"/> →
/// double, <see cref="decimal"/> → decimal128(38, largest scale seen), <see cref="string"/> → utf8, <see cref="DateOnly"/> → date32,
/// <see cref="DateTime"/> → timestamp[us] (no time zone), <see cref="DateTimeOffset"/> → timestamp[us, UTC],
/// <see cref="TimeOnly"/> → time64[us], <c>byte[]</c> → binary. A column is nullable when its .NET type is
/// <see cref="Nullable{T}"/> or when a null appears in it.</para>
/// </remarks>
public static class TestBatch
{
    /// <summary>Builds a batch from rows, one column per public property (anonymous objects, records, classes) or item
    /// (tuples, named <c>Item1</c>… unless <paramref name="columnNames"/> is given), with inferred Arrow types.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="rows">The rows, for example <c>new[] { new { id = 1L, name = "a" } }</c>.</param>
    /// <param name="columnNames">Column names in member order, or <see langword="null"/> to use the member names.</param>
    /// <param name="allocator">The allocator for the buffers, or <see langword="null"/> for the default.</param>
    /// <returns>A new batch, owned by the caller.</returns>
    /// <exception cref="ArgumentException">A member type has no Arrow mapping, or a column holds only nulls.</exception>
    /// <exception cref="DataFormatException">A value does not convert to its column's type.</exception>
    public static RecordBatch From<T>(IEnumerable<T> rows, IReadOnlyList<string>? columnNames = null, MemoryAllocator? allocator = null)
        => ClrRows.ToBatch(rows, null, columnNames, allocator);

    /// <summary>Builds a batch of a given schema from rows: members are matched to columns by name (case and underscores
    /// ignored) for objects and records, by position for tuples and <c>object?[]</c> rows.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="rows">The rows.</param>
    /// <param name="schema">The schema of the batch; values are converted to its types (for example an <see cref="int"/>
    /// to int64, a <see cref="DateTime"/> to a timestamp in milliseconds).</param>
    /// <returns>A new batch, owned by the caller.</returns>
    /// <exception cref="SchemaMismatchException">Members and columns do not match; lists every problem.</exception>
    /// <exception cref="DataFormatException">A value does not convert to its column's type, or a null is in a non-nullable column.</exception>
    public static RecordBatch From<T>(IEnumerable<T> rows, Schema schema) => From(rows, schema, null);

    /// <summary>Builds a batch of a given schema from rows, with buffers from <paramref name="allocator"/>
    /// (see <see cref="From{T}(IEnumerable{T}, Schema)"/>).</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="rows">The rows.</param>
    /// <param name="schema">The schema of the batch.</param>
    /// <param name="allocator">The allocator for the buffers, or <see langword="null"/> for the default.</param>
    /// <returns>A new batch, owned by the caller.</returns>
    public static RecordBatch From<T>(IEnumerable<T> rows, Schema schema, MemoryAllocator? allocator)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return ClrRows.ToBatch(rows, schema, null, allocator);
    }

    /// <summary>
    /// Parses a table literal into a batch. The first line names the columns, <c>name</c> or <c>name:type</c>; each
    /// following line is a row. Cells are separated by <c>|</c>.
    /// </summary>
    /// <param name="table">The table, for example
    /// <code>
    /// id:int64 | name:string | amount:double?
    /// 1        | a           | 1.5
    /// 2        | null        | null
    /// </code>
    /// </param>
    /// <param name="allocator">The allocator for the buffers, or <see langword="null"/> for the default.</param>
    /// <returns>A new batch, owned by the caller.</returns>
    /// <remarks>
    /// <para>Types: bool, int8…int64 (int, long), uint8…uint64, float, double, string, binary (<c>0x0AFF</c>), date
    /// (<c>2024-05-01</c>), date64, timestamp (<c>timestamp</c> = <c>timestamp[us, UTC]</c>; <c>timestamp[ms]</c> has no
    /// zone; values like <c>2024-05-01T10:00:00Z</c>), time32[unit], time64[unit] (<c>time</c> = <c>time64[us]</c>),
    /// decimal(precision, scale). Without a type, the column's values decide: integers → int64, numbers → double, numbers
    /// ending in <c>m</c> → decimal, true/false → bool, dates → date32, date-times → timestamp[us] (UTC when they carry
    /// <c>Z</c> or an offset), times → time64[us], <c>0x…</c> → binary, anything else (or any quoted cell) → string.</para>
    /// <para>Nulls: <c>null</c> or an empty cell. A quoted cell (<c>"null"</c>, <c>""</c>, <c>"a | b"</c>, with <c>\"</c>
    /// and <c>\\</c> escapes) is always a string. A column is nullable when a null appears in it; a <c>?</c> after the type
    /// (or the name) makes it nullable anyway, a <c>!</c> makes a null in it an error.</para>
    /// <para>Markdown tables work too: outer pipes and <c>---|---</c> separator lines are ignored.</para>
    /// </remarks>
    /// <exception cref="DataFormatException">The literal is malformed; the message names the row and column.</exception>
    public static RecordBatch Parse(string table, MemoryAllocator? allocator = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        return TableLiteral.Parse(table, allocator);
    }

    /// <summary>Parses a schema from a header line of <c>name:type</c> cells, as in <see cref="Parse"/>
    /// (nullable unless the type ends with <c>!</c>).</summary>
    /// <param name="header">The header, for example <c>id:int64! | name:string | at:timestamp[ms, UTC]</c>.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="DataFormatException">The header is malformed or a type is missing or unknown.</exception>
    public static Schema ParseSchema(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return TableLiteral.ParseSchema(header);
    }

    /// <summary>Creates a batch with no rows.</summary>
    /// <param name="schema">The schema.</param>
    /// <returns>A new empty batch, owned by the caller.</returns>
    public static RecordBatch Empty(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return ClrRows.ToBatch(System.Array.Empty<object?[]>(), schema, null, null);
    }

    /// <summary>Reads the rows of batches into .NET objects: tuples by position; records and classes through the
    /// constructor whose parameters match columns by name (case and underscores ignored) and settable properties;
    /// <c>object?[]</c> and <c>Dictionary&lt;string, object?&gt;</c> rows as they are.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="batches">The batches (borrowed; not disposed).</param>
    /// <returns>The rows, in batch order.</returns>
    /// <exception cref="InvalidOperationException">A value does not convert to its member, or a null meets a
    /// non-nullable member; the message names the row and column.</exception>
    public static IReadOnlyList<T> ToRows<T>(IEnumerable<RecordBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return ClrRows.FromBatches<T>(batches);
    }

    /// <summary>Reads the rows of one batch into .NET objects, as <see cref="ToRows{T}(IEnumerable{RecordBatch})"/>.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="batch">The batch (borrowed; not disposed).</param>
    /// <returns>The rows.</returns>
    public static IReadOnlyList<T> ToRows<T>(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return ClrRows.FromBatches<T>([batch]);
    }

    /// <summary>Renders batches as a text table (at most <paramref name="maxRows"/> rows), nulls as <c>null</c>.</summary>
    /// <param name="batches">The batches (borrowed).</param>
    /// <param name="maxRows">The most rows to show.</param>
    /// <returns>The table.</returns>
    public static string Format(IEnumerable<RecordBatch> batches, int maxRows = 50)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return BatchTable.Format(batches.ToList(), maxRows);
    }
}
