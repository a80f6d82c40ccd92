using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core.Testing;

/// <summary>
/// Parses a small table literal: a header line of <c>name[:type][?|!]</c> cells and data lines, cells separated by
/// <c>|</c> (Markdown-style outer pipes and <c>---</c> separator lines are allowed).
/// </summary>
internal static partial class TableLiteral
{
    private const string Source = "table literal";

    public static RecordBatch Parse(string text, MemoryAllocator? allocator)
    {
        var (header, rows) = Split(text);
        var columns = ParseHeader(header.Cells, header.LineNumber);
        foreach (var row in rows)
        {
            if (row.Cells.Count != columns.Length)
            {
                throw new DataFormatException(Source, row.Number, null, $"line {row.LineNumber} has {row.Cells.Count} cells, the header has {columns.Length}.");
            }
        }

        var fields = new Field[columns.Length];
        var arrays = new IArrowArray[columns.Length];
        try
        {
            for (var c = 0; c < columns.Length; c++)
            {
                var column = columns[c];
                var cells = rows.Select(r => r.Cells[c]).ToArray();
                var type = column.Type ?? Infer(cells, column.Name);
                var values = new object?[cells.Length];
                var hasNull = false;
                for (var r = 0; r < cells.Length; r++)
                {
                    values[r] = cells[r].IsNull ? null : ParseValue(type, cells[r], rows[r].Number, column.Name);
                    hasNull |= values[r] is null;
                }

                if (hasNull && column.Nullable == false)
                {
                    var first = System.Array.FindIndex(values, static v => v is null);
                    throw new DataFormatException(Source, rows[first].Number, column.Name, "null in a column declared not nullable ('!'); remove the '!' or give a value.");
                }

                fields[c] = new Field(column.Name, type, column.Nullable ?? hasNull);
                arrays[c] = ArrowValues.Build(type, values, allocator, r => $"{Source}, row {rows[r].Number}, column '{column.Name}'");
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

        return new RecordBatch(new Schema(fields, null), arrays, rows.Count);
    }

    public static Schema ParseSchema(string header)
    {
        var (line, rows) = Split(header);
        if (rows.Count > 0)
        {
            throw new DataFormatException(Source, null, null, "a schema literal has only the header line.");
        }

        var columns = ParseHeader(line.Cells, line.LineNumber);
        var fields = new Field[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            var column = columns[i];
            if (column.Type is null)
            {
                throw new DataFormatException(Source, null, column.Name, $"a schema literal needs a type for every column (name:type); known types: {ColumnTypes.Names}.");
            }

            fields[i] = new Field(column.Name, column.Type, column.Nullable ?? true);
        }

        return new Schema(fields, null);
    }

    private static (Line Header, List<Line> Rows) Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        Line? header = null;
        var rows = new List<Line>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || SeparatorLine().IsMatch(line))
            {
                continue;
            }

            var cells = SplitCells(line, i + 1);
            if (header is null)
            {
                header = new Line(i + 1, 0, cells);
            }
            else
            {
                rows.Add(new Line(i + 1, rows.Count + 1, cells));
            }
        }

        return (header ?? throw new DataFormatException(Source, null, null, "the table is empty; the first line names the columns, for example 'id:int64 | name:string'."), rows);
    }

    private static List<Cell> SplitCells(string line, int lineNumber)
    {
        var cells = new List<Cell>();
        var text = new StringBuilder();
        var quoted = false;
        var inQuotes = false;
        var afterQuote = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (inQuotes)
            {
                if (ch == '\\' && i + 1 < line.Length)
                {
                    var next = line[++i];
                    text.Append(next switch
                    {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        _ => next,
                    });
                }
                else if (ch == '"')
                {
                    inQuotes = false;
                    afterQuote = true;
                }
                else
                {
                    text.Append(ch);
                }
            }
            else if (ch == '|')
            {
                cells.Add(new Cell(quoted ? text.ToString() : text.ToString().Trim(), quoted));
                text.Clear();
                quoted = afterQuote = false;
            }
            else if (ch == '"' && !quoted && text.ToString().Trim().Length == 0)
            {
                text.Clear();
                quoted = inQuotes = true;
            }
            else if (afterQuote && !char.IsWhiteSpace(ch))
            {
                throw new DataFormatException(Source, null, null, $"line {lineNumber}: text after a closing quote at position {i + 1}; quote the whole cell.");
            }
            else if (!afterQuote)
            {
                text.Append(ch);
            }
        }

        if (inQuotes)
        {
            throw new DataFormatException(Source, null, null, $"line {lineNumber}: a quote is not closed.");
        }

        cells.Add(new Cell(quoted ? text.ToString() : text.ToString().Trim(), quoted));

        // Markdown-style outer pipes: "| a | b |".
        if (cells.Count > 1 && line.StartsWith('|') && cells[0] is { Text.Length: 0, Quoted: false })
        {
            cells.RemoveAt(0);
        }

        if (cells.Count > 1 && line.EndsWith('|') && cells[^1] is { Text.Length: 0, Quoted: false })
        {
            cells.RemoveAt(cells.Count - 1);
        }

        return cells;
    }

    private static ColumnSpec[] ParseHeader(List<Cell> cells, int lineNumber)
    {
        var columns = new ColumnSpec[cells.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            string name;
            string? typeText = null;
            if (cell.Quoted)
            {
                name = cell.Text;
            }
            else
            {
                var colon = cell.Text.IndexOf(':', StringComparison.Ordinal);
                name = (colon < 0 ? cell.Text : cell.Text[..colon]).Trim();
                typeText = colon < 0 ? null : cell.Text[(colon + 1)..].Trim();
            }

            bool? nullable = null;
            var marked = typeText ?? name;
            if (!cell.Quoted && (marked.EndsWith('?') || marked.EndsWith('!')))
            {
                nullable = marked.EndsWith('?');
                marked = marked[..^1].TrimEnd();
                if (typeText is null)
                {
                    name = marked;
                }
                else
                {
                    typeText = marked;
                }
            }

            if (name.Length == 0)
            {
                throw new DataFormatException(Source, null, null, $"line {lineNumber}: column {i + 1} has no name.");
            }

            if (!names.Add(name))
            {
                throw new DataFormatException(Source, null, name, $"line {lineNumber}: the column name appears twice.");
            }

            IArrowType? type = null;
            if (typeText is not null && !ColumnTypes.TryParse(typeText, out type))
            {
                throw new DataFormatException(Source, null, name, $"unknown type '{typeText}'; known types: {ColumnTypes.Names}.");
            }

            columns[i] = new ColumnSpec(name, type, nullable);
        }

        return columns;
    }

    private static IArrowType Infer(Cell[] cells, string column)
    {
        var values = cells.Where(static c => !c.IsNull).ToArray();
        if (values.Length == 0 || values.Any(static c => c.Quoted))
        {
            return StringType.Default;
        }

        var c = CultureInfo.InvariantCulture;
        if (values.All(static v => v.Text is "true" or "false" or "True" or "False" or "TRUE" or "FALSE"))
        {
            return BooleanType.Default;
        }

        if (values.All(v => long.TryParse(v.Text, NumberStyles.AllowLeadingSign, c, out _)))
        {
            return Int64Type.Default;
        }

        if (values.All(v => v.Text.EndsWith('m') && decimal.TryParse(v.Text[..^1], NumberStyles.Number, c, out _)))
        {
            var scale = values.Max(v => decimal.Parse(v.Text[..^1], NumberStyles.Number, c).Scale);
            return new Decimal128Type(38, scale);
        }

        if (values.All(v => double.TryParse(v.Text, NumberStyles.Float, c, out _)))
        {
            return DoubleType.Default;
        }

        if (values.All(static v => DateLiteral().IsMatch(v.Text)))
        {
            return Date32Type.Default;
        }

        if (values.All(static v => TimestampLiteral().IsMatch(v.Text)))
        {
            var zoned = values.Count(static v => TimestampLiteral().Match(v.Text).Groups["zone"].Success);
            if (zoned != 0 && zoned != values.Length)
            {
                throw new DataFormatException(Source, null, column, "some timestamps have a time zone (Z or an offset) and others not; make them agree or give the type.");
            }

            return new TimestampType(TimeUnit.Microsecond, zoned == 0 ? null : "UTC");
        }

        if (values.All(static v => TimeLiteral().IsMatch(v.Text)))
        {
            return new Time64Type(TimeUnit.Microsecond);
        }

        if (values.All(static v => HexLiteral().IsMatch(v.Text)))
        {
            return BinaryType.Default;
        }

        return StringType.Default;
    }

    private static object ParseValue(IArrowType type, Cell cell, int row, string column)
    {
        var text = cell.Text;
        var c = CultureInfo.InvariantCulture;
        object? value = type switch
        {
            StringType => text,
            _ when cell.Quoted && type is not BinaryType => Fail(),
            BooleanType => bool.TryParse(text, out var b) ? b : null,
            Int8Type or Int16Type or Int32Type or Int64Type => long.TryParse(text, NumberStyles.AllowLeadingSign, c, out var l) ? l : null,
            UInt8Type or UInt16Type or UInt32Type or UInt64Type => ulong.TryParse(text, NumberStyles.None, c, out var u) ? u : null,
            HalfFloatType or FloatType or DoubleType => ParseDouble(text),
            Decimal128Type => decimal.TryParse(text.EndsWith('m') ? text[..^1] : text, NumberStyles.Number, c, out var m) ? m : null,
            BinaryType => ParseHex(text),
            Date32Type or Date64Type => DateOnly.TryParseExact(text, "yyyy-MM-dd", c, DateTimeStyles.None, out var d) ? d : null,
            TimestampType => DateTimeOffset.TryParse(text, c, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var o) ? o : null,
            Time32Type or Time64Type => TimeOnly.TryParse(text, c, DateTimeStyles.None, out var t) ? t : null,
            _ => null,
        };
        return value ?? Fail();

        object Fail() => throw new DataFormatException(Source, row, column, $"'{text}' is not a valid {SchemaText.Describe(type)} value (write null for a missing value).");
    }

    private static double? ParseDouble(string text)
    {
        switch (text.ToLowerInvariant())
        {
            case "nan":
                return double.NaN;
            case "inf" or "+inf" or "infinity":
                return double.PositiveInfinity;
            case "-inf" or "-infinity":
                return double.NegativeInfinity;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : (double?)null;
    }

    private static byte[]? ParseHex(string text)
    {
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return Encoding.UTF8.GetBytes(text);
        }

        try
        {
            return Convert.FromHexString(text.AsSpan(2));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^[\s|:+\-]*-[\s|:+\-]*$")]
    private static partial Regex SeparatorLine();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateLiteral();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(?<zone>Z|[+-]\d{2}:?\d{2})?$")]
    private static partial Regex TimestampLiteral();

    [GeneratedRegex(@"^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$")]
    private static partial Regex TimeLiteral();

    [GeneratedRegex(@"^0[xX]([0-9A-Fa-f]{2})*$")]
    private static partial Regex HexLiteral();

    private sealed record Line(int LineNumber, int Number, List<Cell> Cells);

    private readonly record struct Cell(string Text, bool Quoted)
    {
        // An empty unquoted cell and the word null (unquoted) are nulls; "" and "null" in quotes are strings.
        public bool IsNull => !Quoted && (Text.Length == 0 || Text == "null" || Text == "NULL");
    }

    private sealed record ColumnSpec(string Name, IArrowType? Type, bool? Nullable);
}
