using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// One cursor or key column of the incremental SQL source: reads its values from the built Arrow batch as
/// <see cref="CursorValue"/>s of the kind the provider's own values have (a .NET <see cref="DateTime"/> column stays a
/// <c>dt:</c> cursor), and turns a bound back into a parameter value that compares correctly in the database.
/// </summary>
/// <remarks>A SQLite column declared <c>DATETIME</c>/<c>TIMESTAMP</c>/<c>DATE</c> (ISO-8601 text) is read as an Arrow
/// timestamp or date, so it is a time cursor (lag and lookback work); its bounds are bound as text in the layout of the
/// stored values (<see cref="SqliteTextTimestamp"/>).</remarks>
internal sealed class SqlCursorColumn
{
    private readonly Mode _mode;
    private readonly SqlValueKind _kind;
    private readonly string _source;

    public SqlCursorColumn(string source, Field field, int index, SqlValueKind kind, bool dynamicallyTyped)
    {
        _source = source;
        Name = field.Name;
        Index = index;
        Type = field.DataType;
        _kind = kind;
        _mode = !dynamicallyTyped ? Mode.Native
            : field.DataType is TimestampType ? Mode.TextTimestamp
            : field.DataType is Date32Type ? Mode.TextDate
            : Mode.Native;
    }

    private enum Mode
    {
        Native,
        TextTimestamp,
        TextDate,
    }

    public string Name { get; }

    public int Index { get; }

    public IArrowType Type { get; }

    /// <summary>Gets a value indicating whether the column holds timestamps as ISO-8601 text (SQLite).</summary>
    public bool IsTextTimestamp => _mode == Mode.TextTimestamp;

    private TimeUnit Unit => ((TimestampType)Type).Unit;

    /// <summary>Reads row <paramref name="row"/> of the column's array, exactly at the array's resolution.</summary>
    public CursorValue? Read(IArrowArray array, int row)
    {
        if (array.IsNull(row))
        {
            return null;
        }

        if (_mode == Mode.Native)
        {
            switch (array)
            {
                case TimestampArray a when _kind == SqlValueKind.DateTime:
                    {
                        var type = (TimestampType)a.Data.DataType;
                        var ticks = ToTicks(a.GetValue(row)!.Value, type.Unit);
                        return CursorValue.DateTimeTicks(ticks, string.IsNullOrEmpty(type.Timezone) ? DateTimeKind.Unspecified : DateTimeKind.Utc);
                    }

                case TimestampArray a when _kind == SqlValueKind.DateTimeOffset:
                    return CursorValue.DateTimeOffsetUtcTicks(ToTicks(a.GetValue(row)!.Value, ((TimestampType)a.Data.DataType).Unit), 0);
                case Date32Array a when _kind == SqlValueKind.DateTime:
                    return CursorValue.DateTimeTicks((TextValueParser.UnixEpochDayNumber + (long)a.GetValue(row)!.Value) * TimeSpan.TicksPerDay, DateTimeKind.Unspecified);
            }
        }

        return CursorValue.FromArrow(array, row);
    }

    /// <summary>The key text of row <paramref name="row"/> (see <see cref="CursorValue.KeyText"/>).</summary>
    public string KeyPart(IArrowArray array, int row) => array switch
    {
        _ when array.IsNull(row) => "null",
        BinaryArray a when a is not StringArray => "bin:" + Convert.ToBase64String(a.GetBytes(row)),
        BooleanArray a => a.GetValue(row) == true ? "bool:1" : "bool:0",
        _ => Read(array, row)!.Value.Encode(),
    };

    /// <summary>Converts a value the database returned (the largest cursor) into a cursor value of the column's kind.</summary>
    /// <param name="value">The value.</param>
    /// <param name="layout">The layout of a text timestamp column, detected from the value; otherwise null.</param>
    public CursorValue? FromDatabase(object? value, out SqliteTextTimestamp? layout)
    {
        layout = null;
        if (value is null or DBNull || _mode == Mode.Native)
        {
            return CursorValue.FromClr(value);
        }

        if (value is DateTime dateTime)
        {
            // A provider that parses the text itself (System.Data.SQLite): the layout is its default one.
            layout = _mode == Mode.TextTimestamp ? SqliteTextTimestamp.Default : null;
            return Normalize(CursorValue.DateTimeTicks(dateTime.Ticks, dateTime.Kind));
        }

        if (value is not string text)
        {
            throw new DataFormatException(_source, null, Name, $"the column is declared as a date/time and read as ISO-8601 text, but holds {value.GetType().Name} values (for example {Convert.ToString(value, CultureInfo.InvariantCulture)}). Store ISO-8601 text ('yyyy-MM-dd HH:mm:ss.fff'), or declare the column INTEGER and set {nameof(IncrementalOptions.CursorFromTime)}.");
        }

        if (_mode == Mode.TextTimestamp)
        {
            layout = SqliteTextTimestamp.Detect(text);
        }

        return Parse(text) ?? throw new DataFormatException(_source, null, Name, $"the largest cursor {TextValueParser.Quote(text)} is not an ISO-8601 {(_mode == Mode.TextDate ? "date ('yyyy-MM-dd')" : "timestamp ('yyyy-MM-dd HH:mm:ss[.fffffff]', optionally with 'T', 'Z' or an offset)")}. Fix or remove that row.");
    }

    /// <summary>Converts a cursor value that did not come from the column (an initial value, a clock value, or a
    /// checkpoint written when the column was read as text) into the column's kind; other values are kept.</summary>
    public CursorValue Normalize(CursorValue value)
    {
        switch (_mode)
        {
            case Mode.TextTimestamp:
                {
                    long? ticks = value.Kind switch
                    {
                        CursorKind.String => Parse(value.ToClr() as string ?? string.Empty) is { } parsed ? ToTicks(parsed.IntegerValue, parsed.Unit) : null,
                        CursorKind.DateTime or CursorKind.DateTimeOffset => value.IntegerValue,
                        CursorKind.Date => value.IntegerValue * TimeSpan.TicksPerDay,
                        CursorKind.Timestamp => ToTicks(value.IntegerValue, value.Unit),
                        _ => null,
                    };
                    return ticks is { } t ? CursorValue.Timestamp(FromTicks(t, Unit), Unit) : value;
                }

            case Mode.TextDate:
                return value.Kind switch
                {
                    CursorKind.String => Parse(value.ToClr() as string ?? string.Empty) ?? value,
                    CursorKind.DateTime or CursorKind.DateTimeOffset => CursorValue.Date((int)(value.IntegerValue / TimeSpan.TicksPerDay)),
                    _ => value,
                };
            default:
                return value;
        }
    }

    /// <summary>Returns the parameter value of an inclusive bound.</summary>
    /// <param name="value">The bound.</param>
    /// <param name="upper">Whether it is the upper bound.</param>
    /// <param name="layout">The layout of a text timestamp column (null: the default layout).</param>
    public object Bind(CursorValue value, bool upper, SqliteTextTimestamp? layout)
    {
        switch (_mode)
        {
            case Mode.TextTimestamp when value.Kind == CursorKind.Timestamp:
                var ticks = ToTicks(value.IntegerValue, value.Unit);
                return (layout ?? SqliteTextTimestamp.Default).Format(ticks, upper);
            case Mode.TextDate when value.Kind == CursorKind.Date:
                return DateOnly.FromDayNumber((int)value.IntegerValue).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            default:
                return value.ToClr();
        }
    }

    private CursorValue? Parse(string text)
    {
        var s = text.AsSpan().Trim();
        if (_mode == Mode.TextDate)
        {
            return TextValueParser.TryParseIsoDate(s, out var date) ? CursorValue.Date(date.DayNumber) : null;
        }

        return TextValueParser.TryParseIsoTimestamp(s, out var ticks, out _, out _) ? CursorValue.Timestamp(FromTicks(ticks, Unit), Unit) : null;
    }

    private static long ToTicks(long value, TimeUnit unit) => TextValueParser.UnixEpochTicks + unit switch
    {
        TimeUnit.Nanosecond => TextValueParser.FloorDivide(value, 100),
        TimeUnit.Microsecond => value * 10,
        TimeUnit.Millisecond => value * TimeSpan.TicksPerMillisecond,
        _ => value * TimeSpan.TicksPerSecond,
    };

    private static long FromTicks(long ticks, TimeUnit unit)
    {
        var sinceEpoch = ticks - TextValueParser.UnixEpochTicks;
        return unit switch
        {
            TimeUnit.Nanosecond => sinceEpoch * 100,
            TimeUnit.Microsecond => TextValueParser.FloorDivide(sinceEpoch, 10),
            TimeUnit.Millisecond => TextValueParser.FloorDivide(sinceEpoch, TimeSpan.TicksPerMillisecond),
            _ => TextValueParser.FloorDivide(sinceEpoch, TimeSpan.TicksPerSecond),
        };
    }
}
