using System.Buffers;
using System.Numerics;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core.Kernels;

/// <summary>
/// Columnar kernels over Arrow record batches: select, rename, slice, take, concatenate, filter, cast and hash.
/// They work on spans over the Arrow buffers, allocate nothing per row, and take output buffers from a
/// <see cref="MemoryAllocator"/> (by default <see cref="PooledMemoryAllocator.Shared"/>).
/// </summary>
/// <remarks>
/// <para>Ownership: every kernel borrows its inputs and returns a new batch or array that the caller must dispose.
/// Outputs that reuse input buffers without copying (select, rename, slice, a filter that keeps every row, casts
/// between string and binary) hold their own references to them, so the inputs may be disposed first.</para>
/// <para>Types: see <see cref="DataTypes"/> for what is supported. Unsupported types throw
/// <see cref="NotSupportedException"/> naming the column.</para>
/// </remarks>
public static class BatchKernels
{
    /// <summary>Returns the named columns, in the given order, without copying.</summary>
    /// <param name="batch">The batch (borrowed).</param>
    /// <param name="columns">Column names; each at most once.</param>
    /// <returns>A new batch sharing the columns' buffers.</returns>
    /// <exception cref="SchemaMismatchException">A name is unknown, ambiguous or repeated.</exception>
    public static RecordBatch Select(RecordBatch batch, params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(columns);
        var problems = new List<string>();
        var indices = columns.Select(c => ColumnLookup.Find(batch.Schema, c, problems)).ToArray();
        ColumnLookup.CheckDuplicates(columns, problems, "selection");
        SchemaMismatchException.ThrowIfAny("Cannot select the columns.", problems);
        var schema = new Schema(indices.Select(i => batch.Schema.FieldsList[i]), batch.Schema.Metadata);
        return BatchOps.Assemble(schema, indices.Select(i => batch.Column(i).Retain()), batch.Length);
    }

    /// <summary>Renames columns without copying.</summary>
    /// <param name="batch">The batch (borrowed).</param>
    /// <param name="names">Old name → new name.</param>
    /// <returns>A new batch sharing the columns' buffers.</returns>
    /// <exception cref="SchemaMismatchException">An old name is unknown, or the result has duplicate names.</exception>
    public static RecordBatch Rename(RecordBatch batch, IReadOnlyDictionary<string, string> names)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(names);
        var problems = new List<string>();
        var schema = BatchOps.Rename(batch.Schema, names, problems);
        SchemaMismatchException.ThrowIfAny("Cannot rename the columns.", problems);
        return BatchOps.Assemble(schema!, batch.Arrays.Select(static a => a.Retain()), batch.Length);
    }

    /// <summary>Returns rows <c>[offset, offset + length)</c> without copying.</summary>
    /// <param name="batch">The batch (borrowed).</param>
    /// <param name="offset">The first row.</param>
    /// <param name="length">How many rows (clipped to the end of the batch).</param>
    /// <returns>A new batch sharing the buffers, with its own references.</returns>
    public static RecordBatch Slice(RecordBatch batch, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, batch.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return batch.SliceShared(offset, Math.Min(length, batch.Length - offset));
    }

    /// <summary>Gathers rows by index (indices may repeat and come in any order) into new buffers.</summary>
    /// <param name="batch">The batch (borrowed).</param>
    /// <param name="indices">0-based row indices.</param>
    /// <param name="allocator">Where output buffers come from; <see langword="null"/> for <see cref="PooledMemoryAllocator.Shared"/>.</param>
    /// <returns>A new batch with <paramref name="indices"/>.Length rows.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the batch.</exception>
    /// <exception cref="NotSupportedException">A column's type cannot be copied yet.</exception>
    public static RecordBatch Take(RecordBatch batch, ReadOnlySpan<int> indices, MemoryAllocator? allocator = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        BatchOps.CheckLayouts(batch.Schema, "take");
        foreach (var index in indices)
        {
            if ((uint)index >= (uint)batch.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"Row index {index} is outside the batch of {batch.Length} rows.");
            }
        }

        return BatchOps.TakeColumns(batch, indices, allocator ?? PooledMemoryAllocator.Shared);
    }

    /// <summary>Concatenates batches of the same schema into one batch with new buffers.</summary>
    /// <param name="batches">The batches (borrowed), at least one.</param>
    /// <param name="allocator">Where output buffers come from; <see langword="null"/> for <see cref="PooledMemoryAllocator.Shared"/>.</param>
    /// <returns>A new batch with all rows, in order.</returns>
    /// <exception cref="SchemaMismatchException">The schemas differ (names or types).</exception>
    /// <exception cref="NotSupportedException">A column's type cannot be copied yet, or the result exceeds Arrow's 2 GiB limits.</exception>
    public static RecordBatch Concatenate(IReadOnlyList<RecordBatch> batches, MemoryAllocator? allocator = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0)
        {
            throw new ArgumentException("At least one batch is needed.", nameof(batches));
        }

        var schema = batches[0].Schema;
        for (var b = 1; b < batches.Count; b++)
        {
            var differences = SchemaComparer.Differences(schema, batches[b].Schema);
            SchemaMismatchException.ThrowIfAny($"Batch {b} has a different schema than batch 0.", differences);
        }

        if (batches.Count == 1)
        {
            return batches[0].Share();
        }

        BatchOps.CheckLayouts(schema, "concatenate");
        allocator ??= PooledMemoryAllocator.Shared;
        var columns = new List<IArrowArray>(schema.FieldsList.Count);
        try
        {
            var parts = new IArrowArray[batches.Count];
            for (var c = 0; c < schema.FieldsList.Count; c++)
            {
                for (var b = 0; b < batches.Count; b++)
                {
                    parts[b] = batches[b].Column(c);
                }

                columns.Add(ArrayKernels.Concatenate(parts, allocator));
            }

            return BatchOps.Assemble(schema, columns, columns.Count == 0 ? batches.Sum(static b => b.Length) : columns[0].Length);
        }
        catch
        {
            columns.ForEach(static c => c.Dispose());
            throw;
        }
    }

    /// <summary>Keeps the rows for which <paramref name="predicate"/> is true (not false, not unknown).</summary>
    /// <param name="batch">The batch (borrowed).</param>
    /// <param name="predicate">The condition.</param>
    /// <param name="allocator">Where output buffers come from; <see langword="null"/> for <see cref="PooledMemoryAllocator.Shared"/>.</param>
    /// <returns>A new batch; shares the input's buffers when every row passes.</returns>
    /// <exception cref="SchemaMismatchException">The predicate does not fit the batch; every problem is listed.</exception>
    public static RecordBatch Filter(RecordBatch batch, RowPredicate predicate, MemoryAllocator? allocator = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(predicate);
        var problems = new List<string>();
        predicate.Validate(batch.Schema, problems);
        BatchOps.CheckLayouts(batch.Schema, problems);
        SchemaMismatchException.ThrowIfAny($"Cannot filter by {predicate}.", problems);
        return BatchOps.Filter(batch, predicate.Bind(batch.Schema, "filter"), allocator ?? PooledMemoryAllocator.Shared);
    }

    /// <summary>Casts an array to another type (see <see cref="CastOptions"/> and docs/kernels.md for the rules).</summary>
    /// <param name="array">The array (borrowed).</param>
    /// <param name="type">The target type.</param>
    /// <param name="options">Cast options; <see langword="null"/> for strict casts.</param>
    /// <param name="allocator">Where output buffers come from; <see langword="null"/> for <see cref="PooledMemoryAllocator.Shared"/>.</param>
    /// <param name="columnName">The column name used in error messages.</param>
    /// <returns>A new array (sharing buffers when the cast needs no conversion).</returns>
    /// <exception cref="NotSupportedException">There is no cast between the types.</exception>
    /// <exception cref="DataFormatException">A value does not convert; names the column, the 1-based row and the value.</exception>
    public static IArrowArray Cast(IArrowArray array, IArrowType type, CastOptions? options = null, MemoryAllocator? allocator = null, string? columnName = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(type);
        var column = columnName ?? "?";
        var plan = CastKernel.Bind(array.Data.DataType, type, out var reason)
            ?? throw new NotSupportedException($"Cannot cast column '{column}': {reason}.");
        return plan.Execute(array, new CastRun(allocator ?? PooledMemoryAllocator.Shared, options ?? CastOptions.Default, "cast", column, plan.From, plan.To));
    }

    /// <summary>Hashes the rows of one or more columns to stable 64-bit values (for partitioning, dedup and joins).</summary>
    /// <param name="batch">The batch (borrowed).</param>
    /// <param name="columns">The columns, combined in this order.</param>
    /// <param name="allocator">Where output buffers come from; <see langword="null"/> for <see cref="PooledMemoryAllocator.Shared"/>.</param>
    /// <returns>A non-null uint64 array with one hash per row, identical across processes and machines.</returns>
    /// <remarks>Each value is hashed with xxHash64 over its canonical bytes: integers of any width as 64-bit values,
    /// floating point as double (-0.0 as 0.0, NaNs alike), decimal128 as its unscaled 16 bytes, date32 as days,
    /// timestamps as their stored value, strings and binary as their bytes; null as a fixed constant. Columns are
    /// combined left to right with a 64-bit mix.</remarks>
    /// <exception cref="SchemaMismatchException">A column is unknown or of an unsupported type.</exception>
    public static UInt64Array Hash(RecordBatch batch, IReadOnlyList<string> columns, MemoryAllocator? allocator = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(columns);
        var problems = new List<string>();
        var indices = BatchOps.HashColumns(batch.Schema, columns, problems);
        SchemaMismatchException.ThrowIfAny("Cannot hash the columns.", problems);
        return HashKernel.Hash([.. indices.Select(batch.Column)], batch.Length, allocator ?? PooledMemoryAllocator.Shared);
    }
}

/// <summary>Batch-level helpers shared by the kernels and the transforms.</summary>
internal static class BatchOps
{
    public static RecordBatch Assemble(Schema schema, IEnumerable<IArrowArray> columns, int length) => new(schema, columns, length);

    /// <summary>Renames fields; adds problems for unknown names and duplicate results.</summary>
    public static Schema? Rename(Schema schema, IReadOnlyDictionary<string, string> names, List<string> problems)
    {
        var count = problems.Count;
        foreach (var (from, to) in names)
        {
            ColumnLookup.Find(schema, from, problems);
            if (string.IsNullOrWhiteSpace(to))
            {
                problems.Add($"the new name for '{from}' must not be empty");
            }
        }

        var fields = schema.FieldsList.Select(f => names.TryGetValue(f.Name, out var to) ? new Field(to, f.DataType, f.IsNullable, f.Metadata) : f).ToList();
        ColumnLookup.CheckDuplicates(fields.Select(static f => f.Name), problems, "output");
        return problems.Count > count ? null : new Schema(fields, schema.Metadata);
    }

    public static int[] HashColumns(Schema schema, IReadOnlyList<string> columns, List<string> problems)
    {
        if (columns.Count == 0)
        {
            problems.Add("at least one column must be hashed");
        }

        var indices = new int[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            indices[i] = ColumnLookup.Find(schema, columns[i], problems);
            if (indices[i] >= 0 && !HashKernel.Supports(schema.FieldsList[indices[i]].DataType))
            {
                problems.Add(KernelTypes.ValueUnsupported(columns[i], schema.FieldsList[indices[i]].DataType, "hashing"));
            }
        }

        return indices;
    }

    /// <summary>Adds a problem for every column whose layout the structural kernels cannot copy.</summary>
    public static void CheckLayouts(Schema schema, List<string> problems)
    {
        foreach (var field in schema.FieldsList)
        {
            if (KernelTypes.GetLayout(field.DataType, out _) == Layout.Unsupported)
            {
                problems.Add(KernelTypes.LayoutUnsupported(field.Name, field.DataType));
            }
        }
    }

    public static void CheckLayouts(Schema schema, string operation)
    {
        var problems = new List<string>();
        CheckLayouts(schema, problems);
        if (problems.Count > 0)
        {
            throw new NotSupportedException($"Cannot {operation}: " + string.Join("; ", problems) + ".");
        }
    }

    /// <summary>Gathers every column (indices already checked).</summary>
    public static RecordBatch TakeColumns(RecordBatch batch, ReadOnlySpan<int> indices, MemoryAllocator allocator)
    {
        var columns = new List<IArrowArray>(batch.ColumnCount);
        try
        {
            for (var c = 0; c < batch.ColumnCount; c++)
            {
                columns.Add(ArrayKernels.Take(batch.Column(c), indices, allocator));
            }

            return Assemble(batch.Schema, columns, indices.Length);
        }
        catch
        {
            columns.ForEach(static c => c.Dispose());
            throw;
        }
    }

    /// <summary>Evaluates a bound predicate and gathers the rows where it is true.</summary>
    public static RecordBatch Filter(RecordBatch batch, BoundPredicate predicate, MemoryAllocator allocator)
    {
        var n = batch.Length;
        if (n == 0)
        {
            return batch.Share();
        }

        using var mask = Mask.Rent(n);
        predicate.Evaluate(batch, mask);
        var keep = mask.True;
        var count = Bitmaps.PopCount(keep);
        if (count == n)
        {
            return batch.Share();
        }

        var indices = ArrayPool<int>.Shared.Rent(Math.Max(1, count));
        try
        {
            var position = 0;
            for (var w = 0; w < keep.Length; w++)
            {
                var word = keep[w];
                while (word != 0)
                {
                    indices[position++] = (w << 6) + BitOperations.TrailingZeroCount(word);
                    word &= word - 1;
                }
            }

            return TakeColumns(batch, indices.AsSpan(0, count), allocator);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
        }
    }
}
