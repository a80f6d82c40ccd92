using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>The physical layouts the kernels can copy.</summary>
internal enum Layout
{
    /// <summary>Not supported by the kernels yet.</summary>
    Unsupported,

    /// <summary>Validity bitmap + values bitmap (boolean).</summary>
    Bitmap,

    /// <summary>Validity bitmap + fixed-width values.</summary>
    FixedWidth,

    /// <summary>Validity bitmap + int32 offsets + bytes (string, binary).</summary>
    VarBinary,
}

/// <summary>Which Arrow types which kernels support.</summary>
/// <remarks>
/// Structural kernels (take, filter, slice, concatenate) copy any type with a supported <see cref="Layout"/>.
/// Value kernels (comparisons, casts, lambdas, hashing) support the types of <see cref="IsValueSupported"/>.
/// </remarks>
internal static class KernelTypes
{
    /// <summary>The types value kernels support, as shown in messages.</summary>
    public const string ValueTypesText = "bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float, double, decimal128, string, binary, date32, timestamp";

    /// <summary>Returns the physical layout of a type, or <see cref="Layout.Unsupported"/>.</summary>
    public static Layout GetLayout(IArrowType type, out int byteWidth)
    {
        byteWidth = 0;
        switch (type.TypeId)
        {
            case ArrowTypeId.Boolean:
                return Layout.Bitmap;
            case ArrowTypeId.String:
            case ArrowTypeId.Binary:
                return Layout.VarBinary;
            case ArrowTypeId.Int8:
            case ArrowTypeId.UInt8:
            case ArrowTypeId.Int16:
            case ArrowTypeId.UInt16:
            case ArrowTypeId.HalfFloat:
            case ArrowTypeId.Int32:
            case ArrowTypeId.UInt32:
            case ArrowTypeId.Float:
            case ArrowTypeId.Date32:
            case ArrowTypeId.Time32:
            case ArrowTypeId.Int64:
            case ArrowTypeId.UInt64:
            case ArrowTypeId.Double:
            case ArrowTypeId.Date64:
            case ArrowTypeId.Time64:
            case ArrowTypeId.Timestamp:
            case ArrowTypeId.Duration:
            case ArrowTypeId.Interval:
            case ArrowTypeId.Decimal32:
            case ArrowTypeId.Decimal64:
            case ArrowTypeId.Decimal128:
            case ArrowTypeId.Decimal256:
            case ArrowTypeId.FixedSizedBinary:
                var bits = ((FixedWidthType)type).BitWidth;
                if (bits <= 0 || bits % 8 != 0)
                {
                    return Layout.Unsupported;
                }

                byteWidth = bits / 8;
                return Layout.FixedWidth;
            default:
                return Layout.Unsupported;
        }
    }

    /// <summary>Returns whether comparisons, casts, lambdas and hashing support the type.</summary>
    public static bool IsValueSupported(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Boolean or ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64
            or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64
            or ArrowTypeId.Float or ArrowTypeId.Double or ArrowTypeId.Decimal128 or ArrowTypeId.String
            or ArrowTypeId.Binary or ArrowTypeId.Date32 or ArrowTypeId.Timestamp => true,
        _ => false,
    };

    public static bool IsInteger(ArrowTypeId id) => id is ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64
        or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64;

    public static bool IsFloatingPoint(ArrowTypeId id) => id is ArrowTypeId.Float or ArrowTypeId.Double;

    public static bool IsNumeric(ArrowTypeId id) => IsInteger(id) || IsFloatingPoint(id) || id == ArrowTypeId.Decimal128;

    /// <summary>Says why a type cannot be used by a value kernel (for schema problems).</summary>
    public static string ValueUnsupported(string column, IArrowType type, string operation)
        => $"column '{column}' has type {SchemaText.Describe(type)}, which {operation} does not support yet (supported: {ValueTypesText})";

    /// <summary>Says why a type cannot be copied by a structural kernel.</summary>
    public static string LayoutUnsupported(string column, IArrowType type)
        => $"column '{column}' has type {SchemaText.Describe(type)}, which the kernels cannot copy yet (nested, dictionary, view, large and union types are not supported)";
}
