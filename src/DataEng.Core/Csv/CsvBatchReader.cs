using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>
/// Turns the records of one CSV input into Arrow record batches: each field's characters are parsed straight into
/// the column buffers (numbers, dates and timestamps without creating strings), and the buffers are reused from
/// batch to batch.
/// </summary>
/// <remarks>
/// The row loop is built for bad-row policies: a row whose value does not convert is rolled back in every column
/// before the error is raised, and <see cref="BadRowHandler"/> may choose to skip it instead.
/// </remarks>
internal sealed class CsvBatchReader
{
    private readonly CsvRecordReader _records;
    private readonly CsvReadSettings _settings;
    private readonly MemoryAllocator _allocator;
    private readonly ArrowValueWriter[] _writers;
    private readonly int[] _ordinals;
    private readonly bool _trim;

    /// <summary>Creates a batch reader.</summary>
    /// <param name="records">The records (borrowed).</param>
    /// <param name="schema">The schema of the batches.</param>
    /// <param name="settings">The read settings.</param>
    /// <param name="allocator">The allocator of the output buffers.</param>
    /// <exception cref="DataFormatException">The input's header lacks a column of the schema, or (without a header)
    /// it has another number of columns than the schema.</exception>
    public CsvBatchReader(CsvRecordReader records, Schema schema, CsvReadSettings settings, MemoryAllocator allocator)
    {
        _records = records;
        _settings = settings;
        _allocator = allocator;
        _trim = settings.Options.TrimWhitespace;
        Schema = schema;
        var fields = schema.FieldsList;
        _ordinals = new int[fields.Count];
        _writers = new ArrowValueWriter[fields.Count];
        if (!records.IsEmpty)
        {
            MapColumns(records, fields, settings.Options.HasHeader);
        }

        for (var i = 0; i < fields.Count; i++)
        {
            _writers[i] = new ArrowValueWriter(fields[i], settings.Text);
        }
    }

    /// <summary>Gets the schema of the batches.</summary>
    public Schema Schema { get; }

    /// <summary>Gets the number of records read (including skipped bad rows).</summary>
    public long RowsRead { get; private set; }

    /// <summary>
    /// Gets or sets what happens to a bad row (a record with too few or too many fields, or a value that does not
    /// convert): the handler receives the error and returns <see langword="true"/> to skip the row, or
    /// <see langword="false"/> (or throws) to fail the read. Malformed quoting always fails: the reader cannot tell
    /// where the next record starts.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the error is thrown.</value>
    internal Func<DataFormatException, bool>? BadRowHandler { get; set; }

    /// <summary>Reads the next batch of up to <paramref name="batchSize"/> rows.</summary>
    /// <param name="batchSize">The maximum rows.</param>
    /// <param name="cancellationToken">Cancels the read (checked before every row).</param>
    /// <returns>The batch (owned by the caller), or <see langword="null"/> at the end of the input.</returns>
    public async ValueTask<RecordBatch?> ReadBatchAsync(int batchSize, CancellationToken cancellationToken)
    {
        var rows = 0;
        try
        {
            while (rows < batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!await _records.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                RowsRead++;
                if (ParseRow(rows))
                {
                    rows++;
                }
            }
        }
        catch
        {
            ArrowValueWriters.Truncate(_writers, 0);
            throw;
        }

        return rows == 0 ? null : ArrowValueWriters.BuildBatch(Schema, _writers, rows, _allocator);
    }

    private bool ParseRow(int row)
    {
        var records = _records;
        if (records.FieldCountError() is { } countError)
        {
            if (BadRowHandler?.Invoke(countError) == true)
            {
                return false;
            }

            throw countError;
        }

        for (var column = 0; column < _writers.Length; column++)
        {
            var writer = _writers[column];
            var field = records.Field(_ordinals[column]);
            if (_trim)
            {
                field = field.Trim();
            }

            var ok = _settings.IsNull(field) ? writer.TryAppendNull() : writer.TryAppendText(field);
            if (!ok)
            {
                ArrowValueWriters.Truncate(_writers, row);
                var error = new DataFormatException(records.Name, records.Line, writer.Field.Name, writer.Problem ?? "the value does not convert");
                if (BadRowHandler?.Invoke(error) == true)
                {
                    return false;
                }

                throw error;
            }
        }

        return true;
    }

    private void MapColumns(CsvRecordReader records, IReadOnlyList<Field> fields, bool hasHeader)
    {
        var header = records.Header;
        if (!hasHeader)
        {
            if (header.Count != fields.Count)
            {
                throw new DataFormatException(records.Name, 1, null, $"the records have {header.Count} fields, the schema has {fields.Count} columns");
            }

            for (var i = 0; i < fields.Count; i++)
            {
                _ordinals[i] = i;
            }

            return;
        }

        var missing = new List<string>();
        for (var i = 0; i < fields.Count; i++)
        {
            var ordinal = IndexOf(header, fields[i].Name, StringComparison.Ordinal);
            if (ordinal < 0)
            {
                ordinal = IndexOf(header, fields[i].Name, StringComparison.OrdinalIgnoreCase);
            }

            if (ordinal < 0)
            {
                missing.Add(fields[i].Name);
            }

            _ordinals[i] = ordinal;
        }

        if (missing.Count > 0)
        {
            throw new DataFormatException(records.Name, 1, missing[0], $"the header has no column {string.Join(", ", missing.Select(static m => $"'{m}'"))} (it has {string.Join(", ", header.Select(static h => $"'{h}'"))})");
        }
    }

    private static int IndexOf(IReadOnlyList<string> header, string name, StringComparison comparison)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i], name, comparison))
            {
                return i;
            }
        }

        return -1;
    }
}
