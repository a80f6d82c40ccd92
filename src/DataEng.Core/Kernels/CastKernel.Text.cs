using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

internal static partial class CastKernel
{
    private static CastPlan? BindText(IArrowType from, IArrowType to)
    {
        if (to.TypeId == ArrowTypeId.String)
        {
            var physical = ClrTypes.PhysicalNumeric(from.TypeId);
            return from switch
            {
                _ when physical is not null => (CastPlan)Make(typeof(NumberToStringCast<>), [physical], from, to),
                Decimal128Type d => new DecimalToStringCast(d, to),
                BooleanType => new BooleanToStringCast(from, to),
                Date32Type => new DateToStringCast(from, to),
                TimestampType t => new TimestampToStringCast(t, to),
                BinaryType => new ReinterpretCast(from, to, validateUtf8: true),
                _ => null,
            };
        }

        if (from.TypeId == ArrowTypeId.String)
        {
            var physical = ClrTypes.PhysicalNumeric(to.TypeId);
            return to switch
            {
                _ when physical is not null => (CastPlan)Make(typeof(ParseNumberCast<>), [physical], from, to),
                Decimal128Type d => new ParseDecimalCast(from, d),
                BooleanType => new ParseBooleanCast(from, to),
                Date32Type => new ParseDateCast(from, to),
                TimestampType t => new ParseTimestampCast(from, t),
                BinaryType => new ReinterpretCast(from, to, validateUtf8: false),
                _ => null,
            };
        }

        return null;
    }

    /// <summary>Numbers as invariant text; floating point uses the shortest text that round-trips.</summary>
    private sealed class NumberToStringCast<T>(IArrowType from, IArrowType to) : ToStringCast(from, to, 32)
        where T : unmanaged, IUtf8SpanFormattable
    {
        protected override int Format(ArrayData input, int row, Span<byte> destination)
        {
            var value = MemoryMarshal.Cast<byte, T>(input.Buffers[1].Span)[input.Offset + row];
            value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
            return written;
        }
    }

    private sealed class DecimalToStringCast(Decimal128Type from, IArrowType to) : ToStringCast(from, to, 48)
    {
        protected override int Format(ArrayData input, int row, Span<byte> destination)
            => DecimalMath.Format(MemoryMarshal.Cast<byte, Int128>(input.Buffers[1].Span)[input.Offset + row], from.Scale, destination);
    }

    private sealed class BooleanToStringCast(IArrowType from, IArrowType to) : ToStringCast(from, to, 8)
    {
        protected override int Format(ArrayData input, int row, Span<byte> destination)
        {
            var text = Bitmaps.Get(input.Buffers[1].Span, input.Offset + row) ? "true"u8 : "false"u8;
            text.CopyTo(destination);
            return text.Length;
        }
    }

    private sealed class DateToStringCast(IArrowType from, IArrowType to) : ToStringCast(from, to, 24)
    {
        protected override int Format(ArrayData input, int row, Span<byte> destination)
            => Iso8601.FormatDate(MemoryMarshal.Cast<byte, int>(input.Buffers[1].Span)[input.Offset + row], destination);
    }

    /// <summary>ISO 8601 with the unit's fractional digits; <c>Z</c> for UTC, the local time and offset for other zones,
    /// no suffix without zone.</summary>
    private sealed class TimestampToStringCast : ToStringCast
    {
        private readonly TimestampType _from;
        private readonly bool _hasZone;
        private readonly TimeZoneInfo? _zone;

        public TimestampToStringCast(TimestampType from, IArrowType to)
            : base(from, to, 48)
        {
            _from = from;
            _hasZone = !string.IsNullOrEmpty(from.Timezone);
            TemporalMath.TryResolveZone(from.Timezone, out _zone);
        }

        protected override int Format(ArrayData input, int row, Span<byte> destination)
            => Iso8601.FormatTimestamp(MemoryMarshal.Cast<byte, long>(input.Buffers[1].Span)[input.Offset + row], _from.Unit, _hasZone, _zone, destination);
    }

    private sealed class ParseNumberCast<T>(IArrowType from, IArrowType to) : FromStringCast<T>(from, to)
        where T : unmanaged, INumberBase<T>
    {
        private readonly NumberStyles _styles = IsFloat<T>() ? NumberStyles.Float : NumberStyles.Integer;
        private readonly string _reason = $"not a valid {SchemaText.Describe(to)} (or out of range)";

        protected override bool TryParse(ReadOnlySpan<byte> text, out T value, out string reason, CastRun run)
        {
            reason = _reason;
            return T.TryParse(text, _styles, CultureInfo.InvariantCulture, out value);
        }
    }

    private sealed class ParseDecimalCast(IArrowType from, Decimal128Type to) : FromStringCast<Int128>(from, to)
    {
        protected override bool TryParse(ReadOnlySpan<byte> text, out Int128 value, out string reason, CastRun run)
        {
            if (!DecimalMath.TryParse(text, to.Scale, out value, out var exact))
            {
                reason = "not a valid decimal number (or out of range)";
                return false;
            }

            if (!DecimalMath.FitsPrecision(value, to.Precision))
            {
                reason = $"it needs more than {to.Precision} digits";
                return false;
            }

            if (!exact && !run.AllowTruncation)
            {
                reason = $"it has more than {to.Scale} fractional digits (set AllowTruncation to drop them)";
                return false;
            }

            reason = "";
            return true;
        }
    }

    private sealed class ParseDateCast(IArrowType from, IArrowType to) : FromStringCast<int>(from, to)
    {
        protected override bool TryParse(ReadOnlySpan<byte> text, out int value, out string reason, CastRun run)
        {
            value = 0;
            reason = "not an ISO 8601 date (YYYY-MM-DD)";
            if (!Iso8601.TryParseDate(text, out var days))
            {
                return false;
            }

            if (days is < int.MinValue or > int.MaxValue)
            {
                reason = "out of range";
                return false;
            }

            value = (int)days;
            return true;
        }
    }

    /// <summary>ISO 8601 text to a timestamp. Text with an offset is converted to UTC; text without is taken as UTC
    /// (or as local time in the column's zone when it names one).</summary>
    private sealed class ParseTimestampCast : FromStringCast<long>
    {
        private readonly TimestampType _to;
        private readonly TimeZoneInfo? _zone;

        public ParseTimestampCast(IArrowType from, TimestampType to)
            : base(from, to)
        {
            _to = to;
            TemporalMath.TryResolveZone(to.Timezone, out _zone);
        }

        protected override bool TryParse(ReadOnlySpan<byte> text, out long value, out string reason, CastRun run)
        {
            value = 0;
            reason = "not an ISO 8601 date/time (YYYY-MM-DD[THH:MM[:SS[.fffffffff]]][Z|±HH:MM])";
            if (!Iso8601.TryParseTimestamp(text, out var parsed))
            {
                return false;
            }

            return TryToTimestamp(parsed, _to.Unit, _zone, run.AllowTruncation, out value, out reason);
        }
    }

    /// <summary>Converts a parsed date/time to a timestamp value in <paramref name="unit"/>.</summary>
    internal static bool TryToTimestamp(in ParsedDateTime parsed, TimeUnit unit, TimeZoneInfo? zone, bool allowTruncation, out long value, out string reason)
    {
        value = 0;
        reason = "";
        var nanosPerUnit = TemporalMath.NanosPerUnit(unit);
        var inDay = TemporalMath.FloorDiv(parsed.NanosOfDay, nanosPerUnit, out var lost);
        if (lost != 0 && !allowTruncation)
        {
            reason = $"it is more precise than the column's unit ({unit.ToString().ToLowerInvariant()}s; set AllowTruncation to drop the rest)";
            return false;
        }

        Int128 total = ((Int128)parsed.Days * TemporalMath.UnitsPerDay(unit)) + inDay;
        long offsetSeconds = parsed.OffsetSeconds;
        if (!parsed.HasOffset && zone is not null)
        {
            var localTicks = ((Int128)parsed.Days * TimeSpan.TicksPerDay) + (parsed.NanosOfDay / 100) + TemporalMath.UnixEpochTicks;
            if (localTicks < DateTime.MinValue.Ticks || localTicks > DateTime.MaxValue.Ticks)
            {
                reason = "out of range for a local time in the column's zone";
                return false;
            }

            offsetSeconds = (long)TemporalMath.OffsetOfLocal(zone, (long)localTicks).TotalSeconds;
        }

        total -= (Int128)offsetSeconds * TemporalMath.UnitsPerSecond(unit);
        if (total < long.MinValue || total > long.MaxValue)
        {
            reason = "out of range for the column's unit";
            return false;
        }

        value = (long)total;
        return true;
    }

    private sealed class ParseBooleanCast(IArrowType from, IArrowType to) : BooleanCast(from, to)
    {
        protected override void Convert(ArrayData input, Span<byte> output, CastRun run)
        {
            var validity = new Validity(input);
            var offsets = MemoryMarshal.Cast<byte, int>(input.Buffers[1].Span).Slice(input.Offset, input.Length + 1);
            var bytes = input.Buffers[2].Span;
            for (var i = 0; i < input.Length; i++)
            {
                if (!validity.IsValid(i))
                {
                    continue;
                }

                var text = bytes[offsets[i]..offsets[i + 1]];
                if (TryParseBoolean(text, out var value))
                {
                    if (value)
                    {
                        Bitmaps.Set(output, i);
                    }
                }
                else
                {
                    run.Fail(i, Text(text), "not a boolean (true/false, 1/0, yes/no)");
                }
            }
        }
    }

    /// <summary>Parses true/false, 1/0 and yes/no, ignoring case and surrounding white space.</summary>
    internal static bool TryParseBoolean(ReadOnlySpan<byte> text, out bool value)
    {
        text = text[System.Text.Ascii.Trim(text)];
        if (System.Text.Ascii.EqualsIgnoreCase(text, "true"u8) || text.SequenceEqual("1"u8) || System.Text.Ascii.EqualsIgnoreCase(text, "yes"u8))
        {
            value = true;
            return true;
        }

        value = false;
        return System.Text.Ascii.EqualsIgnoreCase(text, "false"u8) || text.SequenceEqual("0"u8) || System.Text.Ascii.EqualsIgnoreCase(text, "no"u8);
    }
}
