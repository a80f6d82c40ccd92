using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>How CLR types used in lambdas map to Arrow types.</summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>CLR type</term><description>Arrow type (output default) and columns it can read</description></listheader>
/// <item><term>bool</term><description>bool</description></item>
/// <item><term>sbyte, short, int, long</term><description>int8..int64; reads any integer column that fits without loss</description></item>
/// <item><term>byte, ushort, uint, ulong</term><description>uint8..uint64; reads unsigned columns that fit</description></item>
/// <item><term>float</term><description>float; reads float, int8/16, uint8/16</description></item>
/// <item><term>double</term><description>double; reads any numeric column (decimal128 and 64-bit integers approximately)</description></item>
/// <item><term>decimal</term><description>decimal128(38, 18); reads decimal128 and integer columns</description></item>
/// <item><term>string</term><description>string (UTF-8)</description></item>
/// <item><term>byte[]</term><description>binary</description></item>
/// <item><term>DateOnly</term><description>date32</description></item>
/// <item><term>DateTime</term><description>timestamp[us] without zone; reads timestamp and date32</description></item>
/// <item><term>DateTimeOffset</term><description>timestamp[us, UTC]; reads timestamp (always with offset 0)</description></item>
/// </list>
/// <c>Nullable&lt;T&gt;</c> of a value type maps like T and lets a lambda see (input) or produce (output) nulls.
/// </remarks>
internal static class ClrTypes
{
    /// <summary>The decimal128 type a <see cref="decimal"/> output gets by default.</summary>
    public static readonly Decimal128Type DefaultDecimal = new(38, 18);

    /// <summary>The timestamp type a <see cref="DateTime"/> output gets by default.</summary>
    public static readonly TimestampType DefaultDateTime = new(TimeUnit.Microsecond, (string?)null);

    /// <summary>The timestamp type a <see cref="DateTimeOffset"/> output gets by default.</summary>
    public static readonly TimestampType DefaultDateTimeOffset = new(TimeUnit.Microsecond, "UTC");

    /// <summary>Returns the underlying type of a <c>Nullable&lt;T&gt;</c>, or the type itself.</summary>
    public static Type Underlying(Type type, out bool nullable)
    {
        var inner = Nullable.GetUnderlyingType(type);
        nullable = inner is not null;
        return inner ?? type;
    }

    /// <summary>Returns the Arrow type a CLR output type maps to by default, or null if unsupported.</summary>
    public static IArrowType? NaturalArrowType(Type type)
    {
        type = Underlying(type, out _);
        return type switch
        {
            _ when type == typeof(bool) => BooleanType.Default,
            _ when type == typeof(sbyte) => Int8Type.Default,
            _ when type == typeof(short) => Int16Type.Default,
            _ when type == typeof(int) => Int32Type.Default,
            _ when type == typeof(long) => Int64Type.Default,
            _ when type == typeof(byte) => UInt8Type.Default,
            _ when type == typeof(ushort) => UInt16Type.Default,
            _ when type == typeof(uint) => UInt32Type.Default,
            _ when type == typeof(ulong) => UInt64Type.Default,
            _ when type == typeof(float) => FloatType.Default,
            _ when type == typeof(double) => DoubleType.Default,
            _ when type == typeof(decimal) => DefaultDecimal,
            _ when type == typeof(string) => StringType.Default,
            _ when type == typeof(byte[]) => BinaryType.Default,
            _ when type == typeof(DateOnly) => Date32Type.Default,
            _ when type == typeof(DateTime) => DefaultDateTime,
            _ when type == typeof(DateTimeOffset) => DefaultDateTimeOffset,
            _ => null,
        };
    }

    /// <summary>Returns the CLR type of the values of a physical numeric Arrow type, or null.</summary>
    public static Type? PhysicalNumeric(ArrowTypeId id) => id switch
    {
        ArrowTypeId.Int8 => typeof(sbyte),
        ArrowTypeId.Int16 => typeof(short),
        ArrowTypeId.Int32 => typeof(int),
        ArrowTypeId.Int64 => typeof(long),
        ArrowTypeId.UInt8 => typeof(byte),
        ArrowTypeId.UInt16 => typeof(ushort),
        ArrowTypeId.UInt32 => typeof(uint),
        ArrowTypeId.UInt64 => typeof(ulong),
        ArrowTypeId.Float => typeof(float),
        ArrowTypeId.Double => typeof(double),
        _ => null,
    };

    /// <summary>Returns whether values of an Arrow column can be handed to a lambda as <paramref name="clr"/>
    /// (the underlying type for nullables).</summary>
    public static bool CanRead(IArrowType arrow, Type clr)
    {
        var id = arrow.TypeId;
        if (clr == typeof(double))
        {
            return KernelTypes.IsNumeric(id);
        }

        if (clr == typeof(decimal))
        {
            return id == ArrowTypeId.Decimal128 || KernelTypes.IsInteger(id);
        }

        if (clr == typeof(float))
        {
            return id is ArrowTypeId.Float or ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16;
        }

        if (IntegerRank(clr) is { } target)
        {
            return IntegerRank(PhysicalNumeric(id)) is { } source && Widens(source, target);
        }

        return id switch
        {
            ArrowTypeId.Boolean => clr == typeof(bool),
            ArrowTypeId.String => clr == typeof(string),
            ArrowTypeId.Binary => clr == typeof(byte[]),
            ArrowTypeId.Date32 => clr == typeof(DateOnly) || clr == typeof(DateTime),
            ArrowTypeId.Timestamp => clr == typeof(DateTimeOffset) || clr == typeof(DateTime),
            _ => false,
        };
    }

    /// <summary>A short C#-style name for messages.</summary>
    public static string Describe(Type type)
    {
        var inner = Nullable.GetUnderlyingType(type);
        if (inner is not null)
        {
            return Describe(inner) + "?";
        }

        return type switch
        {
            _ when type == typeof(bool) => "bool",
            _ when type == typeof(sbyte) => "sbyte",
            _ when type == typeof(short) => "short",
            _ when type == typeof(int) => "int",
            _ when type == typeof(long) => "long",
            _ when type == typeof(byte) => "byte",
            _ when type == typeof(ushort) => "ushort",
            _ when type == typeof(uint) => "uint",
            _ when type == typeof(ulong) => "ulong",
            _ when type == typeof(float) => "float",
            _ when type == typeof(double) => "double",
            _ when type == typeof(decimal) => "decimal",
            _ when type == typeof(string) => "string",
            _ when type == typeof(byte[]) => "byte[]",
            _ => type.Name,
        };
    }

    /// <summary>The CLR types a column of this Arrow type can be read as, for messages.</summary>
    public static string ReadableAs(IArrowType arrow)
    {
        var candidates = new[]
        {
            typeof(bool), typeof(sbyte), typeof(short), typeof(int), typeof(long), typeof(byte), typeof(ushort), typeof(uint), typeof(ulong),
            typeof(float), typeof(double), typeof(decimal), typeof(string), typeof(byte[]), typeof(DateOnly), typeof(DateTime), typeof(DateTimeOffset),
        };
        var names = candidates.Where(c => CanRead(arrow, c)).Select(Describe).ToArray();
        return names.Length == 0 ? "nothing (not supported yet)" : string.Join(", ", names);
    }

    // Integer ranks: (signed, bytes).
    private static (bool Signed, int Bytes)? IntegerRank(Type? type) => type switch
    {
        _ when type == typeof(sbyte) => (true, 1),
        _ when type == typeof(short) => (true, 2),
        _ when type == typeof(int) => (true, 4),
        _ when type == typeof(long) => (true, 8),
        _ when type == typeof(byte) => (false, 1),
        _ when type == typeof(ushort) => (false, 2),
        _ when type == typeof(uint) => (false, 4),
        _ when type == typeof(ulong) => (false, 8),
        _ => null,
    };

    private static bool Widens((bool Signed, int Bytes) source, (bool Signed, int Bytes) target)
        => source.Signed == target.Signed ? target.Bytes >= source.Bytes : !source.Signed && target.Bytes > source.Bytes;
}
