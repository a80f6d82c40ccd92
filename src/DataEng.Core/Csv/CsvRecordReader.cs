using Sylvan.Data.Csv;

namespace DataEng.Core;

/// <summary>
/// Reads the records of one CSV input with Sylvan.Data.Csv and tracks where each starts: the physical, 1-based line
/// (a quoted field may span lines). Skips blank lines; a record with the wrong number of fields and malformed quoting
/// throw a <see cref="DataFormatException"/> naming the input, the line and the column.
/// </summary>
internal sealed class CsvRecordReader : IDisposable
{
    private readonly CsvDataReader? _csv;
    private readonly string[] _header;
    private long _nextLine;

    private CsvRecordReader(CsvDataReader? csv, string name, bool hasHeader)
    {
        _csv = csv;
        Name = name;
        if (csv is null)
        {
            _header = [];
            _nextLine = 1;
            return;
        }

        _header = new string[csv.FieldCount];
        long headerLines = 0;
        for (var i = 0; i < _header.Length; i++)
        {
            _header[i] = hasHeader ? csv.GetName(i) : $"column{i + 1}";
            if (hasHeader)
            {
                headerLines += CountLineBreaks(_header[i]);
            }
        }

        _nextLine = hasHeader ? 2 + headerLines : 1;
    }

    /// <summary>Gets the input name (file path or stream name).</summary>
    public string Name { get; }

    /// <summary>Gets whether the input holds nothing at all (not even a header).</summary>
    public bool IsEmpty => _csv is null || _header.Length == 0;

    /// <summary>Gets the number of fields per record: the header's, or the first record's without a header.</summary>
    public int FieldCount => _header.Length;

    /// <summary>Gets the column names: the header, or <c>column1</c> … without one.</summary>
    public IReadOnlyList<string> Header => _header;

    /// <summary>Gets the 1-based physical line where the current record starts.</summary>
    public long Line { get; private set; }

    /// <summary>Opens an input for reading (asynchronously).</summary>
    /// <param name="input">The input.</param>
    /// <param name="settings">The settings.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The reader; dispose it.</returns>
    public static async ValueTask<CsvRecordReader> OpenAsync(CsvInput input, CsvReadSettings settings, CancellationToken cancellationToken)
    {
        var text = OpenText(input, settings);
        try
        {
            var csv = await CsvDataReader.CreateAsync(text, SylvanOptions(settings.Options), cancellationToken).ConfigureAwait(false);
            return new CsvRecordReader(csv, input.DisplayName, settings.Options.HasHeader);
        }
        catch (CsvMissingHeadersException)
        {
            text.Dispose();
            return new CsvRecordReader(null, input.DisplayName, settings.Options.HasHeader);
        }
        catch (CsvFormatException e)
        {
            text.Dispose();
            throw new DataFormatException(input.DisplayName, 1, null, $"the header is malformed: {e.Message}", e);
        }
        catch
        {
            text.Dispose();
            throw;
        }
    }

    /// <summary>Opens an input for reading (synchronously, for schema inference).</summary>
    /// <param name="input">The input.</param>
    /// <param name="settings">The settings.</param>
    /// <returns>The reader; dispose it.</returns>
    public static CsvRecordReader Open(CsvInput input, CsvReadSettings settings)
    {
        var text = OpenText(input, settings);
        try
        {
            var csv = CsvDataReader.Create(text, SylvanOptions(settings.Options));
            return new CsvRecordReader(csv, input.DisplayName, settings.Options.HasHeader);
        }
        catch (CsvMissingHeadersException)
        {
            text.Dispose();
            return new CsvRecordReader(null, input.DisplayName, settings.Options.HasHeader);
        }
        catch (CsvFormatException e)
        {
            text.Dispose();
            throw new DataFormatException(input.DisplayName, 1, null, $"the header is malformed: {e.Message}", e);
        }
        catch
        {
            text.Dispose();
            throw;
        }
    }

    /// <summary>Moves to the next record.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        if (IsEmpty)
        {
            return false;
        }

        while (true)
        {
            bool more;
            try
            {
                more = await _csv!.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CsvFormatException e)
            {
                throw Malformed(e);
            }

            if (!more)
            {
                return false;
            }

            if (Accept())
            {
                return true;
            }
        }
    }

    /// <summary>Moves to the next record (synchronously).</summary>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    public bool Read()
    {
        if (IsEmpty)
        {
            return false;
        }

        while (true)
        {
            bool more;
            try
            {
                more = _csv!.Read();
            }
            catch (CsvFormatException e)
            {
                throw Malformed(e);
            }

            if (!more)
            {
                return false;
            }

            if (Accept())
            {
                return true;
            }
        }
    }

    /// <summary>Returns a field of the current record: unquoted and unescaped, valid until the next read.</summary>
    /// <param name="ordinal">The field ordinal.</param>
    /// <returns>The characters.</returns>
    public ReadOnlySpan<char> Field(int ordinal) => _csv!.GetFieldSpan(ordinal);

    /// <inheritdoc />
    public void Dispose() => _csv?.Dispose();

    private static StreamReader OpenText(CsvInput input, CsvReadSettings settings)
    {
        var stream = input.Open() ?? throw new InvalidOperationException($"Opening '{input.DisplayName}' returned no stream.");
        return new StreamReader(stream, settings.Encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: false);
    }

    private static CsvDataReaderOptions SylvanOptions(CsvSourceOptions options) => new()
    {
        HasHeaders = options.HasHeader,
        Delimiter = options.Delimiter,
        Quote = options.Quote,
        Escape = options.Quote,
        Comment = '\0', // no comment lines: a record starting with '#' is data
        CsvStyle = CsvStyle.Standard,
        ResultSetMode = ResultSetMode.SingleResult,
        BufferSize = 1 << 16,
        MaxBufferSize = 1 << 24, // a single record may hold up to 16 Mi characters
        OwnsReader = true,
    };

    private static long CountLineBreaks(ReadOnlySpan<char> text)
    {
        long count = text.Count('\n');
        if (text.IndexOf('\r') >= 0)
        {
            // a lone CR (old Mac line ending) is a line break too; CR LF counts once
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n'))
                {
                    count++;
                }
            }
        }

        return count;
    }

    private bool Accept()
    {
        var csv = _csv!;
        var raw = csv.GetRawRecordSpan();
        Line = _nextLine;
        _nextLine += CountLineBreaks(raw);
        if (csv.RowFieldCount == 1 && raw.TrimEnd("\r\n").IsEmpty)
        {
            return false; // blank line
        }

        if (csv.RowFieldCount != _header.Length)
        {
            var column = csv.RowFieldCount < _header.Length ? _header[csv.RowFieldCount] : null;
            throw new DataFormatException(Name, Line, column, $"the record has {csv.RowFieldCount} fields, expected {_header.Length}");
        }

        return true;
    }

    private DataFormatException Malformed(CsvFormatException e)
    {
        var column = e.FieldOrdinal >= 0 && e.FieldOrdinal < _header.Length ? _header[e.FieldOrdinal] : null;
        return new DataFormatException(Name, _nextLine, column, $"the record is malformed: {e.Message}", e);
    }
}
