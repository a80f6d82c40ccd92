using Sylvan.Data.Csv;

namespace DataEng.Core;

/// <summary>
/// Reads the records of one CSV input with Sylvan.Data.Csv and tracks where each starts: the physical, 1-based line
/// (a quoted field may span lines). Reads the header itself, skips blank lines, and throws a
/// <see cref="DataFormatException"/> naming the input, the line and the column for malformed quoting. A record with the
/// wrong number of fields is reported by <see cref="FieldCountError"/>, so that a bad-row policy can skip it.
/// </summary>
/// <remarks>
/// Sylvan chooses between LF/CR LF and CR-only line endings from the first CR or LF in its buffer, even when that
/// one is inside a quoted field. When a look at the first record shows that choice would be wrong, a synthetic line
/// break of the right kind is put in front of the data (and skipped), so the choice is right.
/// </remarks>
internal sealed class CsvRecordReader : IDisposable
{
    private const int LookAhead = 1 << 16;

    private readonly CsvDataReader _csv;
    private string[] _header = [];
    private long _nextLine = 1;
    private bool _skipSynthetic;
    private bool _pending;

    private CsvRecordReader(CsvDataReader csv, string name, bool synthetic)
    {
        _csv = csv;
        Name = name;
        _skipSynthetic = synthetic;
    }

    /// <summary>Gets the input name (file path or stream name).</summary>
    public string Name { get; }

    /// <summary>Gets whether the input holds no record at all (not even a header).</summary>
    public bool IsEmpty => _header.Length == 0;

    /// <summary>Gets the number of fields per record: the header's, or the first record's without a header.</summary>
    public int FieldCount => _header.Length;

    /// <summary>Gets the column names: the header (empty names become <c>columnN</c>), or <c>column1</c> … without one.</summary>
    public IReadOnlyList<string> Header => _header;

    /// <summary>Gets the 1-based physical line where the current record starts.</summary>
    public long Line { get; private set; }

    /// <summary>Opens an input and reads its header (or looks at its first record).</summary>
    /// <param name="input">The input.</param>
    /// <param name="settings">The settings.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The reader; dispose it.</returns>
    public static async ValueTask<CsvRecordReader> OpenAsync(CsvInput input, CsvReadSettings settings, CancellationToken cancellationToken)
    {
        var text = OpenText(input, settings);
        CsvRecordReader? records = null;
        try
        {
            var head = new char[LookAhead];
            var length = await text.ReadBlockAsync(head.AsMemory(), cancellationToken).ConfigureAwait(false);
            var synthetic = LineBreakFix(head.AsSpan(0, length), settings.Options.Quote);
            var csv = await CsvDataReader.CreateAsync(new PrefixedTextReader(synthetic, head, length, text), SylvanOptions(settings.Options), cancellationToken).ConfigureAwait(false);
            records = new CsvRecordReader(csv, input.DisplayName, synthetic is not null);
            if (await records.NextRecordAsync(cancellationToken).ConfigureAwait(false))
            {
                records.TakeHeader(settings.Options.HasHeader);
            }

            return records;
        }
        catch
        {
            if (records is null)
            {
                text.Dispose();
            }
            else
            {
                records.Dispose();
            }

            throw;
        }
    }

    /// <summary>Opens an input and reads its header, synchronously (for schema inference).</summary>
    /// <param name="input">The input.</param>
    /// <param name="settings">The settings.</param>
    /// <returns>The reader; dispose it.</returns>
    public static CsvRecordReader Open(CsvInput input, CsvReadSettings settings)
    {
        var text = OpenText(input, settings);
        CsvRecordReader? records = null;
        try
        {
            var head = new char[LookAhead];
            var length = text.ReadBlock(head.AsSpan());
            var synthetic = LineBreakFix(head.AsSpan(0, length), settings.Options.Quote);
            var csv = CsvDataReader.Create(new PrefixedTextReader(synthetic, head, length, text), SylvanOptions(settings.Options));
            records = new CsvRecordReader(csv, input.DisplayName, synthetic is not null);
            if (records.NextRecord())
            {
                records.TakeHeader(settings.Options.HasHeader);
            }

            return records;
        }
        catch
        {
            if (records is null)
            {
                text.Dispose();
            }
            else
            {
                records.Dispose();
            }

            throw;
        }
    }

    /// <summary>Moves to the next data record, which may have the wrong number of fields: check
    /// <see cref="FieldCountError"/> before reading its fields.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        if (_pending)
        {
            _pending = false;
        }
        else if (IsEmpty || !await NextRecordAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        return true;
    }

    /// <summary>Moves to the next data record, synchronously; check <see cref="FieldCountError"/> as for
    /// <see cref="ReadAsync"/>.</summary>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    public bool Read()
    {
        if (_pending)
        {
            _pending = false;
        }
        else if (IsEmpty || !NextRecord())
        {
            return false;
        }

        return true;
    }

    /// <summary>Gets the number of fields of the current record (it differs from <see cref="FieldCount"/> in a bad record).</summary>
    public int RecordFieldCount => _csv.RowFieldCount;

    /// <summary>Returns the error of a current record whose number of fields differs from the header's, naming the
    /// input, the line and (for a short record) the first missing column.</summary>
    /// <returns>The error, or <see langword="null"/> when the record has the right number of fields.</returns>
    public DataFormatException? FieldCountError()
    {
        var count = _csv.RowFieldCount;
        if (count == _header.Length)
        {
            return null;
        }

        var column = count < _header.Length ? _header[count] : null;
        return new DataFormatException(Name, Line, column, $"the record has {count} fields, expected {_header.Length}");
    }

    /// <summary>Returns a field of the current record: unquoted and unescaped, valid until the next read.</summary>
    /// <param name="ordinal">The field ordinal.</param>
    /// <returns>The characters.</returns>
    public ReadOnlySpan<char> Field(int ordinal) => _csv.GetFieldSpan(ordinal);

    /// <inheritdoc />
    public void Dispose() => _csv.Dispose();

    /// <summary>
    /// Returns the line break to put in front of the data so Sylvan picks the right line ending, or
    /// <see langword="null"/> when its own choice is right (or cannot be judged from <paramref name="head"/>).
    /// </summary>
    /// <param name="head">The start of the data.</param>
    /// <param name="quote">The quote character.</param>
    /// <returns><c>"\n"</c>, <c>"\r"</c> or <see langword="null"/>.</returns>
    internal static string? LineBreakFix(ReadOnlySpan<char> head, char quote)
    {
        var first = head.IndexOfAny('\r', '\n');
        if (first < 0 || first + 1 >= head.Length)
        {
            return null;
        }

        var sylvanCrOnly = head[first] == '\r' && head[first + 1] != '\n';
        var quoted = false;
        for (var i = 0; i < head.Length; i++)
        {
            var c = head[i];
            if (c == quote)
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 >= head.Length)
                {
                    return null;
                }

                var crOnly = c == '\r' && head[i + 1] != '\n';
                return crOnly == sylvanCrOnly ? null : crOnly ? "\r" : "\n";
            }
        }

        return null;
    }

    private static StreamReader OpenText(CsvInput input, CsvReadSettings settings)
    {
        var stream = input.Open() ?? throw new InvalidOperationException($"Opening '{input.DisplayName}' returned no stream.");
        return new StreamReader(stream, settings.Encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: false);
    }

    private static CsvDataReaderOptions SylvanOptions(CsvSourceOptions options) => new()
    {
        HasHeaders = false, // the header is read here, so blank lines before it are skipped and its lines are counted
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

    private void TakeHeader(bool hasHeader)
    {
        var count = _csv.RowFieldCount;
        _header = new string[count];
        for (var i = 0; i < count; i++)
        {
            var name = hasHeader ? _csv.GetFieldSpan(i).ToString() : string.Empty;
            _header[i] = name.Length == 0 ? $"column{i + 1}" : name;
        }

        // Without a header the first record is data: keep it for the first Read.
        _pending = !hasHeader;
    }

    private async ValueTask<bool> NextRecordAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            bool more;
            try
            {
                more = await _csv.ReadAsync(cancellationToken).ConfigureAwait(false);
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

    private bool NextRecord()
    {
        while (true)
        {
            bool more;
            try
            {
                more = _csv.Read();
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

    /// <summary>Counts the lines of the record just read; returns <see langword="false"/> for records to skip.</summary>
    private bool Accept()
    {
        var raw = _csv.GetRawRecordSpan();
        if (_skipSynthetic)
        {
            _skipSynthetic = false;
            return false;
        }

        Line = _nextLine;
        _nextLine += CountLineBreaks(raw);
        return _csv.RowFieldCount != 1 || !raw.TrimEnd("\r\n").IsEmpty; // a blank line is skipped
    }

    private DataFormatException Malformed(CsvFormatException e)
    {
        var column = e.FieldOrdinal >= 0 && e.FieldOrdinal < _header.Length ? _header[e.FieldOrdinal] : null;
        return new DataFormatException(Name, _nextLine, column, $"the record is malformed: {e.Message}", e);
    }

    /// <summary>Serves an optional synthetic line break, then the characters already read ahead, then the rest.</summary>
    private sealed class PrefixedTextReader(string? synthetic, char[] head, int headLength, TextReader rest) : TextReader
    {
        private int _syntheticPosition;
        private int _headPosition;

        public override int Peek()
        {
            if (synthetic is not null && _syntheticPosition < synthetic.Length)
            {
                return synthetic[_syntheticPosition];
            }

            return _headPosition < headLength ? head[_headPosition] : rest.Peek();
        }

        public override int Read()
        {
            Span<char> one = stackalloc char[1];
            return Read(one) == 0 ? -1 : one[0];
        }

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            var written = CopyBuffered(buffer);
            return written > 0 || buffer.IsEmpty ? written : rest.Read(buffer);
        }

        public override Task<int> ReadAsync(char[] buffer, int index, int count)
            => ReadAsync(buffer.AsMemory(index, count)).AsTask();

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
        {
            var written = CopyBuffered(buffer.Span);
            return written > 0 || buffer.IsEmpty ? ValueTask.FromResult(written) : rest.ReadAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rest.Dispose();
            }

            base.Dispose(disposing);
        }

        private int CopyBuffered(Span<char> buffer)
        {
            var written = 0;
            if (synthetic is not null && _syntheticPosition < synthetic.Length)
            {
                var n = Math.Min(buffer.Length, synthetic.Length - _syntheticPosition);
                synthetic.AsSpan(_syntheticPosition, n).CopyTo(buffer);
                _syntheticPosition += n;
                written += n;
            }

            if (written < buffer.Length && _headPosition < headLength)
            {
                var n = Math.Min(buffer.Length - written, headLength - _headPosition);
                head.AsSpan(_headPosition, n).CopyTo(buffer[written..]);
                _headPosition += n;
                written += n;
            }

            return written;
        }
    }
}
