using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// Builds one output array from CLR values of type <typeparamref name="T"/>. Every row must be written exactly
/// once, in increasing row order, with <see cref="Set"/> or <see cref="SetNull"/>.
/// </summary>
/// <typeparam name="T">The CLR type.</typeparam>
internal abstract class ValueWriter<T> : IDisposable
{
    private readonly ValidityBuilder? _validity;

    protected ValueWriter(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column)
    {
        Allocator = allocator;
        Length = length;
        Type = type;
        Source = source;
        Column = column;
        if (ownValidity)
        {
            _validity = new ValidityBuilder(allocator, length);
        }
    }

    public int Length { get; }

    public IArrowType Type { get; }

    public MemoryAllocator Allocator { get; }

    protected string Source { get; }

    protected string Column { get; }

    /// <summary>Writes a non-null value.</summary>
    public virtual void Set(int row, T value)
    {
        Write(row, value);
        if (_validity is not null)
        {
            Bitmaps.Set(_validity.Bits, row);
        }
    }

    /// <summary>Writes a null (with caller-supplied validity: a placeholder for a row the validity marks null).</summary>
    public virtual void SetNull(int row) => WriteDefault(row);

    /// <summary>Returns the values as a span over the output buffer when no conversion is needed (rows written
    /// this way need no <see cref="Set"/> call; with own validity they stay null).</summary>
    public virtual bool TryGetSpan(out Span<T> values)
    {
        values = default;
        return false;
    }

    /// <summary>Builds the array. With own validity the arguments are ignored; otherwise they are the validity
    /// (its ownership passes to the array) and its null count.</summary>
    public virtual IArrowArray Build(ArrowBuffer validity, int nullCount)
    {
        if (_validity is not null)
        {
            _validity.Recount();
            validity.Dispose();
            validity = _validity.Build(out nullCount);
        }

        return BuildArray(validity, nullCount);
    }

    public virtual void Dispose()
    {
        _validity?.Dispose();
        DisposeBuffers();
    }

    protected abstract void Write(int row, T value);

    protected abstract void WriteDefault(int row);

    protected abstract IArrowArray BuildArray(ArrowBuffer validity, int nullCount);

    protected abstract void DisposeBuffers();

    protected DataFormatException Bad(int row, string problem) => new(Source, row + 1, Column, problem);
}

/// <summary>Adapts a writer of T to a lambda returning <c>T?</c>: null results become nulls.</summary>
internal sealed class NullableWriter<T>(ValueWriter<T> inner) : ValueWriter<T?>(inner.Allocator, inner.Length, inner.Type, ownValidity: false, "", "")
    where T : struct
{
    public override void Set(int row, T? value)
    {
        if (value.HasValue)
        {
            inner.Set(row, value.GetValueOrDefault());
        }
        else
        {
            inner.SetNull(row);
        }
    }

    public override void SetNull(int row) => inner.SetNull(row);

    public override IArrowArray Build(ArrowBuffer validity, int nullCount) => inner.Build(validity, nullCount);

    protected override void Write(int row, T? value) => throw new UnreachableException();

    protected override void WriteDefault(int row) => throw new UnreachableException();

    protected override IArrowArray BuildArray(ArrowBuffer validity, int nullCount) => throw new UnreachableException();

    protected override void DisposeBuffers() => inner.Dispose();
}

/// <summary>Creates writers for output types.</summary>
internal static class ValueWriters
{
    /// <summary>Returns whether a writer of <paramref name="clr"/> (or its underlying type) produces <paramref name="arrow"/> directly.</summary>
    public static bool CanWrite(Type clr, IArrowType arrow)
    {
        var natural = ClrTypes.NaturalArrowType(clr);
        return natural is not null && natural.TypeId == arrow.TypeId;
    }

    /// <summary>Creates a writer of <paramref name="length"/> rows of <paramref name="type"/> from <typeparamref name="T"/>.</summary>
    /// <param name="allocator">Where the buffers come from.</param>
    /// <param name="length">Rows.</param>
    /// <param name="type">The output type (<see cref="CanWrite"/> must be true).</param>
    /// <param name="ownValidity">True when the writes decide validity; false when the caller supplies the validity
    /// at <see cref="ValueWriter{T}.Build"/>. Always true for <c>Nullable&lt;T&gt;</c>.</param>
    /// <param name="source">For errors: the stage.</param>
    /// <param name="column">For errors: the output column.</param>
    public static ValueWriter<T> Create<T>(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column)
        => Factory<T>.Create(allocator, length, type, ownValidity, source, column);

    private static ValueWriter<T?> CreateNullable<T>(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column)
        where T : struct => new NullableWriter<T>(Create<T>(allocator, length, type, ownValidity: true, source, column));

    private static ValueWriter<T> CreatePrimitive<T>(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column)
        where T : unmanaged => new PrimitiveWriter<T>(allocator, length, type, ownValidity, source, column);

    private delegate ValueWriter<T> Creator<T>(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column);

    /// <summary>Chooses the writer class for <typeparamref name="T"/> once (reflection only on first use).</summary>
    private static class Factory<T>
    {
        private static readonly Creator<T> Creator = Choose();

        public static ValueWriter<T> Create(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column)
            => Creator(allocator, length, type, ownValidity, source, column);

        private static Creator<T> Choose()
        {
            var underlying = ClrTypes.Underlying(typeof(T), out var nullable);
            if (nullable)
            {
                return Bind(nameof(CreateNullable), underlying);
            }

            var t = typeof(T);
            if (t == typeof(sbyte) || t == typeof(short) || t == typeof(int) || t == typeof(long) || t == typeof(byte) || t == typeof(ushort)
                || t == typeof(uint) || t == typeof(ulong) || t == typeof(float) || t == typeof(double))
            {
                return Bind(nameof(CreatePrimitive), t);
            }

            object creator = t switch
            {
                _ when t == typeof(bool) => (Creator<bool>)((a, n, type, own, s, c) => new BooleanWriter(a, n, type, own, s, c)),
                _ when t == typeof(decimal) => (Creator<decimal>)((a, n, type, own, s, c) => new DecimalWriter(a, n, (Decimal128Type)type, own, s, c)),
                _ when t == typeof(string) => (Creator<string>)((a, n, type, own, s, c) => new BytesWriter<string>(a, n, type, own, s, c)),
                _ when t == typeof(byte[]) => (Creator<byte[]>)((a, n, type, own, s, c) => new BytesWriter<byte[]>(a, n, type, own, s, c)),
                _ when t == typeof(DateOnly) => (Creator<DateOnly>)((a, n, type, own, s, c) => new DateOnlyWriter(a, n, type, own, s, c)),
                _ when t == typeof(DateTime) => (Creator<DateTime>)((a, n, type, own, s, c) => new DateTimeWriter(a, n, (TimestampType)type, own, s, c)),
                _ when t == typeof(DateTimeOffset) => (Creator<DateTimeOffset>)((a, n, type, own, s, c) => new DateTimeOffsetWriter(a, n, (TimestampType)type, own, s, c)),
                _ => (Creator<T>)((a, n, type, own, s, c) => throw new NotSupportedException($"Cannot write {ClrTypes.Describe(typeof(T))} values to {SchemaText.Describe(type)}.")),
            };
            return (Creator<T>)creator;
        }

        private static Creator<T> Bind(string method, Type argument)
            => typeof(ValueWriters).GetMethod(method, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(argument).CreateDelegate<Creator<T>>();
    }
}

/// <summary>Writes fixed-width values into one buffer of <typeparamref name="TStorage"/>.</summary>
internal abstract class FixedWriter<T, TStorage> : ValueWriter<T>
    where TStorage : unmanaged
{
    private readonly OwnedBuffer _values;

    protected FixedWriter(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column)
        : base(allocator, length, type, ownValidity, source, column)
    {
        _values = OwnedBuffer.Allocate(allocator, length * Unsafe.SizeOf<TStorage>(), zeroed: false);
    }

    protected Span<TStorage> Values => MemoryMarshal.Cast<byte, TStorage>(_values.Span)[..Length];

    protected override void WriteDefault(int row) => Values[row] = default;

    protected override IArrowArray BuildArray(ArrowBuffer validity, int nullCount) => ArrayKernels.Build(Type, Length, nullCount, validity, _values.Build());

    protected override void DisposeBuffers() => _values.Dispose();
}

/// <summary>Numbers whose CLR type is the Arrow physical type.</summary>
internal sealed class PrimitiveWriter<T>(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column)
    : FixedWriter<T, T>(allocator, length, type, ownValidity, source, column)
    where T : unmanaged
{
    public override bool TryGetSpan(out Span<T> values)
    {
        values = Values;
        return true;
    }

    protected override void Write(int row, T value) => Values[row] = value;
}

internal sealed class DateOnlyWriter(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column)
    : FixedWriter<DateOnly, int>(allocator, length, type, ownValidity, source, column)
{
    protected override void Write(int row, DateOnly value) => Values[row] = value.DayNumber - TemporalMath.UnixEpochDayNumber;
}

internal sealed class DecimalWriter(MemoryAllocator allocator, int length, Decimal128Type type, bool ownValidity, string source, string column)
    : FixedWriter<decimal, Int128>(allocator, length, type, ownValidity, source, column)
{
    protected override void Write(int row, decimal value)
    {
        if (!DecimalMath.TryFromDecimal(value, type.Scale, DecimalRounding.Truncate, out var unscaled, out var exact) || !DecimalMath.FitsPrecision(unscaled, type.Precision))
        {
            throw Bad(row, $"value {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} does not fit {SchemaText.Describe(type)}");
        }

        if (!exact)
        {
            throw Bad(row, $"value {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} has more than {type.Scale} decimal places for {SchemaText.Describe(type)}; round it in the lambda (Math.Round(value, {type.Scale}))");
        }

        Values[row] = unscaled;
    }
}

/// <summary>DateTime to timestamp: the ticks are stored as they are (a zoned column takes them as UTC); Local values
/// are rejected because their instant depends on the machine's time zone; finer-than-unit ticks are rounded down.</summary>
internal sealed class DateTimeWriter(MemoryAllocator allocator, int length, TimestampType type, bool ownValidity, string source, string column)
    : FixedWriter<DateTime, long>(allocator, length, type, ownValidity, source, column)
{
    protected override void Write(int row, DateTime value)
    {
        if (value.Kind == DateTimeKind.Local)
        {
            throw Bad(row, $"value {value:O} has Kind Local, whose instant depends on this machine's time zone; return a UTC or unspecified DateTime (value.ToUniversalTime()) or a DateTimeOffset");
        }

        if (!TemporalMath.TryFromTicks(value.Ticks, type.Unit, out var converted, out _))
        {
            throw Bad(row, $"value {value:O} does not fit {SchemaText.Describe(type)}");
        }

        Values[row] = converted;
    }
}

/// <summary>DateTimeOffset to timestamp: the UTC instant is stored (for columns without zone too); finer-than-unit
/// ticks are rounded down.</summary>
internal sealed class DateTimeOffsetWriter(MemoryAllocator allocator, int length, TimestampType type, bool ownValidity, string source, string column)
    : FixedWriter<DateTimeOffset, long>(allocator, length, type, ownValidity, source, column)
{
    protected override void Write(int row, DateTimeOffset value)
    {
        if (!TemporalMath.TryFromTicks(value.UtcTicks, type.Unit, out var converted, out _))
        {
            throw Bad(row, $"value {value:O} does not fit {SchemaText.Describe(type)}");
        }

        Values[row] = converted;
    }
}

internal sealed class BooleanWriter(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column)
    : ValueWriter<bool>(allocator, length, type, ownValidity, source, column)
{
    private readonly OwnedBuffer _values = OwnedBuffer.Allocate(allocator, Bitmaps.ByteCount(length), zeroed: true);

    protected override void Write(int row, bool value)
    {
        if (value)
        {
            Bitmaps.Set(_values.Span, row);
        }
    }

    protected override void WriteDefault(int row)
    {
    }

    protected override IArrowArray BuildArray(ArrowBuffer validity, int nullCount) => ArrayKernels.Build(Type, Length, nullCount, validity, _values.Build());

    protected override void DisposeBuffers() => _values.Dispose();
}

/// <summary>Strings (UTF-8 encoded) and byte arrays into offsets + data buffers.</summary>
internal sealed class BytesWriter<T> : ValueWriter<T>
    where T : class
{
    private readonly OwnedBuffer _offsets;
    private readonly OwnedBuffer _data;
    private int _position;

    public BytesWriter(MemoryAllocator allocator, int length, IArrowType type, bool ownValidity, string source, string column)
        : base(allocator, length, type, ownValidity, source, column)
    {
        _offsets = OwnedBuffer.Allocate(allocator, (length + 1) * sizeof(int), zeroed: false);
        _data = OwnedBuffer.Allocate(allocator, Math.Max(64, length * 8), zeroed: false);
        _offsets.As<int>()[0] = 0;
    }

    protected override void Write(int row, T value)
    {
        if (value is string text)
        {
            var count = Encoding.UTF8.GetByteCount(text);
            Reserve(count);
            _position += Encoding.UTF8.GetBytes(text, _data.Span[_position..]);
        }
        else
        {
            var bytes = (byte[])(object)value;
            Reserve(bytes.Length);
            bytes.CopyTo(_data.Span[_position..]);
            _position += bytes.Length;
        }

        _offsets.As<int>()[row + 1] = _position;
    }

    protected override void WriteDefault(int row) => _offsets.As<int>()[row + 1] = _position;

    protected override IArrowArray BuildArray(ArrowBuffer validity, int nullCount)
    {
        _data.Truncate(_position);
        return ArrayKernels.Build(Type, Length, nullCount, validity, _offsets.Build(), _data.Build());
    }

    protected override void DisposeBuffers()
    {
        _offsets.Dispose();
        _data.Dispose();
    }

    private void Reserve(int count)
    {
        var needed = (long)_position + count;
        if (needed > int.MaxValue - 64)
        {
            throw new NotSupportedException($"Column '{Column}' would hold more than 2 GiB of data in one batch; use smaller batches.");
        }

        _data.Grow(Allocator, (int)needed, _position);
    }
}
