using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>How text is read into typed columns.</summary>
/// <param name="Culture">The culture of numbers (and of custom date formats).</param>
/// <param name="DateFormat">A custom date format, or <see langword="null"/> for ISO-8601 (<c>yyyy-MM-dd</c>).</param>
/// <param name="TimestampFormat">A custom timestamp format, or <see langword="null"/> for ISO-8601.</param>
/// <param name="BinaryAsBase64">Whether binary columns read text as base64 (CSV) rather than as its UTF-8 bytes.</param>
internal sealed record TextValueOptions(CultureInfo Culture, string? DateFormat = null, string? TimestampFormat = null, bool BinaryAsBase64 = false)
{
    public static readonly TextValueOptions Invariant = new(CultureInfo.InvariantCulture);

    public string DecimalSeparator { get; } = Culture.NumberFormat.NumberDecimalSeparator;
}

/// <summary>
/// Writes typed values of one column into an <see cref="ArrowColumnBuffer"/>, converting them to the column's Arrow
/// type. Every <c>TryAppend…</c> method either appends exactly one value and returns <see langword="true"/>, or
/// appends nothing, returns <see langword="false"/> and sets <see cref="Problem"/>. Nothing is allocated on the
/// success path except when a value must be formatted as text.
/// </summary>
/// <remarks>
/// Conversions: integers, floating point and decimals convert to any numeric column when the value fits exactly
/// (a floating-point value into a decimal column is rounded half to even at the column's scale; a decimal that has more
/// decimal places than the column's scale is an error); text parses into every type (invariant or the given culture,
/// ISO-8601 dates and timestamps); date/time values convert to date32 (only at midnight), timestamps of any unit
/// (sub-unit precision floored), time32/time64 and durations; any value converts to utf8 (invariant formatting).
/// </remarks>
internal sealed class ArrowValueWriter
{
    private readonly TargetKind _kind;
    private readonly TextValueOptions _text;
    private readonly int _precision;
    private readonly int _scale;
    private readonly long _ticksPerUnit;
    private readonly bool _nanoseconds;
    private readonly string _typeText;

    /// <summary>Creates a writer for a field.</summary>
    /// <param name="field">The Arrow field.</param>
    /// <param name="text">How text is parsed.</param>
    /// <param name="guidText">Whether the (utf8) column holds GUIDs: text is validated and normalised, 16-byte values are
    /// read as GUIDs.</param>
    public ArrowValueWriter(Field field, TextValueOptions text, bool guidText = false)
    {
        ArgumentNullException.ThrowIfNull(field);
        Field = field;
        Buffer = new ArrowColumnBuffer(field.DataType);
        _text = text;
        _typeText = SchemaText.Describe(field.DataType);
        _kind = field.DataType switch
        {
            BooleanType => TargetKind.Boolean,
            Int8Type => TargetKind.Int8,
            Int16Type => TargetKind.Int16,
            Int32Type => TargetKind.Int32,
            Int64Type => TargetKind.Int64,
            UInt8Type => TargetKind.UInt8,
            UInt16Type => TargetKind.UInt16,
            UInt32Type => TargetKind.UInt32,
            UInt64Type => TargetKind.UInt64,
            FloatType => TargetKind.Float,
            DoubleType => TargetKind.Double,
            Decimal128Type => TargetKind.Decimal128,
            StringType => guidText ? TargetKind.GuidText : TargetKind.Utf8,
            BinaryType => TargetKind.Binary,
            Date32Type => TargetKind.Date32,
            TimestampType => TargetKind.Timestamp,
            Time32Type => TargetKind.Time32,
            Time64Type => TargetKind.Time64,
            DurationType => TargetKind.Duration,
            _ => throw new NotSupportedException($"Column '{field.Name}': Arrow type {_typeText} is not supported by the CSV and ADO.NET readers."),
        };
        if (field.DataType is Decimal128Type d)
        {
            if (d.Precision is < 1 or > 38 || d.Scale < 0 || d.Scale > d.Precision)
            {
                throw new NotSupportedException($"Column '{field.Name}': {_typeText} is not a valid decimal128 (precision 1–38, 0 ≤ scale ≤ precision).");
            }

            _precision = d.Precision;
            _scale = d.Scale;
        }

        var unit = field.DataType switch
        {
            TimestampType t => t.Unit,
            Time32Type t => t.Unit,
            Time64Type t => t.Unit,
            DurationType t => t.Unit,
            _ => TimeUnit.Second,
        };
        _ticksPerUnit = unit switch
        {
            TimeUnit.Second => TimeSpan.TicksPerSecond,
            TimeUnit.Millisecond => TimeSpan.TicksPerMillisecond,
            TimeUnit.Microsecond => 10,
            _ => 1,
        };
        _nanoseconds = unit == TimeUnit.Nanosecond;
    }

    private enum TargetKind
    {
        Boolean,
        Int8,
        Int16,
        Int32,
        Int64,
        UInt8,
        UInt16,
        UInt32,
        UInt64,
        Float,
        Double,
        Decimal128,
        Utf8,
        GuidText,
        Binary,
        Date32,
        Timestamp,
        Time32,
        Time64,
        Duration,
    }

    /// <summary>Gets the field.</summary>
    public Field Field { get; }

    /// <summary>Gets the column buffer.</summary>
    public ArrowColumnBuffer Buffer { get; }

    /// <summary>Gets why the last failed append failed (without the location).</summary>
    public string? Problem { get; private set; }

    /// <summary>Builds the column of the current batch (see <see cref="ArrowColumnBuffer.Build"/>).</summary>
    /// <param name="allocator">The allocator.</param>
    /// <returns>The array, owned by the caller.</returns>
    public IArrowArray Build(MemoryAllocator allocator) => Buffer.Build(allocator);

    /// <summary>Appends a null, unless the field is not nullable.</summary>
    /// <returns>Whether it was appended.</returns>
    public bool TryAppendNull()
    {
        if (!Field.IsNullable)
        {
            Problem = "is null, but the column is not nullable";
            return false;
        }

        Buffer.AppendNull();
        return true;
    }

    /// <summary>Appends a boolean.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendBoolean(bool value)
    {
        switch (_kind)
        {
            case TargetKind.Boolean:
                Buffer.AppendBoolean(value);
                return true;
            case TargetKind.Utf8:
                Buffer.AppendUtf8(value ? "true" : "false");
                return true;
            default:
                return _kind is >= TargetKind.Int8 and <= TargetKind.Decimal128 ? TryAppendInt64(value ? 1 : 0) : Cannot("a boolean");
        }
    }

    /// <summary>Appends a signed integer.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendInt64(long value)
    {
        switch (_kind)
        {
            case TargetKind.Int64:
                Buffer.Append(value);
                return true;
            case TargetKind.Int32:
                return value is >= int.MinValue and <= int.MaxValue ? Append((int)value) : OutOfRange(value);
            case TargetKind.Int16:
                return value is >= short.MinValue and <= short.MaxValue ? Append((short)value) : OutOfRange(value);
            case TargetKind.Int8:
                return value is >= sbyte.MinValue and <= sbyte.MaxValue ? Append((sbyte)value) : OutOfRange(value);
            case TargetKind.UInt8:
            case TargetKind.UInt16:
            case TargetKind.UInt32:
            case TargetKind.UInt64:
                return value >= 0 ? TryAppendUInt64((ulong)value) : OutOfRange(value);
            case TargetKind.Float:
                return Append((float)value);
            case TargetKind.Double:
                return Append((double)value);
            case TargetKind.Decimal128:
                return AppendUnscaled(value, value < 0 ? -(Int128)value : value);
            case TargetKind.Boolean:
                return value is 0 or 1 ? AppendBoolean(value == 1) : Fail($"{value} is not a boolean (0 or 1)");
            case TargetKind.Utf8:
                return AppendFormatted(value);
            default:
                return Cannot("an integer");
        }
    }

    /// <summary>Appends an unsigned integer.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendUInt64(ulong value)
    {
        switch (_kind)
        {
            case TargetKind.UInt64:
                Buffer.Append(value);
                return true;
            case TargetKind.UInt32:
                return value <= uint.MaxValue ? Append((uint)value) : OutOfRange(value);
            case TargetKind.UInt16:
                return value <= ushort.MaxValue ? Append((ushort)value) : OutOfRange(value);
            case TargetKind.UInt8:
                return value <= byte.MaxValue ? Append((byte)value) : OutOfRange(value);
            case TargetKind.Float:
                return Append((float)value);
            case TargetKind.Double:
                return Append((double)value);
            case TargetKind.Decimal128:
                return AppendUnscaled(value, value);
            case TargetKind.Utf8:
                return AppendFormatted(value);
            default:
                return value <= long.MaxValue ? TryAppendInt64((long)value) : _kind is >= TargetKind.Int8 and <= TargetKind.Int64 ? OutOfRange(value) : Cannot("an integer");
        }
    }

    /// <summary>Appends a floating-point value.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendDouble(double value)
    {
        switch (_kind)
        {
            case TargetKind.Double:
                Buffer.Append(value);
                return true;
            case TargetKind.Float:
                return Append((float)value);
            case TargetKind.Decimal128:
                if (!double.IsFinite(value) || Math.Abs(value) >= 7.9e28)
                {
                    return Fail($"{value.ToString("R", CultureInfo.InvariantCulture)} does not fit {_typeText}");
                }

                var rounded = _scale <= 28 ? Math.Round((decimal)value, _scale, MidpointRounding.ToEven) : (decimal)value;
                return TryAppendDecimal(rounded);
            case TargetKind.Utf8:
                return AppendFormatted(value);
            case TargetKind.Boolean:
                return value is 0 or 1 ? AppendBoolean(value == 1) : Fail($"{value.ToString("R", CultureInfo.InvariantCulture)} is not a boolean (0 or 1)");
            default:
                if (_kind is >= TargetKind.Int8 and <= TargetKind.UInt64)
                {
                    if (Math.Floor(value) != value || !double.IsFinite(value))
                    {
                        return Fail($"{value.ToString("R", CultureInfo.InvariantCulture)} is not an integer");
                    }

                    return value is >= -9.2233720368547758E+18 and < 9.2233720368547758E+18 ? TryAppendInt64((long)value)
                        : value is >= 0 and < 1.8446744073709552E+19 ? TryAppendUInt64((ulong)value)
                        : OutOfRange(value);
                }

                return Cannot("a floating-point number");
        }
    }

    /// <summary>Appends a decimal.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendDecimal(decimal value)
    {
        switch (_kind)
        {
            case TargetKind.Decimal128:
                if (!TextValueParser.TryScaleDecimal(value, _precision, _scale, out var unscaled, out var problem))
                {
                    return Fail($"{value.ToString(CultureInfo.InvariantCulture)} {problem}");
                }

                Buffer.Append(unscaled);
                return true;
            case TargetKind.Double:
                return Append((double)value);
            case TargetKind.Float:
                return Append((float)value);
            case TargetKind.Utf8:
                return AppendFormatted(value);
            default:
                if (_kind is >= TargetKind.Int8 and <= TargetKind.UInt64 or TargetKind.Boolean)
                {
                    if (decimal.Truncate(value) != value)
                    {
                        return Fail($"{value.ToString(CultureInfo.InvariantCulture)} is not an integer");
                    }

                    return value >= long.MinValue && value <= long.MaxValue ? TryAppendInt64((long)value)
                        : value > 0 && value <= ulong.MaxValue ? TryAppendUInt64((ulong)value)
                        : OutOfRange(value);
                }

                return Cannot("a decimal");
        }
    }

    /// <summary>Parses text into the column type.</summary>
    /// <param name="text">The text (not a null marker: the caller decides what is null).</param>
    /// <returns>Whether it parsed.</returns>
    public bool TryAppendText(ReadOnlySpan<char> text)
    {
        var culture = _text.Culture;
        switch (_kind)
        {
            case TargetKind.Utf8:
                Buffer.AppendUtf8(text);
                return true;
            case TargetKind.Int64:
                return long.TryParse(text, NumberStyles.Integer, culture, out var l) ? Append(l) : NotA(text);
            case TargetKind.Int32:
            case TargetKind.Int16:
            case TargetKind.Int8:
                return long.TryParse(text, NumberStyles.Integer, culture, out l) ? TryAppendInt64(l) : NotA(text);
            case TargetKind.UInt8:
            case TargetKind.UInt16:
            case TargetKind.UInt32:
            case TargetKind.UInt64:
                return ulong.TryParse(text, NumberStyles.Integer, culture, out var u) ? TryAppendUInt64(u) : NotA(text);
            case TargetKind.Double:
                return double.TryParse(text, NumberStyles.Float, culture, out var d) ? Append(d) : NotA(text);
            case TargetKind.Float:
                return float.TryParse(text, NumberStyles.Float, culture, out var f) ? Append(f) : NotA(text);
            case TargetKind.Decimal128:
                var trimmed = text.Trim();
                if (TextValueParser.TryParseDecimal(trimmed, _text.DecimalSeparator, _precision, _scale, out var unscaled, out var problem))
                {
                    Buffer.Append(unscaled);
                    return true;
                }

                return problem is null ? NotA(text) : Fail($"{TextValueParser.Quote(text)} {problem}");
            case TargetKind.Boolean:
                return TextValueParser.TryParseBoolean(text.Trim(), out var b) ? AppendBoolean(b) : NotA(text);
            case TargetKind.Date32:
                return TryParseDate(text, out var date) ? Append(date.DayNumber - TextValueParser.UnixEpochDayNumber) : NotA(text);
            case TargetKind.Timestamp:
                return TryParseTimestamp(text, out var ticks, out var nanos) ? AppendTicks(ticks, nanos) || Requote(text) : NotA(text);
            case TargetKind.Time32:
            case TargetKind.Time64:
                return TimeOnly.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? AppendTime(time.Ticks) : NotA(text);
            case TargetKind.Duration:
                return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? TryAppendTimeSpan(span) : NotA(text);
            case TargetKind.GuidText:
                return Guid.TryParse(text, out var guid) ? TryAppendGuid(guid) : NotA(text);
            case TargetKind.Binary:
                return _text.BinaryAsBase64 ? AppendBase64(text) : AppendUtf8(text);
            default:
                return NotA(text);
        }
    }

    /// <summary>Appends bytes (binary columns, or 16-byte GUIDs).</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>Whether they converted.</returns>
    public bool TryAppendBytes(ReadOnlySpan<byte> bytes)
    {
        switch (_kind)
        {
            case TargetKind.Binary:
                Buffer.AppendBytes(bytes);
                return true;
            case TargetKind.GuidText when bytes.Length == 16:
                return TryAppendGuid(new Guid(bytes));
            default:
                return Cannot($"a binary value ({bytes.Length} bytes)");
        }
    }

    /// <summary>Appends a <see cref="DateTime"/>. <see cref="DateTimeKind.Local"/> values are converted to UTC first;
    /// <see cref="DateTimeKind.Utc"/> and <see cref="DateTimeKind.Unspecified"/> values are taken as they are.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendDateTime(DateTime value)
    {
        if (value.Kind == DateTimeKind.Local)
        {
            value = value.ToUniversalTime();
        }

        switch (_kind)
        {
            case TargetKind.Timestamp:
                return AppendTicks(value.Ticks, 0) || Fail($"{value.ToString("O", CultureInfo.InvariantCulture)} does not fit {_typeText}");
            case TargetKind.Date32:
                return value.TimeOfDay == TimeSpan.Zero
                    ? Append(DateOnly.FromDateTime(value).DayNumber - TextValueParser.UnixEpochDayNumber)
                    : Fail($"{value.ToString("O", CultureInfo.InvariantCulture)} has a time of day; a date32 column holds dates only");
            case TargetKind.Utf8:
                return AppendFormatted(value, "O");
            default:
                return Cannot("a date and time");
        }
    }

    /// <summary>Appends a <see cref="DateTimeOffset"/> as its UTC instant.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendDateTimeOffset(DateTimeOffset value)
        => _kind == TargetKind.Utf8 ? AppendFormatted(value, "O") : TryAppendDateTime(value.UtcDateTime);

    /// <summary>Appends a date.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendDate(DateOnly value) => _kind switch
    {
        TargetKind.Date32 => Append(value.DayNumber - TextValueParser.UnixEpochDayNumber),
        TargetKind.Utf8 => AppendFormatted(value, "yyyy-MM-dd"),
        _ => TryAppendDateTime(value.ToDateTime(TimeOnly.MinValue)),
    };

    /// <summary>Appends a time of day.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendTime(TimeOnly value) => _kind switch
    {
        TargetKind.Time32 or TargetKind.Time64 => AppendTime(value.Ticks),
        TargetKind.Duration => TryAppendTimeSpan(value.ToTimeSpan()),
        TargetKind.Utf8 => AppendFormatted(value, "HH:mm:ss.FFFFFFF"),
        _ => Cannot("a time of day"),
    };

    /// <summary>Appends a time span (durations; time columns when it lies within one day).</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendTimeSpan(TimeSpan value)
    {
        switch (_kind)
        {
            case TargetKind.Duration:
                if (_nanoseconds)
                {
                    return value.Ticks is > long.MinValue / 100 and < long.MaxValue / 100 ? Append(value.Ticks * 100) : OutOfRange(value);
                }

                return Append(TextValueParser.FloorDivide(value.Ticks, _ticksPerUnit));
            case TargetKind.Time32:
            case TargetKind.Time64:
                return value >= TimeSpan.Zero && value.Ticks < TimeSpan.TicksPerDay
                    ? AppendTime(value.Ticks)
                    : Fail($"{value.ToString("c", CultureInfo.InvariantCulture)} is not a time of day");
            case TargetKind.Utf8:
                return AppendFormatted(value, "c");
            default:
                return Cannot("a time span");
        }
    }

    /// <summary>Appends a GUID (utf8 columns as <c>D</c> format; binary columns as its 16 bytes).</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendGuid(Guid value)
    {
        switch (_kind)
        {
            case TargetKind.Utf8:
            case TargetKind.GuidText:
                Span<char> chars = stackalloc char[36];
                value.TryFormat(chars, out _, "D");
                Buffer.AppendUtf8(chars);
                return true;
            case TargetKind.Binary:
                Span<byte> bytes = stackalloc byte[16];
                value.TryWriteBytes(bytes);
                Buffer.AppendBytes(bytes);
                return true;
            default:
                return Cannot("a GUID");
        }
    }

    /// <summary>Appends a value of a type the readers do not know, through its invariant text form (boxes; fallback only).</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it converted.</returns>
    public bool TryAppendOther(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value.ToString();
        return TryAppendText(text ?? string.Empty);
    }

    private bool TryParseDate(ReadOnlySpan<char> text, out DateOnly date)
    {
        var trimmed = text.Trim();
        if (_text.DateFormat is null)
        {
            return TextValueParser.TryParseIsoDate(trimmed, out date);
        }

        return DateOnly.TryParseExact(trimmed, _text.DateFormat, _text.Culture, DateTimeStyles.None, out date);
    }

    private bool TryParseTimestamp(ReadOnlySpan<char> text, out long ticks, out int nanos)
    {
        var trimmed = text.Trim();
        if (_text.TimestampFormat is null)
        {
            return TextValueParser.TryParseIsoTimestamp(trimmed, out ticks, out nanos, out _);
        }

        nanos = 0;
        if (DateTimeOffset.TryParseExact(trimmed, _text.TimestampFormat, _text.Culture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
        {
            ticks = parsed.UtcTicks;
            return true;
        }

        ticks = 0;
        return false;
    }

    private bool AppendTicks(long ticks, int extraNanoseconds)
    {
        var sinceEpoch = ticks - TextValueParser.UnixEpochTicks;
        if (_nanoseconds)
        {
            if (sinceEpoch is <= long.MinValue / 100 or >= long.MaxValue / 100)
            {
                Problem = $"is outside the range of {_typeText} (years 1677–2262)";
                return false;
            }

            Buffer.Append((sinceEpoch * 100) + extraNanoseconds);
            return true;
        }

        Buffer.Append(TextValueParser.FloorDivide(sinceEpoch, _ticksPerUnit));
        return true;
    }

    private bool AppendTime(long ticks)
    {
        if (_kind == TargetKind.Time32)
        {
            Buffer.Append((int)(ticks / _ticksPerUnit));
        }
        else
        {
            Buffer.Append(_nanoseconds ? ticks * 100 : ticks / _ticksPerUnit);
        }

        return true;
    }

    private bool AppendUnscaled(Int128 value, Int128 magnitude)
    {
        var digits = _precision - _scale;
        if (digits < 39 && magnitude >= TextValueParser.PowersOfTen[digits])
        {
            return Fail($"{value} does not fit {_typeText}");
        }

        Buffer.Append(value * TextValueParser.PowersOfTen[_scale]);
        return true;
    }

    private bool AppendBase64(ReadOnlySpan<char> text)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, text.Length));
        try
        {
            if (!Convert.TryFromBase64Chars(text, rented, out var written))
            {
                return Fail($"{TextValueParser.Quote(text)} is not valid base64");
            }

            Buffer.AppendBytes(rented.AsSpan(0, written));
            return true;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool AppendUtf8(ReadOnlySpan<char> text)
    {
        Buffer.AppendUtf8(text);
        return true;
    }

    private bool AppendFormatted<T>(T value, string? format = null)
        where T : ISpanFormattable
    {
        Span<char> chars = stackalloc char[64];
        if (value.TryFormat(chars, out var written, format, CultureInfo.InvariantCulture))
        {
            Buffer.AppendUtf8(chars[..written]);
        }
        else
        {
            Buffer.AppendUtf8(value.ToString(format, CultureInfo.InvariantCulture));
        }

        return true;
    }

    private bool AppendBoolean(bool value)
    {
        Buffer.AppendBoolean(value);
        return true;
    }

    private bool Append<T>(T value)
        where T : unmanaged
    {
        Buffer.Append(value);
        return true;
    }

    private bool Fail(string problem)
    {
        Problem = problem;
        return false;
    }

    private bool NotA(ReadOnlySpan<char> text) => Fail($"{TextValueParser.Quote(text)} is not a valid {_typeText}");

    private bool Requote(ReadOnlySpan<char> text)
    {
        Problem = $"{TextValueParser.Quote(text)} {Problem}";
        return false;
    }

    private bool OutOfRange<T>(T value)
        where T : IFormattable
        => Fail($"{value.ToString(null, CultureInfo.InvariantCulture)} is out of the range of {_typeText}");

    private bool Cannot(string what) => Fail($"{what} cannot be converted to {_typeText}");
}

/// <summary>Helpers shared by the readers.</summary>
internal static class ArrowValueWriters
{
    /// <summary>Builds one batch from the writers' current values.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="writers">One writer per field, in order.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="allocator">The allocator of the output buffers.</param>
    /// <returns>The batch, owned by the caller.</returns>
    public static RecordBatch BuildBatch(Schema schema, ArrowValueWriter[] writers, int rows, MemoryAllocator allocator)
    {
        var arrays = new IArrowArray[writers.Length];
        try
        {
            for (var i = 0; i < writers.Length; i++)
            {
                arrays[i] = writers[i].Build(allocator);
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

        return new RecordBatch(schema, arrays, rows);
    }

    /// <summary>Rolls every writer back to <paramref name="rows"/> values (drops a half-read row).</summary>
    /// <param name="writers">The writers.</param>
    /// <param name="rows">The rows to keep.</param>
    public static void Truncate(ArrowValueWriter[] writers, int rows)
    {
        foreach (var writer in writers)
        {
            writer.Buffer.Truncate(rows);
        }
    }

    /// <summary>Returns the problems with a schema for the readers (unsupported types), one line per column.</summary>
    /// <param name="schema">The schema.</param>
    /// <returns>The problems; empty when the readers can build every column.</returns>
    public static IReadOnlyList<string> Unsupported(Schema schema)
    {
        var problems = new List<string>();
        foreach (var field in schema.FieldsList)
        {
            if (!ArrowColumnBuffer.IsSupported(field.DataType))
            {
                problems.Add($"column '{field.Name}' has type {SchemaText.Describe(field.DataType)}, which the CSV and ADO.NET readers do not support");
            }
            else if (field.DataType is Decimal128Type { Precision: < 1 or > 38 } or Decimal128Type { Scale: < 0 } || (field.DataType is Decimal128Type d && d.Scale > d.Precision))
            {
                problems.Add($"column '{field.Name}' has type {SchemaText.Describe(field.DataType)}: precision must be 1–38 and 0 ≤ scale ≤ precision");
            }
        }

        return problems;
    }
}
