using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// Short names for the Arrow types the kernels support, for casts and derived columns
/// (<c>.Cast("id", DataTypes.Int64)</c>). Any <see cref="IArrowType"/> instance works as well.
/// </summary>
/// <remarks>
/// <para>Supported by every kernel: bool, int8–64, uint8–64, float, double, decimal128, string, binary, date32 and
/// timestamp (any unit, with or without time zone), nulls included. Select, rename, slice, take, filter and
/// concatenate also copy half float, date64, time32/64, duration, interval, decimal32/64/256 and fixed-size binary
/// columns unchanged, but cannot compare, cast, hash or pass them to lambdas yet.</para>
/// <para>Not supported yet: lists, structs, maps, unions, dictionary-encoded arrays, string/binary views, large
/// string/binary, run-end encoded and extension types. Transforms report them when the pipeline is built.</para>
/// <para>CLR types in lambdas: bool, sbyte/short/int/long, byte/ushort/uint/ulong, float, double, decimal
/// (decimal128(38, 18) by default), string, byte[] (binary), DateOnly (date32), DateTime (timestamp[us] without
/// zone) and DateTimeOffset (timestamp[us, UTC]); nullable forms of the value types let a lambda see or produce
/// nulls. Timestamps are read into .NET's 100 ns ticks (nanosecond values are rounded down); values written to a
/// coarser unit are rounded down to it.</para>
/// </remarks>
public static class DataTypes
{
    /// <summary>Gets the boolean type.</summary>
    public static IArrowType Boolean => BooleanType.Default;

    /// <summary>Gets the 8-bit signed integer type.</summary>
    public static IArrowType Int8 => Int8Type.Default;

    /// <summary>Gets the 16-bit signed integer type.</summary>
    public static IArrowType Int16 => Int16Type.Default;

    /// <summary>Gets the 32-bit signed integer type.</summary>
    public static IArrowType Int32 => Int32Type.Default;

    /// <summary>Gets the 64-bit signed integer type.</summary>
    public static IArrowType Int64 => Int64Type.Default;

    /// <summary>Gets the 8-bit unsigned integer type.</summary>
    public static IArrowType UInt8 => UInt8Type.Default;

    /// <summary>Gets the 16-bit unsigned integer type.</summary>
    public static IArrowType UInt16 => UInt16Type.Default;

    /// <summary>Gets the 32-bit unsigned integer type.</summary>
    public static IArrowType UInt32 => UInt32Type.Default;

    /// <summary>Gets the 64-bit unsigned integer type.</summary>
    public static IArrowType UInt64 => UInt64Type.Default;

    /// <summary>Gets the 32-bit floating point type.</summary>
    public static IArrowType Float => FloatType.Default;

    /// <summary>Gets the 64-bit floating point type.</summary>
    public static IArrowType Double => DoubleType.Default;

    /// <summary>Gets the UTF-8 string type.</summary>
    public static IArrowType String => StringType.Default;

    /// <summary>Gets the variable-length binary type.</summary>
    public static IArrowType Binary => BinaryType.Default;

    /// <summary>Gets the date type (days since 1970-01-01).</summary>
    public static IArrowType Date32 => Date32Type.Default;

    /// <summary>Returns a timestamp type.</summary>
    /// <param name="unit">The unit of the stored values.</param>
    /// <param name="timeZone">The time zone (<c>"UTC"</c>, an offset like <c>"+02:00"</c>, or an IANA id), or
    /// <see langword="null"/> for a wall-clock time without zone.</param>
    /// <returns>The type.</returns>
    public static IArrowType Timestamp(TimeUnit unit = TimeUnit.Microsecond, string? timeZone = null) => new TimestampType(unit, timeZone);

    /// <summary>Returns a decimal128 type.</summary>
    /// <param name="precision">Total digits, 1 to 38.</param>
    /// <param name="scale">Digits after the point, 0 to <paramref name="precision"/>.</param>
    /// <returns>The type.</returns>
    public static IArrowType Decimal128(int precision, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, 38);
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, precision);
        return new Decimal128Type(precision, scale);
    }
}
