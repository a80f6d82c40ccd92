using System.Data.Common;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>
/// Converts the rows of any <see cref="DbDataReader"/> into Arrow record batches of up to a given number of rows.
/// </summary>
/// <remarks>
/// <para>Values are read with the typed getters (<c>GetInt64</c>, <c>GetDouble</c>, <c>GetString</c>,
/// <c>GetFieldValue&lt;DateOnly&gt;</c>, …) chosen once per column from the reader's field type, and converted to the
/// column's Arrow type by an <see cref="ArrowValueWriter"/>; nothing is boxed, except for field types the mapping does
/// not know, which are read with <c>GetValue</c> and written as invariant text.</para>
/// <para>Dynamically typed providers (SQLite) may return a different type in every row; for them each value's
/// storage type is checked first, so text in an <c>INTEGER</c> column is parsed (and fails if it is not a number)
/// instead of silently becoming 0.</para>
/// <para>Ownership: the reader is borrowed (the caller disposes it); every returned batch belongs to the caller. The
/// staging buffers are reused from batch to batch; output buffers come from the given allocator.</para>
/// <para>Rows: a value that does not convert throws a <see cref="DataFormatException"/> naming the source, the 1-based
/// row of the result and the column. The row is rolled back first, so a bad-row policy (<see cref="BadRowHandler"/>)
/// can skip it.</para>
/// </remarks>
internal sealed class DataReaderBatchReader
{
    /// <summary>The default number of rows per batch.</summary>
    public const int DefaultBatchSize = 65_536;

    private readonly DbDataReader _reader;
    private readonly ArrowValueWriter[] _writers;
    private readonly SqlValueKind[] _kinds;
    private readonly bool _dynamic;
    private readonly string _sourceName;
    private readonly MemoryAllocator _allocator;
    private readonly int _batchSize;
    private long _rowsRead;
    private bool _done;
    private int[]? _captureColumns;
    private long _captureAt;

    /// <summary>Creates a batch reader over an open reader.</summary>
    /// <param name="reader">The reader, positioned before its first row. Borrowed.</param>
    /// <param name="schema">The Arrow schema to produce: one field per reader column, in order, with the same names
    /// (compared ignoring case). Derive it with <see cref="SqlTypeMapping.DeriveSchema"/> or give it explicitly.</param>
    /// <param name="sourceName">The source or query name used in error messages.</param>
    /// <param name="allocator">The allocator of the output buffers (usually <see cref="RunContext.Allocator"/>).</param>
    /// <param name="batchSize">The maximum rows per batch.</param>
    /// <exception cref="SchemaMismatchException">The schema does not match the reader's columns.</exception>
    public DataReaderBatchReader(DbDataReader reader, Schema schema, string sourceName, MemoryAllocator allocator, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(allocator);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _reader = reader;
        _sourceName = sourceName;
        _allocator = allocator;
        _batchSize = batchSize;
        Schema = schema;
        _dynamic = SqlTypeMapping.IsDynamicallyTyped(reader);

        var problems = new List<string>();
        var fields = schema.FieldsList;
        if (fields.Count != reader.FieldCount)
        {
            problems.Add($"the query returns {reader.FieldCount} columns, the schema has {fields.Count}");
        }

        problems.AddRange(ArrowValueWriters.Unsupported(schema));
        _writers = new ArrowValueWriter[fields.Count];
        _kinds = new SqlValueKind[fields.Count];
        for (var i = 0; i < fields.Count && i < reader.FieldCount; i++)
        {
            var name = reader.GetName(i);
            if (!string.IsNullOrEmpty(name) && !string.Equals(name, fields[i].Name, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"column {i + 1} of the query is '{name}', the schema expects '{fields[i].Name}'");
            }

            var clrType = SqlTypeMapping.SafeFieldType(reader, i);
            _kinds[i] = SqlTypeMapping.KindOf(clrType);
        }

        SchemaMismatchException.ThrowIfAny($"SQL source '{sourceName}': the result does not match the schema {SchemaText.Describe(schema)}.", problems);
        for (var i = 0; i < fields.Count; i++)
        {
            var guid = SqlTypeMapping.IsGuid(SqlTypeMapping.SafeFieldType(reader, i), SqlTypeMapping.SafeTypeName(reader, i));
            _writers[i] = new ArrowValueWriter(fields[i], TextValueOptions.Invariant, guid);
        }
    }

    /// <summary>Gets the schema of the batches.</summary>
    public Schema Schema { get; }

    /// <summary>Gets the number of rows read from the reader so far (including rows a handler skipped).</summary>
    public long RowsRead => _rowsRead;

    /// <summary>
    /// Gets or sets what happens to a row with a value that does not convert: the handler receives the error and
    /// returns <see langword="true"/> to skip the row, or <see langword="false"/> (or throws) to fail the read.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the error is thrown.</value>
    internal Func<DataFormatException, bool>? BadRowHandler { get; set; }

    /// <summary>Gets or sets the number of rows before this reader's first one, added to the row numbers of errors
    /// (a source reading one result per page numbers rows across its pages).</summary>
    /// <value>The default value is 0.</value>
    internal long RowNumberOffset { get; set; }

    /// <summary>Gets the values captured by <see cref="CaptureRow"/>, exactly as the provider returned them, or
    /// <see langword="null"/> when that row was not reached.</summary>
    internal object?[]? Captured { get; private set; }

    /// <summary>Keeps the provider's own values of some columns of one row (1-based, counted by <see cref="RowsRead"/>)
    /// before they are converted: a keyset reader binds the last row of a full page back exactly, without boxing
    /// every row.</summary>
    /// <param name="row">The 1-based row of this reader's result.</param>
    /// <param name="columns">The columns to keep.</param>
    internal void CaptureRow(long row, int[] columns)
    {
        _captureAt = row;
        _captureColumns = columns;
        Captured = null;
    }

    /// <summary>Reads the next batch.</summary>
    /// <param name="cancellationToken">Cancels the read (checked before every row).</param>
    /// <returns>The next batch (owned by the caller), or <see langword="null"/> at the end of the result.</returns>
    /// <exception cref="DataFormatException">A value does not convert to its column's type.</exception>
    public async ValueTask<RecordBatch?> ReadBatchAsync(CancellationToken cancellationToken = default)
    {
        if (_done)
        {
            return null;
        }

        var rows = 0;
        try
        {
            while (rows < _batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!await _reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    _done = true;
                    break;
                }

                _rowsRead++;
                if (_captureColumns is not null && _rowsRead == _captureAt)
                {
                    Capture(_captureColumns);
                }

                if (ReadRow(rows))
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

    /// <summary>Reads every remaining batch.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The batches, each owned by the caller.</returns>
    public async IAsyncEnumerable<RecordBatch> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
        {
            yield return batch;
        }
    }

    private void Capture(int[] columns)
    {
        var values = new object?[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            values[i] = _reader.IsDBNull(columns[i]) ? null : _reader.GetValue(columns[i]);
        }

        Captured = values;
    }

    private bool ReadRow(int row)
    {
        var column = 0;
        try
        {
            for (; column < _writers.Length; column++)
            {
                if (!ReadValue(column))
                {
                    return RejectRow(row, column, _writers[column].Problem ?? "does not convert", null);
                }
            }

            return true;
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or ArgumentException or NotSupportedException)
        {
            return RejectRow(row, column, $"does not convert to {SchemaText.Describe(_writers[column].Field.DataType)}: {e.Message}", e);
        }
    }

    private bool RejectRow(int row, int column, string problem, Exception? cause)
    {
        ArrowValueWriters.Truncate(_writers, row);
        var error = new DataFormatException(_sourceName, RowNumberOffset + _rowsRead, _writers[column].Field.Name, "the value " + problem, cause);
        if (BadRowHandler?.Invoke(error) == true)
        {
            return false;
        }

        throw error;
    }

    private bool ReadValue(int column)
    {
        var writer = _writers[column];
        var reader = _reader;
        if (reader.IsDBNull(column))
        {
            return writer.TryAppendNull();
        }

        var kind = _dynamic ? StorageKind(reader.GetFieldType(column), _kinds[column]) : _kinds[column];
        return kind switch
        {
            SqlValueKind.Boolean => writer.TryAppendBoolean(reader.GetBoolean(column)),
            SqlValueKind.Byte => writer.TryAppendUInt64(reader.GetByte(column)),
            SqlValueKind.SByte => writer.TryAppendInt64(reader.GetFieldValue<sbyte>(column)),
            SqlValueKind.Int16 => writer.TryAppendInt64(reader.GetInt16(column)),
            SqlValueKind.UInt16 => writer.TryAppendUInt64(reader.GetFieldValue<ushort>(column)),
            SqlValueKind.Int32 => writer.TryAppendInt64(reader.GetInt32(column)),
            SqlValueKind.UInt32 => writer.TryAppendUInt64(reader.GetFieldValue<uint>(column)),
            SqlValueKind.Int64 => writer.TryAppendInt64(reader.GetInt64(column)),
            SqlValueKind.UInt64 => writer.TryAppendUInt64(reader.GetFieldValue<ulong>(column)),
            SqlValueKind.Single => writer.TryAppendDouble(reader.GetFloat(column)),
            SqlValueKind.Double => writer.TryAppendDouble(reader.GetDouble(column)),
            SqlValueKind.Decimal => writer.TryAppendDecimal(reader.GetDecimal(column)),
            SqlValueKind.String => writer.TryAppendText(reader.GetString(column)),
            SqlValueKind.Char => AppendChar(writer, reader.GetChar(column)),
            SqlValueKind.Bytes => writer.TryAppendBytes(reader.GetFieldValue<byte[]>(column)),
            SqlValueKind.DateTime => writer.TryAppendDateTime(reader.GetDateTime(column)),
            SqlValueKind.DateTimeOffset => writer.TryAppendDateTimeOffset(reader.GetFieldValue<DateTimeOffset>(column)),
            SqlValueKind.DateOnly => writer.TryAppendDate(reader.GetFieldValue<DateOnly>(column)),
            SqlValueKind.TimeOnly => writer.TryAppendTime(reader.GetFieldValue<TimeOnly>(column)),
            SqlValueKind.TimeSpan => writer.TryAppendTimeSpan(reader.GetFieldValue<TimeSpan>(column)),
            SqlValueKind.Guid => writer.TryAppendGuid(reader.GetGuid(column)),
            _ => writer.TryAppendOther(reader.GetValue(column)), // unknown provider type: boxed, written as invariant text
        };
    }

    private static bool AppendChar(ArrowValueWriter writer, char value)
        => writer.TryAppendText(new ReadOnlySpan<char>(in value));

    /// <summary>The storage class of the current value of a dynamically typed column.</summary>
    private static SqlValueKind StorageKind(Type type, SqlValueKind declared)
        => type == typeof(long) ? SqlValueKind.Int64
            : type == typeof(double) ? SqlValueKind.Double
            : type == typeof(string) ? SqlValueKind.String
            : type == typeof(byte[]) ? SqlValueKind.Bytes
            : declared;
}
