using System.Globalization;
using System.Text.RegularExpressions;
using Apache.Arrow.Types;

namespace DataEng.Core.Testing;

/// <summary>Arrow types for test columns: inferred from .NET types, or parsed from names such as <c>int64</c>,
/// <c>timestamp[ms, UTC]</c> or <c>decimal(10, 2)</c>.</summary>
internal static partial class ColumnTypes
{
    /// <summary>The type names accepted by <see cref="TryParse"/>, for error messages.</summary>
    public const string Names = "bool, int8, int16, int32 (int), int64 (long), uint8…uint64, float16, float (float32), double (float64), "
        + "string (utf8), binary, date (date32), date64, timestamp[unit, zone] (default timestamp = timestamp[us, UTC]), "
        + "time32[unit], time64[unit] (time = time64[us]), decimal(precision, scale) (decimal128)";

    /// <summary>Maps a .NET type to an Arrow type; <see langword="null"/> when it has no natural mapping.</summary>
    /// <param name="type">The .NET type.</param>
    /// <param name="decimalScale">The scale to use for <see cref="decimal"/> columns.</param>
    /// <param name="nullable">Whether the .NET type is <see cref="Nullable{T}"/>.</param>
    public static IArrowType? FromClr(Type type, int decimalScale, out bool nullable)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        nullable = underlying is not null;
        type = underlying ?? type;
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => BooleanType.Default,
            TypeCode.SByte => Int8Type.Default,
            TypeCode.Int16 => Int16Type.Default,
            TypeCode.Int32 => Int32Type.Default,
            TypeCode.Int64 => Int64Type.Default,
            TypeCode.Byte => UInt8Type.Default,
            TypeCode.UInt16 => UInt16Type.Default,
            TypeCode.UInt32 => UInt32Type.Default,
            TypeCode.UInt64 => UInt64Type.Default,
            TypeCode.Single => FloatType.Default,
            TypeCode.Double => DoubleType.Default,
            TypeCode.Decimal => new Decimal128Type(38, decimalScale),
            TypeCode.String or TypeCode.Char => StringType.Default,
            TypeCode.DateTime => new TimestampType(TimeUnit.Microsecond, (string?)null),
            _ when type == typeof(DateTimeOffset) => new TimestampType(TimeUnit.Microsecond, "UTC"),
            _ when type == typeof(DateOnly) => Date32Type.Default,
            _ when type == typeof(TimeOnly) || type == typeof(TimeSpan) => new Time64Type(TimeUnit.Microsecond),
            _ when type == typeof(byte[]) => BinaryType.Default,
            _ when type == typeof(Half) => HalfFloatType.Default,
            _ when type == typeof(Guid) => StringType.Default,
            _ => null,
        };
    }

    /// <summary>Parses a type name.</summary>
    /// <param name="text">The name, for example <c>int64</c>, <c>timestamp[ms, UTC]</c> or <c>decimal(10,2)</c>.</param>
    /// <param name="type">The type.</param>
    /// <returns><see langword="true"/> when the name is known.</returns>
    public static bool TryParse(string text, out IArrowType type)
    {
        var name = text.Trim().ToLowerInvariant();
        type = name switch
        {
            "bool" or "boolean" => BooleanType.Default,
            "int8" or "sbyte" => Int8Type.Default,
            "int16" or "short" => Int16Type.Default,
            "int32" or "int" => Int32Type.Default,
            "int64" or "long" => Int64Type.Default,
            "uint8" or "byte" => UInt8Type.Default,
            "uint16" or "ushort" => UInt16Type.Default,
            "uint32" or "uint" => UInt32Type.Default,
            "uint64" or "ulong" => UInt64Type.Default,
            "float16" or "halffloat" or "half" => HalfFloatType.Default,
            "float" or "float32" => FloatType.Default,
            "double" or "float64" => DoubleType.Default,
            "string" or "utf8" => StringType.Default,
            "binary" or "bytes" => BinaryType.Default,
            "date" or "date32" => Date32Type.Default,
            "date64" => Date64Type.Default,
            "timestamp" => new TimestampType(TimeUnit.Microsecond, "UTC"),
            "time" => new Time64Type(TimeUnit.Microsecond),
            _ => null!,
        };
        if (type is not null)
        {
            return true;
        }

        var match = Parameterised().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        var kind = match.Groups["kind"].Value.ToLowerInvariant();
        var args = match.Groups["args"].Value.Split(',', StringSplitOptions.TrimEntries);
        switch (kind)
        {
            case "timestamp" when args.Length is 1 or 2 && TryUnit(args[0], out var unit):
                type = new TimestampType(unit, args.Length == 2 && args[1].Length > 0 ? args[1] : (string?)null);
                return true;
            case "time32" when args.Length == 1 && TryUnit(args[0], out var unit) && unit is TimeUnit.Second or TimeUnit.Millisecond:
                type = new Time32Type(unit);
                return true;
            case "time64" when args.Length == 1 && TryUnit(args[0], out var unit) && unit is TimeUnit.Microsecond or TimeUnit.Nanosecond:
                type = new Time64Type(unit);
                return true;
            case "decimal" or "decimal128" when args.Length == 2
                && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var precision)
                && int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var scale)
                && precision is >= 1 and <= 38 && scale <= precision:
                type = new Decimal128Type(precision, scale);
                return true;
            default:
                return false;
        }
    }

    private static bool TryUnit(string text, out TimeUnit unit)
    {
        switch (text.ToLowerInvariant())
        {
            case "s" or "second":
                unit = TimeUnit.Second;
                return true;
            case "ms" or "millisecond":
                unit = TimeUnit.Millisecond;
                return true;
            case "us" or "µs" or "microsecond":
                unit = TimeUnit.Microsecond;
                return true;
            case "ns" or "nanosecond":
                unit = TimeUnit.Nanosecond;
                return true;
            default:
                unit = default;
                return false;
        }
    }

    [GeneratedRegex(@"^(?<kind>[A-Za-z0-9]+)\s*[\[(]\s*(?<args>[^\])]*)\s*[\])]$")]
    private static partial Regex Parameterised();
}
