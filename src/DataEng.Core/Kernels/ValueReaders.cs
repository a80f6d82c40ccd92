using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Reads the values of one array as CLR values of type <typeparamref name="T"/> (for lambdas).</summary>
/// <typeparam name="T">The CLR type (never a <c>Nullable&lt;T&gt;</c>).</typeparam>
internal abstract class ValueReader<T>
{
    protected ValueReader(ArrayData data, string source, string column)
    {
        Data = data;
        Source = source;
        Column = column;
    }

    public ArrayData Data { get; }

    protected string Source { get; }

    protected string Column { get; }

    public int Length => Data.Length;

    /// <summary>Reads one non-null value (row is 0-based within the array).</summary>
    public abstract T Get(int row);

    /// <summary>Returns the values as a span over the Arrow buffer when no conversion is needed.</summary>
    public virtual bool TryGetSpan(out ReadOnlySpan<T> values)
    {
        values = default;
        return false;
    }

    /// <summary>Reads <paramref name="destination"/>.Length values from <paramref name="start"/>; slots of null rows
    /// hold default or unspecified values. Overridden by readers that can convert a whole chunk over one span.</summary>
    public virtual void Read(int start, Span<T> destination)
    {
        var validity = new Validity(Data);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = validity.IsValid(start + i) ? Get(start + i) : default!;
        }
    }

    protected DataFormatException Bad(int row, string problem) => new(Source, row + 1, Column, problem);
}

/// <summary>Creates readers for a column type (bound once per schema).</summary>
internal static class ValueReaders
{
    /// <summary>Returns a factory of readers of <paramref name="type"/> columns as <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException">The column cannot be read as <typeparamref name="T"/>.</exception>
    public static Func<ArrayData, ValueReader<T>> Factory<T>(IArrowType type, string source, string column)
    {
        var underlying = ClrTypes.Underlying(typeof(T), out var nullable);
        if (nullable)
        {
            return (Func<ArrayData, ValueReader<T>>)Generic(nameof(CreateNullable), [underlying]).Invoke(null, [type, source, column])!;
        }

        if (!ClrTypes.CanRead(type, typeof(T)))
        {
            throw new NotSupportedException($"column '{column}' has type {SchemaText.Describe(type)} and cannot be read as {ClrTypes.Describe(typeof(T))} (it can be read as {ClrTypes.ReadableAs(type)})");
        }

        var id = type.TypeId;
        var physical = ClrTypes.PhysicalNumeric(id);
        if (physical == typeof(T))
        {
            return (Func<ArrayData, ValueReader<T>>)Generic(nameof(CreatePrimitive), [typeof(T)]).Invoke(null, [source, column])!;
        }

        if (physical is not null)
        {
            return (Func<ArrayData, ValueReader<T>>)Generic(nameof(CreateNumeric), [physical, typeof(T)]).Invoke(null, [source, column])!;
        }

        object result = (id, typeof(T)) switch
        {
            (ArrowTypeId.Boolean, _) => (Func<ArrayData, ValueReader<bool>>)(d => new BooleanReader(d, source, column)),
            (ArrowTypeId.Decimal128, var t) when t == typeof(decimal) => (Func<ArrayData, ValueReader<decimal>>)(d => new DecimalReader(d, source, column)),
            (ArrowTypeId.Decimal128, var t) when t == typeof(double) => (Func<ArrayData, ValueReader<double>>)(d => new DecimalAsDoubleReader(d, source, column)),
            (ArrowTypeId.String, _) => (Func<ArrayData, ValueReader<string>>)(d => new StringReader(d, source, column)),
            (ArrowTypeId.Binary, _) => (Func<ArrayData, ValueReader<byte[]>>)(d => new BinaryReader(d, source, column)),
            (ArrowTypeId.Date32, var t) when t == typeof(DateOnly) => (Func<ArrayData, ValueReader<DateOnly>>)(d => new DateOnlyReader(d, source, column)),
            (ArrowTypeId.Date32, var t) when t == typeof(DateTime) => (Func<ArrayData, ValueReader<DateTime>>)(d => new DateAsDateTimeReader(d, source, column)),
            (ArrowTypeId.Timestamp, var t) when t == typeof(DateTimeOffset) => (Func<ArrayData, ValueReader<DateTimeOffset>>)(d => new TimestampOffsetReader(d, source, column)),
            (ArrowTypeId.Timestamp, var t) when t == typeof(DateTime) => (Func<ArrayData, ValueReader<DateTime>>)(d => new TimestampDateTimeReader(d, source, column)),
            _ => throw new NotSupportedException($"column '{column}' of type {SchemaText.Describe(type)} cannot be read as {ClrTypes.Describe(typeof(T))}"),
        };
        return (Func<ArrayData, ValueReader<T>>)result;
    }

    private static System.Reflection.MethodInfo Generic(string name, Type[] arguments)
        => typeof(ValueReaders).GetMethod(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(arguments);

    private static Func<ArrayData, ValueReader<T?>> CreateNullable<T>(IArrowType type, string source, string column)
        where T : struct
    {
        var inner = Factory<T>(type, source, column);
        return data => new NullableReader<T>(inner(data), source, column);
    }

    private static Func<ArrayData, ValueReader<T>> CreatePrimitive<T>(string source, string column)
        where T : unmanaged => data => new PrimitiveReader<T>(data, source, column);

    private static Func<ArrayData, ValueReader<T>> CreateNumeric<TSource, T>(string source, string column)
        where TSource : unmanaged, INumberBase<TSource>
        where T : INumberBase<T> => data => new NumericReader<TSource, T>(data, source, column);

    /// <summary>Reads <c>T?</c>: null for null rows (lambdas taking nullable parameters see nulls).</summary>
    private sealed class NullableReader<T>(ValueReader<T> inner, string source, string column) : ValueReader<T?>(inner.Data, source, column)
        where T : struct
    {
        public override T? Get(int row) => inner.Data.GetNullCount() > 0 && !new Validity(inner.Data).IsValid(row) ? null : inner.Get(row);
    }

    private sealed class PrimitiveReader<T>(ArrayData data, string source, string column) : ValueReader<T>(data, source, column)
        where T : unmanaged
    {
        public override T Get(int row) => MemoryMarshal.Cast<byte, T>(Data.Buffers[1].Span)[Data.Offset + row];

        public override void Read(int start, Span<T> destination)
            => MemoryMarshal.Cast<byte, T>(Data.Buffers[1].Span).Slice(Data.Offset + start, destination.Length).CopyTo(destination);

        public override bool TryGetSpan(out ReadOnlySpan<T> values)
        {
            values = MemoryMarshal.Cast<byte, T>(Data.Buffers[1].Span).Slice(Data.Offset, Data.Length);
            return true;
        }
    }

    private sealed class NumericReader<TSource, T>(ArrayData data, string source, string column) : ValueReader<T>(data, source, column)
        where TSource : unmanaged, INumberBase<TSource>
        where T : INumberBase<T>
    {
        public override T Get(int row) => T.CreateTruncating(MemoryMarshal.Cast<byte, TSource>(Data.Buffers[1].Span)[Data.Offset + row]);

        public override void Read(int start, Span<T> destination)
        {
            var values = MemoryMarshal.Cast<byte, TSource>(Data.Buffers[1].Span).Slice(Data.Offset + start, destination.Length);
            for (var i = 0; i < values.Length; i++)
            {
                destination[i] = T.CreateTruncating(values[i]);
            }
        }
    }

    private sealed class BooleanReader(ArrayData data, string source, string column) : ValueReader<bool>(data, source, column)
    {
        public override bool Get(int row) => Bitmaps.Get(Data.Buffers[1].Span, Data.Offset + row);
    }

    private sealed class DecimalReader(ArrayData data, string source, string column) : ValueReader<decimal>(data, source, column)
    {
        private readonly int _scale = ((Decimal128Type)data.DataType).Scale;

        public override decimal Get(int row)
        {
            var unscaled = MemoryMarshal.Cast<byte, Int128>(Data.Buffers[1].Span)[Data.Offset + row];
            if (!DecimalMath.TryToDecimal(unscaled, _scale, out var value))
            {
                Span<byte> text = stackalloc byte[48];
                var length = DecimalMath.Format(unscaled, _scale, text);
                throw Bad(row, $"value {Encoding.UTF8.GetString(text[..length])} does not fit in a .NET decimal (at most 28 decimal places and about 7.9e28); read it as double or cast it first");
            }

            return value;
        }
    }

    private sealed class DecimalAsDoubleReader(ArrayData data, string source, string column) : ValueReader<double>(data, source, column)
    {
        private readonly int _scale = ((Decimal128Type)data.DataType).Scale;

        public override double Get(int row) => DecimalMath.ToDouble(MemoryMarshal.Cast<byte, Int128>(Data.Buffers[1].Span)[Data.Offset + row], _scale);
    }

    private sealed class StringReader(ArrayData data, string source, string column) : ValueReader<string>(data, source, column)
    {
        public override string Get(int row)
        {
            var offsets = MemoryMarshal.Cast<byte, int>(Data.Buffers[1].Span);
            var start = offsets[Data.Offset + row];
            var end = offsets[Data.Offset + row + 1];
            return start == end ? string.Empty : Encoding.UTF8.GetString(Data.Buffers[2].Span[start..end]);
        }
    }

    private sealed class BinaryReader(ArrayData data, string source, string column) : ValueReader<byte[]>(data, source, column)
    {
        public override byte[] Get(int row)
        {
            var offsets = MemoryMarshal.Cast<byte, int>(Data.Buffers[1].Span);
            var start = offsets[Data.Offset + row];
            var end = offsets[Data.Offset + row + 1];
            return start == end ? [] : Data.Buffers[2].Span[start..end].ToArray();
        }
    }

    private sealed class DateOnlyReader(ArrayData data, string source, string column) : ValueReader<DateOnly>(data, source, column)
    {
        public override DateOnly Get(int row) => Convert(MemoryMarshal.Cast<byte, int>(Data.Buffers[1].Span)[Data.Offset + row], row);

        public override void Read(int start, Span<DateOnly> destination)
        {
            var values = MemoryMarshal.Cast<byte, int>(Data.Buffers[1].Span).Slice(Data.Offset + start, destination.Length);
            var validity = new Validity(Data);
            for (var i = 0; i < values.Length; i++)
            {
                destination[i] = validity.IsValid(start + i) ? Convert(values[i], start + i) : default;
            }
        }

        private DateOnly Convert(int days, int row)
        {
            var dayNumber = (long)days + TemporalMath.UnixEpochDayNumber;
            if (dayNumber < DateOnly.MinValue.DayNumber || dayNumber > DateOnly.MaxValue.DayNumber)
            {
                throw Bad(row, $"date32 value {days} (days since 1970-01-01) is outside the range of DateOnly");
            }

            return DateOnly.FromDayNumber((int)dayNumber);
        }
    }

    private sealed class DateAsDateTimeReader(ArrayData data, string source, string column) : ValueReader<DateTime>(data, source, column)
    {
        public override DateTime Get(int row)
        {
            var days = MemoryMarshal.Cast<byte, int>(Data.Buffers[1].Span)[Data.Offset + row];
            var dayNumber = (long)days + TemporalMath.UnixEpochDayNumber;
            if (dayNumber < DateOnly.MinValue.DayNumber || dayNumber > DateOnly.MaxValue.DayNumber)
            {
                throw Bad(row, $"date32 value {days} (days since 1970-01-01) is outside the range of DateTime");
            }

            return new DateTime(dayNumber * TimeSpan.TicksPerDay, DateTimeKind.Unspecified);
        }
    }

    private sealed class TimestampOffsetReader(ArrayData data, string source, string column) : ValueReader<DateTimeOffset>(data, source, column)
    {
        private readonly TimeUnit _unit = ((TimestampType)data.DataType).Unit;

        public override DateTimeOffset Get(int row) => Convert(MemoryMarshal.Cast<byte, long>(Data.Buffers[1].Span)[Data.Offset + row], row);

        public override void Read(int start, Span<DateTimeOffset> destination)
        {
            var values = MemoryMarshal.Cast<byte, long>(Data.Buffers[1].Span).Slice(Data.Offset + start, destination.Length);
            var validity = new Validity(Data);
            for (var i = 0; i < values.Length; i++)
            {
                destination[i] = validity.IsValid(start + i) ? Convert(values[i], start + i) : default;
            }
        }

        private DateTimeOffset Convert(long value, int row)
        {
            if (!TemporalMath.TryToTicks(value, _unit, out var ticks))
            {
                throw Bad(row, OutOfRange(value, _unit, "DateTimeOffset"));
            }

            return new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    private sealed class TimestampDateTimeReader(ArrayData data, string source, string column) : ValueReader<DateTime>(data, source, column)
    {
        private readonly TimeUnit _unit = ((TimestampType)data.DataType).Unit;
        private readonly DateTimeKind _kind = string.IsNullOrEmpty(((TimestampType)data.DataType).Timezone) ? DateTimeKind.Unspecified : DateTimeKind.Utc;

        public override DateTime Get(int row) => Convert(MemoryMarshal.Cast<byte, long>(Data.Buffers[1].Span)[Data.Offset + row], row);

        public override void Read(int start, Span<DateTime> destination)
        {
            var values = MemoryMarshal.Cast<byte, long>(Data.Buffers[1].Span).Slice(Data.Offset + start, destination.Length);
            var validity = new Validity(Data);
            for (var i = 0; i < values.Length; i++)
            {
                destination[i] = validity.IsValid(start + i) ? Convert(values[i], start + i) : default;
            }
        }

        private DateTime Convert(long value, int row)
        {
            if (!TemporalMath.TryToTicks(value, _unit, out var ticks))
            {
                throw Bad(row, OutOfRange(value, _unit, "DateTime"));
            }

            return new DateTime(ticks, _kind);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string OutOfRange(long value, TimeUnit unit, string clr)
        => string.Create(CultureInfo.InvariantCulture, $"timestamp value {value} ({unit.ToString().ToLowerInvariant()}s since 1970-01-01) is outside the range of {clr}");
}
