using System.Globalization;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>The kind of an incremental cursor value. Values of different kinds never compare.</summary>
internal enum CursorKind : byte
{
    Integer,
    Decimal,
    Double,
    Date,
    DateTime,
    DateTimeOffset,
    Timestamp,
    String,
}

/// <summary>
/// One value of an incremental cursor (or of a key column), exact for every supported kind: integers, decimals,
/// dates, timestamps in any Arrow unit (the raw integer of the unit, never rounded), .NET date/times (the exact ticks
/// and kind) and strings (ordinal order). Its text form (<see cref="Encode"/>) is what checkpoints store, and it is
/// only ever parsed back into a value and bound as a parameter, never spliced into SQL.
/// </summary>
internal readonly struct CursorValue : IEquatable<CursorValue>, IComparable<CursorValue>
{
    private readonly long _integer;
    private readonly decimal _decimal;
    private readonly double _double;
    private readonly string? _string;
    private readonly byte _detail; // DateTimeKind, TimeUnit, or the DateTimeOffset offset is kept in _decimal

    private CursorValue(CursorKind kind, long integer = 0, decimal dec = 0, double dbl = 0, string? str = null, byte detail = 0)
    {
        Kind = kind;
        _integer = integer;
        _decimal = dec;
        _double = dbl;
        _string = str;
        _detail = detail;
    }

    public CursorKind Kind { get; }

    public bool IsTemporal => Kind is CursorKind.Date or CursorKind.DateTime or CursorKind.DateTimeOffset or CursorKind.Timestamp;

    public TimeUnit Unit => (TimeUnit)_detail;

    public static CursorValue Integer(long value) => new(CursorKind.Integer, integer: value);

    public static CursorValue Timestamp(long value, TimeUnit unit) => new(CursorKind.Timestamp, integer: value, detail: (byte)unit);

    public static CursorValue String(string value) => new(CursorKind.String, str: value);

    public static CursorValue Date(int dayNumber) => new(CursorKind.Date, integer: dayNumber);

    public static CursorValue DateTimeTicks(long ticks, DateTimeKind kind) => new(CursorKind.DateTime, integer: ticks, detail: (byte)kind);

    public static CursorValue DateTimeOffsetUtcTicks(long utcTicks, decimal offsetMinutes) => new(CursorKind.DateTimeOffset, integer: utcTicks, dec: offsetMinutes);

    /// <summary>Gets the integer of an integer, date (day number), .NET date/time (ticks; UTC ticks for an offset) or
    /// timestamp (units since the epoch) value.</summary>
    public long IntegerValue => _integer;

    /// <summary>Converts a value read from a database (or given as an option) into a cursor value.</summary>
    public static CursorValue? FromClr(object? value) => value switch
    {
        null or DBNull => null,
        long v => Integer(v),
        int v => Integer(v),
        short v => Integer(v),
        sbyte v => Integer(v),
        byte v => Integer(v),
        ushort v => Integer(v),
        uint v => Integer(v),
        ulong v => v <= long.MaxValue ? Integer((long)v) : new CursorValue(CursorKind.Decimal, dec: v),
        decimal v => new CursorValue(CursorKind.Decimal, dec: v),
        double v => new CursorValue(CursorKind.Double, dbl: v),
        float v => new CursorValue(CursorKind.Double, dbl: v),
        DateOnly v => new CursorValue(CursorKind.Date, integer: v.DayNumber),
        DateTime v => new CursorValue(CursorKind.DateTime, integer: v.Ticks, detail: (byte)v.Kind),
        DateTimeOffset v => new CursorValue(CursorKind.DateTimeOffset, integer: v.UtcTicks, dec: (decimal)v.Offset.TotalMinutes),
        string v => String(v),
        _ => throw new NotSupportedException($"A cursor of type {value.GetType().Name} is not supported; use an integer, decimal, date, timestamp or string column."),
    };

    /// <summary>Reads element <paramref name="index"/> of an Arrow array, exactly (a timestamp keeps its unit).</summary>
    public static CursorValue? FromArrow(IArrowArray array, int index)
    {
        if (array.IsNull(index))
        {
            return null;
        }

        return array switch
        {
            Int64Array a => Integer(a.GetValue(index)!.Value),
            Int32Array a => Integer(a.GetValue(index)!.Value),
            Int16Array a => Integer(a.GetValue(index)!.Value),
            Int8Array a => Integer(a.GetValue(index)!.Value),
            UInt32Array a => Integer(a.GetValue(index)!.Value),
            UInt16Array a => Integer(a.GetValue(index)!.Value),
            UInt8Array a => Integer(a.GetValue(index)!.Value),
            UInt64Array a => FromClr(a.GetValue(index)!.Value),
            Decimal128Array a => new CursorValue(CursorKind.Decimal, dec: a.GetValue(index)!.Value),
            DoubleArray a => new CursorValue(CursorKind.Double, dbl: a.GetValue(index)!.Value),
            FloatArray a => new CursorValue(CursorKind.Double, dbl: a.GetValue(index)!.Value),
            Date32Array a => new CursorValue(CursorKind.Date, integer: DateOnly.FromDayNumber(UnixEpochDay + a.GetValue(index)!.Value).DayNumber),
            Date64Array a => new CursorValue(CursorKind.Date, integer: UnixEpochDay + (int)Math.Floor(a.GetValue(index)!.Value / 86_400_000d)),
            TimestampArray a => Timestamp(a.GetValue(index)!.Value, ((TimestampType)a.Data.DataType).Unit),
            StringArray a => String(a.GetString(index)),
            _ => throw new NotSupportedException($"A cursor of Arrow type {array.Data.DataType.Name} is not supported."),
        };
    }

    private static int UnixEpochDay => DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>Gets the value to bind as a command parameter (the same CLR type it was read as).</summary>
    public object ToClr() => Kind switch
    {
        CursorKind.Integer => _integer,
        CursorKind.Decimal => _decimal,
        CursorKind.Double => _double,
        CursorKind.Date => DateOnly.FromDayNumber((int)_integer),
        CursorKind.DateTime => new DateTime(_integer, (DateTimeKind)_detail),
        CursorKind.DateTimeOffset => new DateTimeOffset(_integer, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes((double)_decimal)),
        CursorKind.String => _string!,
        _ => throw new NotSupportedException("An Arrow timestamp cursor cannot be bound as a database parameter."),
    };

    /// <summary>The exact text form: <c>kind:value</c>.</summary>
    public string Encode() => Kind switch
    {
        CursorKind.Integer => "int:" + _integer.ToString(CultureInfo.InvariantCulture),
        CursorKind.Decimal => "dec:" + _decimal.ToString(CultureInfo.InvariantCulture),
        CursorKind.Double => "f64:" + _double.ToString("R", CultureInfo.InvariantCulture),
        CursorKind.Date => "date:" + DateOnly.FromDayNumber((int)_integer).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        CursorKind.DateTime => $"dt:{_integer.ToString(CultureInfo.InvariantCulture)}:{(DateTimeKind)_detail}",
        CursorKind.DateTimeOffset => $"dto:{_integer.ToString(CultureInfo.InvariantCulture)}:{_decimal.ToString(CultureInfo.InvariantCulture)}",
        CursorKind.Timestamp => $"ts:{UnitName(Unit)}:{_integer.ToString(CultureInfo.InvariantCulture)}",
        _ => "str:" + _string,
    };

    /// <summary>
    /// Returns the value as a reader would write it in the cursor's own type: <c>42</c>, <c>12.50</c>,
    /// <c>2026-03-01</c>, ISO-8601 for date/times and timestamps (<c>2024-05-03T09:57:00Z</c>, with as many fractional
    /// digits as the value needs, up to the unit's), the string itself. Unlike <see cref="Encode"/> it does not name
    /// the kind, so it cannot be parsed back exactly; it is for results, logs and health reports.
    /// </summary>
    public string ToDisplayString()
    {
        switch (Kind)
        {
            case CursorKind.Integer:
                return _integer.ToString(CultureInfo.InvariantCulture);
            case CursorKind.Decimal:
                return _decimal.ToString(CultureInfo.InvariantCulture);
            case CursorKind.Double:
                return _double.ToString("R", CultureInfo.InvariantCulture);
            case CursorKind.Date:
                return DateOnly.FromDayNumber((int)_integer).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case CursorKind.DateTime:
                {
                    var kind = (DateTimeKind)_detail;
                    var text = Iso(_integer, 7);
                    return kind == DateTimeKind.Utc ? text + "Z" : text;
                }

            case CursorKind.DateTimeOffset:
                {
                    var offset = TimeSpan.FromMinutes((double)_decimal);
                    var local = new DateTimeOffset(_integer, TimeSpan.Zero).ToOffset(offset);
                    var sign = offset < TimeSpan.Zero ? '-' : '+';
                    return Iso(local.Ticks, 7) + (offset == TimeSpan.Zero ? "Z" : $"{sign}{Math.Abs(offset.Hours):00}:{Math.Abs(offset.Minutes):00}");
                }

            case CursorKind.Timestamp:
                {
                    // Timestamps are instants since the Unix epoch (the clock and the lag treat them as UTC).
                    var (perSecond, digits) = Unit switch
                    {
                        TimeUnit.Nanosecond => (1_000_000_000L, 9),
                        TimeUnit.Microsecond => (1_000_000L, 6),
                        TimeUnit.Millisecond => (1_000L, 3),
                        _ => (1L, 0),
                    };
                    var seconds = FloorDiv(_integer, perSecond);
                    var fraction = _integer - (seconds * perSecond);
                    if (seconds > (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond || seconds < -DateTime.UnixEpoch.Ticks / TimeSpan.TicksPerSecond)
                    {
                        return Encode();
                    }

                    var text = new DateTime(DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond), DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
                    if (fraction != 0)
                    {
                        text += "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
                    }

                    return text + "Z";
                }

            default:
                return _string!;
        }
    }

    /// <summary>Returns the display form (<see cref="ToDisplayString"/>) of an encoded value, or the text itself when
    /// it is not an encoded cursor value (a custom source's bound).</summary>
    /// <param name="encoded">The text of <see cref="Encode"/>, or <see langword="null"/>.</param>
    /// <returns>The display form, or <see langword="null"/> for <see langword="null"/>.</returns>
    public static string? Display(string? encoded)
    {
        if (encoded is null)
        {
            return null;
        }

        try
        {
            return Decode(encoded).ToDisplayString();
        }
        catch (DataFormatException)
        {
            return encoded;
        }
    }

    /// <summary>The date and time of .NET ticks in ISO-8601 (no offset), with the fraction trimmed to what the value
    /// needs (at most <paramref name="digits"/> digits).</summary>
    private static string Iso(long ticks, int digits)
    {
        var time = new DateTime(ticks, DateTimeKind.Unspecified);
        var text = time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var fraction = ticks % TimeSpan.TicksPerSecond;
        return fraction == 0 ? text : text + "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(7, '0')[..digits].TrimEnd('0');
    }

    public static CursorValue Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? string.Empty : text[..colon];
        var rest = colon < 0 ? string.Empty : text[(colon + 1)..];
        try
        {
            switch (kind)
            {
                case "int":
                    return Integer(long.Parse(rest, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                case "dec":
                    return new CursorValue(CursorKind.Decimal, dec: decimal.Parse(rest, NumberStyles.Number, CultureInfo.InvariantCulture));
                case "f64":
                    return new CursorValue(CursorKind.Double, dbl: double.Parse(rest, NumberStyles.Float, CultureInfo.InvariantCulture));
                case "date":
                    return new CursorValue(CursorKind.Date, integer: DateOnly.ParseExact(rest, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber);
                case "dt":
                    {
                        var parts = rest.Split(':');
                        return new CursorValue(CursorKind.DateTime, integer: long.Parse(parts[0], CultureInfo.InvariantCulture), detail: (byte)Enum.Parse<DateTimeKind>(parts[1]));
                    }

                case "dto":
                    {
                        var parts = rest.Split(':');
                        return new CursorValue(CursorKind.DateTimeOffset, integer: long.Parse(parts[0], CultureInfo.InvariantCulture), dec: decimal.Parse(parts[1], CultureInfo.InvariantCulture));
                    }

                case "ts":
                    {
                        var parts = rest.Split(':');
                        return Timestamp(long.Parse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), ParseUnit(parts[0]));
                    }

                case "str":
                    return String(rest);
            }
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException or ArgumentException)
        {
            throw new DataFormatException("checkpoint", null, null, $"the cursor value '{Truncate(text)}' is not valid.", e);
        }

        throw new DataFormatException("checkpoint", null, null, $"the cursor value '{Truncate(text)}' has no known kind.");
    }

    /// <summary>The key text of one or more key values: the typed text of each, length-prefixed when composite, so
    /// distinct keys never share a text.</summary>
    public static string KeyText(ReadOnlySpan<object?> values)
    {
        if (values.Length == 1)
        {
            return KeyPart(values[0]);
        }

        var parts = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            parts[i] = KeyPart(values[i]);
        }

        return JoinKeyParts(parts);
    }

    /// <summary>The key text of a composite key from the key text of each part (length-prefixed).</summary>
    public static string JoinKeyParts(ReadOnlySpan<string> parts)
    {
        if (parts.Length == 1)
        {
            return parts[0];
        }

        var text = new StringBuilder();
        foreach (var part in parts)
        {
            text.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part);
        }

        return text.ToString();
    }

    private static string KeyPart(object? value) => value switch
    {
        null or DBNull => "null",
        byte[] bytes => "bin:" + Convert.ToBase64String(bytes),
        Guid g => "uuid:" + g.ToString("D"),
        bool b => b ? "bool:1" : "bool:0",
        _ => FromClr(value)!.Value.Encode(),
    };

    /// <summary>Returns <c>this − lookback</c>, rounding so that the window only ever grows (never loses a row).</summary>
    public CursorValue SubtractLookback(TimeSpan lookback, decimal numericLookback)
    {
        if (lookback == TimeSpan.Zero && numericLookback == 0)
        {
            return this;
        }

        return Kind switch
        {
            CursorKind.Date => new CursorValue(CursorKind.Date, integer: Math.Max(DateOnly.MinValue.DayNumber, _integer - (long)Math.Ceiling(lookback.TotalDays))),
            CursorKind.DateTime => new CursorValue(CursorKind.DateTime, integer: Math.Max(0, _integer - lookback.Ticks), detail: _detail),
            CursorKind.DateTimeOffset => new CursorValue(CursorKind.DateTimeOffset, integer: Math.Max(0, _integer - lookback.Ticks), dec: _decimal),
            CursorKind.Timestamp => Timestamp(SaturatingSubtract(_integer, CeilingUnits(lookback.Ticks, Unit)), Unit),
            CursorKind.Integer => Integer(SaturatingSubtract(_integer, (long)Math.Ceiling(numericLookback))),
            CursorKind.Decimal => new CursorValue(CursorKind.Decimal, dec: _decimal - numericLookback),
            CursorKind.Double => new CursorValue(CursorKind.Double, dbl: _double - (double)numericLookback),
            _ => this,
        };
    }

    /// <summary>Returns the largest value of this value's kind that is not later than <paramref name="instant"/>
    /// (for a date: the last day that ended by then), never rounding up.</summary>
    public CursorValue FloorOfInstant(DateTimeOffset instant)
    {
        switch (Kind)
        {
            case CursorKind.Date:
                return new CursorValue(CursorKind.Date, integer: DateOnly.FromDateTime(instant.UtcDateTime).DayNumber - 1);
            case CursorKind.DateTime:
                {
                    var kind = (DateTimeKind)_detail;
                    var ticks = kind == DateTimeKind.Local ? instant.LocalDateTime.Ticks : instant.UtcTicks;
                    return new CursorValue(CursorKind.DateTime, integer: ticks, detail: _detail);
                }

            case CursorKind.DateTimeOffset:
                return new CursorValue(CursorKind.DateTimeOffset, integer: instant.UtcTicks, dec: _decimal);
            case CursorKind.Timestamp:
                {
                    var sinceEpoch = instant.UtcTicks - DateTime.UnixEpoch.Ticks;
                    var value = Unit switch
                    {
                        TimeUnit.Nanosecond => sinceEpoch * 100,
                        TimeUnit.Microsecond => FloorDiv(sinceEpoch, 10),
                        TimeUnit.Millisecond => FloorDiv(sinceEpoch, TimeSpan.TicksPerMillisecond),
                        _ => FloorDiv(sinceEpoch, TimeSpan.TicksPerSecond),
                    };
                    return Timestamp(value, Unit);
                }

            default:
                throw new InvalidOperationException($"A {Kind} cursor has no clock; set CursorFromTime to use a lag.");
        }
    }

    public static CursorValue Max(CursorValue a, CursorValue b) => a.CompareTo(b) >= 0 ? a : b;

    public static CursorValue Min(CursorValue a, CursorValue b) => a.CompareTo(b) <= 0 ? a : b;

    public bool IsSameKind(CursorValue other) => Kind == other.Kind && (Kind != CursorKind.Timestamp || _detail == other._detail);

    public int CompareTo(CursorValue other)
    {
        if (!IsSameKind(other))
        {
            throw new DataEngException($"Cannot compare the cursor value {Encode()} with {other.Encode()}: the cursor column changed type. Reset the checkpoint or convert the column back.");
        }

        return Kind switch
        {
            CursorKind.Integer or CursorKind.Date or CursorKind.DateTime or CursorKind.DateTimeOffset or CursorKind.Timestamp => _integer.CompareTo(other._integer),
            CursorKind.Decimal => _decimal.CompareTo(other._decimal),
            CursorKind.Double => _double.CompareTo(other._double),
            _ => string.CompareOrdinal(_string, other._string),
        };
    }

    public bool Equals(CursorValue other) => IsSameKind(other) && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is CursorValue other && Equals(other);

    public override int GetHashCode() => Kind switch
    {
        CursorKind.Decimal => _decimal.GetHashCode(),
        CursorKind.Double => _double.GetHashCode(),
        CursorKind.String => StringComparer.Ordinal.GetHashCode(_string!),
        _ => HashCode.Combine(Kind, _integer),
    };

    public override string ToString() => Encode();

    public static bool operator ==(CursorValue left, CursorValue right) => left.Equals(right);

    public static bool operator !=(CursorValue left, CursorValue right) => !left.Equals(right);

    public static bool operator <(CursorValue left, CursorValue right) => left.CompareTo(right) < 0;

    public static bool operator <=(CursorValue left, CursorValue right) => left.CompareTo(right) <= 0;

    public static bool operator >(CursorValue left, CursorValue right) => left.CompareTo(right) > 0;

    public static bool operator >=(CursorValue left, CursorValue right) => left.CompareTo(right) >= 0;

    private static long CeilingUnits(long ticks, TimeUnit unit) => unit switch
    {
        TimeUnit.Nanosecond => ticks * 100,
        TimeUnit.Microsecond => CeilDiv(ticks, 10),
        TimeUnit.Millisecond => CeilDiv(ticks, TimeSpan.TicksPerMillisecond),
        _ => CeilDiv(ticks, TimeSpan.TicksPerSecond),
    };

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    private static long SaturatingSubtract(long a, long b)
    {
        var r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? long.MinValue : r;
    }

    private static string UnitName(TimeUnit unit) => unit switch
    {
        TimeUnit.Nanosecond => "ns",
        TimeUnit.Microsecond => "us",
        TimeUnit.Millisecond => "ms",
        _ => "s",
    };

    private static TimeUnit ParseUnit(string name) => name switch
    {
        "ns" => TimeUnit.Nanosecond,
        "us" => TimeUnit.Microsecond,
        "ms" => TimeUnit.Millisecond,
        "s" => TimeUnit.Second,
        _ => throw new FormatException($"Unknown time unit '{name}'."),
    };

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
