using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

internal static partial class CastKernel
{
    private static CastPlan? BindTemporal(IArrowType from, IArrowType to) => (from, to) switch
    {
        (TimestampType f, TimestampType t) when f.Unit == t.Unit => new ReinterpretCast(from, to, validateUtf8: false),
        (TimestampType f, TimestampType t) => new TimestampUnitCast(f, t),
        (Date32Type, TimestampType t) => new DateToTimestampCast(from, t),
        (TimestampType f, Date32Type) => new TimestampToDateCast(f, to),
        _ => null,
    };

    /// <summary>Changes the unit. Values are instants (UTC, or wall clock without zone), so zones only change metadata.</summary>
    private sealed class TimestampUnitCast(TimestampType from, TimestampType to) : FixedCast<long>(from, to)
    {
        protected override void Convert(ArrayData input, Span<long> output, CastRun run)
        {
            var values = MemoryMarshal.Cast<byte, long>(input.Buffers[1].Span).Slice(input.Offset, input.Length);
            var validity = new Validity(input);
            var fromPerSecond = TemporalMath.UnitsPerSecond(from.Unit);
            var toPerSecond = TemporalMath.UnitsPerSecond(to.Unit);
            for (var i = 0; i < values.Length; i++)
            {
                output[i] = default;
                if (!validity.IsValid(i))
                {
                    continue;
                }

                var value = values[i];
                if (toPerSecond > fromPerSecond)
                {
                    var factor = toPerSecond / fromPerSecond;
                    if (value > long.MaxValue / factor || value < long.MinValue / factor)
                    {
                        run.Fail(i, Number(value), "out of range for the finer unit");
                        continue;
                    }

                    output[i] = value * factor;
                }
                else
                {
                    output[i] = TemporalMath.FloorDiv(value, fromPerSecond / toPerSecond, out var remainder);
                    if (remainder != 0 && !run.AllowTruncation)
                    {
                        output[i] = default;
                        run.Fail(i, Number(value), "it would lose sub-unit precision (set AllowTruncation to round down)");
                    }
                }
            }
        }
    }

    private static string DateText(long days)
    {
        Span<byte> text = stackalloc byte[24];
        return System.Text.Encoding.ASCII.GetString(text[..Iso8601.FormatDate(days, text)]);
    }

    /// <summary>A date becomes midnight UTC (or midnight wall clock without zone) of that day.</summary>
    private sealed class DateToTimestampCast(IArrowType from, TimestampType to) : FixedCast<long>(from, to)
    {
        protected override void Convert(ArrayData input, Span<long> output, CastRun run)
        {
            var values = MemoryMarshal.Cast<byte, int>(input.Buffers[1].Span).Slice(input.Offset, input.Length);
            var validity = new Validity(input);
            var perDay = TemporalMath.UnitsPerDay(to.Unit);
            for (var i = 0; i < values.Length; i++)
            {
                output[i] = default;
                if (!validity.IsValid(i))
                {
                    continue;
                }

                var value = values[i];
                if (value > long.MaxValue / perDay || value < long.MinValue / perDay)
                {
                    run.Fail(i, DateText(value), "out of range for the timestamp unit");
                    continue;
                }

                output[i] = value * perDay;
            }
        }
    }

    /// <summary>The date of an instant: in UTC, in the column's zone when it names one, or of the wall clock without zone.
    /// A time of day other than midnight needs <see cref="CastOptions.AllowTruncation"/>.</summary>
    private sealed class TimestampToDateCast : FixedCast<int>
    {
        private readonly TimestampType _from;
        private readonly TimeZoneInfo? _zone;

        public TimestampToDateCast(TimestampType from, IArrowType to)
            : base(from, to)
        {
            _from = from;
            TemporalMath.TryResolveZone(from.Timezone, out _zone);
        }

        protected override void Convert(ArrayData input, Span<int> output, CastRun run)
        {
            var values = MemoryMarshal.Cast<byte, long>(input.Buffers[1].Span).Slice(input.Offset, input.Length);
            var validity = new Validity(input);
            var perDay = TemporalMath.UnitsPerDay(_from.Unit);
            var perSecond = TemporalMath.UnitsPerSecond(_from.Unit);
            for (var i = 0; i < values.Length; i++)
            {
                output[i] = default;
                if (!validity.IsValid(i))
                {
                    continue;
                }

                Int128 local = values[i];
                if (_zone is not null && TemporalMath.TryToTicks(values[i], _from.Unit, out var utcTicks))
                {
                    local += (Int128)(long)TemporalMath.OffsetAt(_zone, utcTicks).TotalSeconds * perSecond;
                }

                var days = Int128.DivRem(local, perDay);
                var whole = days.Quotient;
                var remainder = days.Remainder;
                if (remainder < 0)
                {
                    whole--;
                    remainder += perDay;
                }

                if (remainder != 0 && !run.AllowTruncation)
                {
                    run.Fail(i, TimestampText(values[i]), "it has a time of day (set AllowTruncation to keep only the date)");
                    continue;
                }

                if (whole < int.MinValue || whole > int.MaxValue)
                {
                    run.Fail(i, TimestampText(values[i]), "out of range");
                    continue;
                }

                output[i] = (int)whole;
            }
        }

        private string TimestampText(long value)
        {
            Span<byte> text = stackalloc byte[64];
            return System.Text.Encoding.ASCII.GetString(text[..Iso8601.FormatTimestamp(value, _from.Unit, !string.IsNullOrEmpty(_from.Timezone), _zone, text)]);
        }
    }
}
