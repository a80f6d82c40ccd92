using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Memory;
using DataEng.Core.ParquetFormat;

namespace DataEng.Core;

/// <summary>
/// Reads one data file of a lake as hostile input: any failure becomes one <see cref="DataFormatException"/> naming the
/// file, row counts are checked against the manifest, and batches are conformed to the dataset's columns (files written
/// before a schema evolution get nulls for new columns and widened types).
/// </summary>
internal static class LakeFileReader
{
    private const string Missing = "the data file listed in the lake manifest is missing (deleted outside the lake, or vacuumed after the snapshot that needs it expired)";

    /// <summary>Opens a file, mapping every failure to an exception naming it.</summary>
    public static async Task<ArrowParquetReader> OpenAsync(string path, ParquetReadOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            return await ArrowParquetReader.OpenAsync(path, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Wrap(path, e, "cannot be opened") is { } wrapped)
        {
            throw wrapped;
        }
    }

    /// <summary>
    /// Reads a file as batches of <paramref name="wanted"/> file columns (in that order), with the row count checked.
    /// Every yielded batch belongs to the caller.
    /// </summary>
    public static async IAsyncEnumerable<(RecordBatch Batch, int Rows)> ReadAsync(
        string path,
        long? expectedRows,
        IReadOnlyList<Field> wanted,
        ParquetReadOptions? options,
        MemoryAllocator allocator,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        string? retiredPath = null)
    {
        if (expectedRows is not null && !File.Exists(path))
        {
            // Replaced by a later commit: an older snapshot reads it where it was retired to, until vacuumed.
            if (retiredPath is null || !File.Exists(retiredPath))
            {
                throw new DataFormatException(path, null, null, Missing);
            }

            path = retiredPath;
        }

        ArrowParquetReader reader;
        try
        {
            reader = await OpenAsync(path, options, cancellationToken).ConfigureAwait(false);
        }
        catch (DataFormatException e) when (e.InnerException is FileNotFoundException or DirectoryNotFoundException && retiredPath is not null && path != retiredPath && File.Exists(retiredPath))
        {
            // Retired between the check and the open.
            path = retiredPath;
            reader = await OpenAsync(path, options, cancellationToken).ConfigureAwait(false);
        }

        await using (reader.ConfigureAwait(false))
        {
            if (expectedRows is { } expected && reader.RowCount != expected)
            {
                throw new DataFormatException(path, null, null, $"the file has {reader.RowCount} rows but the lake manifest records {expected}; the file was changed or damaged after it was committed");
            }

            // Which wanted columns the file has, and how each is produced.
            var read = new List<string>();
            var sources = new int[wanted.Count];
            for (var i = 0; i < wanted.Count; i++)
            {
                var field = wanted[i];
                var index = reader.Schema.GetFieldIndex(field.Name);
                if (index < 0 || reader.UnsupportedColumns.ContainsKey(field.Name))
                {
                    if (index >= 0 || !field.IsNullable)
                    {
                        throw new DataFormatException(path, null, field.Name, index >= 0
                            ? $"the column cannot be read: {reader.UnsupportedColumns[field.Name]}"
                            : "the column is missing from the file and not nullable");
                    }

                    sources[i] = -1;
                    continue;
                }

                var type = reader.Schema.FieldsList[index].DataType;
                if (!SchemaComparer.TypesEqual(type, field.DataType) && LakeSchemaResolver.Wider(type, field.DataType) is null)
                {
                    throw new DataFormatException(path, null, field.Name, $"the column has type {SchemaText.Describe(type)} in this file but {SchemaText.Describe(field.DataType)} in the dataset");
                }

                sources[i] = read.Count;
                read.Add(field.Name);
            }

            long rowsRead = 0;
            if (read.Count == 0)
            {
                // Only partition or missing columns: the row count comes from the file footer.
                var remaining = reader.RowCount;
                while (remaining > 0)
                {
                    var rows = (int)Math.Min(remaining, 1 << 20);
                    yield return (Conform(null, rows, wanted, sources, allocator), rows);
                    remaining -= rows;
                }

                yield break;
            }

            var batches = reader.ReadAsync(read, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    RecordBatch batch;
                    try
                    {
                        if (!await batches.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        batch = batches.Current;
                    }
                    catch (Exception e) when (Wrap(path, e, "cannot be read") is { } wrapped)
                    {
                        throw wrapped;
                    }

                    RecordBatch output;
                    using (batch)
                    {
                        output = Conform(batch, batch.Length, wanted, sources, allocator);
                    }

                    rowsRead += output.Length;
                    yield return (output, output.Length);
                }
            }
            finally
            {
                await batches.DisposeAsync().ConfigureAwait(false);
            }

            if (rowsRead != reader.RowCount)
            {
                throw new DataFormatException(path, null, null, $"the file footer declares {reader.RowCount} rows but {rowsRead} were read");
            }
        }
    }

    private static RecordBatch Conform(RecordBatch? batch, int rows, IReadOnlyList<Field> wanted, int[] sources, MemoryAllocator allocator)
    {
        var arrays = new IArrowArray[wanted.Count];
        try
        {
            for (var i = 0; i < wanted.Count; i++)
            {
                if (sources[i] < 0)
                {
                    arrays[i] = LakeArrays.AllNull(wanted[i].DataType, rows, allocator);
                    continue;
                }

                var column = batch!.Column(sources[i]);
                arrays[i] = SchemaComparer.TypesEqual(column.Data.DataType, wanted[i].DataType)
                    ? column.Retain()
                    : LakeArrays.Widen(column, wanted[i].DataType, allocator);
            }
        }
        catch
        {
            foreach (var array in arrays)
            {
                array?.Dispose();
            }

            throw;
        }

        return new RecordBatch(new Schema(wanted, null), arrays, rows);
    }

    private static DataFormatException? Wrap(string path, Exception e, string what) => e switch
    {
        OperationCanceledException => null,
        DataFormatException d when d.Message.Contains(path, StringComparison.Ordinal) => null,
        DataFormatException d => new DataFormatException(path, null, null, $"the data file {what}: {d.Message}", d),
        FileNotFoundException or DirectoryNotFoundException => new DataFormatException(path, null, null, Missing, e),
        _ => new DataFormatException(path, null, null, $"the data file {what} ({e.GetType().Name}: {e.Message})", e),
    };
}
