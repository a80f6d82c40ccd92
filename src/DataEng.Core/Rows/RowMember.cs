using System.Reflection;
using System.Text.Json;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>The CLR shapes the row mapper understands.</summary>
internal enum RowValueKind
{
    SByte,
    Byte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Boolean,
    Decimal,
    String,
    Binary,
    Char,
    Guid,
    Enum,
    DateTime,
    DateTimeOffset,
    DateOnly,
    TimeOnly,
}

/// <summary>One mapped property of a row type: its column, kind and type parameters. Immutable.</summary>
internal sealed class RowMember
{
    private RowMember(PropertyInfo property, string columnName, RowValueKind kind, Type valueType, bool allowsNull, int order, int declarationIndex)
    {
        Property = property;
        ColumnName = columnName;
        Kind = kind;
        ValueType = valueType;
        AllowsNull = allowsNull;
        Order = order;
        DeclarationIndex = declarationIndex;
    }

    public PropertyInfo Property { get; }

    public Type Type => Property.PropertyType;

    /// <summary>Gets the type without <see cref="Nullable{T}"/>.</summary>
    public Type ValueType { get; }

    public bool IsNullableValueType => Type != ValueType;

    public string ColumnName { get; }

    public RowValueKind Kind { get; }

    /// <summary>Gets whether the property accepts null (a nullable value type, or a reference type not annotated as
    /// non-nullable): decides the nullability of the written field and whether a null read is an error.</summary>
    public bool AllowsNull { get; }

    public int Order { get; }

    public int DeclarationIndex { get; }

    /// <summary>Gets whether the property has a public setter or init accessor.</summary>
    public bool CanSet => Property.SetMethod is { IsPublic: true };

    public IArrowType ArrowType { get; private set; } = NullType.Default;

    public int Precision { get; private set; }

    public int Scale { get; private set; }

    public TimeUnit Unit { get; private set; }

    public string? TimeZone { get; private set; }

    public EnumMapping EnumMapping { get; private set; }

    public GuidMapping GuidMapping { get; private set; }

    public LocalDateTimeHandling LocalDateTimes { get; private set; }

    public bool RoundDecimals { get; private set; }

    /// <summary>Gets <c>Type.Property</c> for messages.</summary>
    public string Display => $"{Property.DeclaringType?.Name}.{Property.Name}";

    /// <summary>Gets the property type as C# spells it, for messages.</summary>
    public string TypeDisplay => RowTypeNames.Display(Type) + (!Type.IsValueType && AllowsNull ? "?" : "");

    public static RowMember[] Discover(Type rowType, RowMappingKey options, List<string> problems)
    {
        var properties = PublicProperties(rowType);
        var nullability = new NullabilityInfoContext();
        var members = new List<RowMember>();
        var index = 0;
        foreach (var property in properties)
        {
            var parameter = FindPrimaryParameter(rowType, property);
            if (property.IsDefined(typeof(ArrowIgnoreAttribute), inherit: true) || parameter?.IsDefined(typeof(ArrowIgnoreAttribute), inherit: true) == true)
            {
                continue;
            }

            var attribute = property.GetCustomAttribute<ArrowColumnAttribute>(inherit: true) ?? parameter?.GetCustomAttribute<ArrowColumnAttribute>(inherit: true);
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var display = $"{property.DeclaringType?.Name}.{property.Name}";
            if (!TryGetKind(valueType, out var kind))
            {
                problems.Add($"property '{display}' has type {RowTypeNames.Display(property.PropertyType)}, which has no Arrow column mapping; " +
                    $"mark it [{nameof(ArrowIgnoreAttribute)[..^9]}] or use one of: {RowTypeNames.Supported}.");
                continue;
            }

            var allowsNull = valueType != property.PropertyType
                || (!valueType.IsValueType && (!options.RespectNullableAnnotations || nullability.Create(property).ReadState != NullabilityState.NotNull));
            var name = attribute?.Name ?? Convert(property.Name, options.NamingConvention);
            if (string.IsNullOrWhiteSpace(name))
            {
                problems.Add($"property '{display}' has an empty column name.");
                continue;
            }

            var member = new RowMember(property, name, kind, valueType, allowsNull, attribute?.Order ?? 0, index++);
            member.Resolve(attribute, options, problems);
            members.Add(member);
        }

        var ordered = members.OrderBy(static m => m.Order).ThenBy(static m => m.DeclarationIndex).ToArray();
        foreach (var duplicate in ordered.GroupBy(static m => m.ColumnName, StringComparer.Ordinal).Where(static g => g.Count() > 1))
        {
            problems.Add($"properties {string.Join(", ", duplicate.Select(static m => $"'{m.Display}'"))} all map to the column '{duplicate.Key}'; give them distinct names with [ArrowColumn(\"...\")].");
        }

        if (ordered.Length == 0 && problems.Count == 0)
        {
            problems.Add($"type '{RowTypeNames.Display(rowType)}' has no public readable properties to map to columns.");
        }

        return ordered;
    }

    /// <summary>Public instance properties with a public getter, base class first, in declaration order; a property
    /// redeclared in a derived class replaces the base one in place.</summary>
    private static List<PropertyInfo> PublicProperties(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            chain.Insert(0, t);
        }

        var result = new List<PropertyInfo>();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in chain)
        {
            var declared = t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(static p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true })
                .OrderBy(static p => p.MetadataToken);
            foreach (var property in declared)
            {
                if (positions.TryGetValue(property.Name, out var position))
                {
                    result[position] = property;
                }
                else
                {
                    positions[property.Name] = result.Count;
                    result.Add(property);
                }
            }
        }

        return result;
    }

    /// <summary>Finds the constructor parameter a positional record declares the property with (same name and type).</summary>
    private static ParameterInfo? FindPrimaryParameter(Type type, PropertyInfo property)
    {
        foreach (var constructor in type.GetConstructors(BindingFlags.Public | BindingFlags.Instance))
        {
            foreach (var parameter in constructor.GetParameters())
            {
                if (parameter.Name == property.Name && parameter.ParameterType == property.PropertyType)
                {
                    return parameter;
                }
            }
        }

        return null;
    }

    private static string Convert(string name, ColumnNamingConvention convention) => convention switch
    {
        ColumnNamingConvention.SnakeCase => JsonNamingPolicy.SnakeCaseLower.ConvertName(name),
        ColumnNamingConvention.CamelCase => JsonNamingPolicy.CamelCase.ConvertName(name),
        _ => name,
    };

    private static bool TryGetKind(Type type, out RowValueKind kind)
    {
        if (type.IsEnum)
        {
            kind = RowValueKind.Enum;
            return true;
        }

        switch (Type.GetTypeCode(type))
        {
            case TypeCode.SByte: kind = RowValueKind.SByte; return true;
            case TypeCode.Byte: kind = RowValueKind.Byte; return true;
            case TypeCode.Int16: kind = RowValueKind.Int16; return true;
            case TypeCode.UInt16: kind = RowValueKind.UInt16; return true;
            case TypeCode.Int32: kind = RowValueKind.Int32; return true;
            case TypeCode.UInt32: kind = RowValueKind.UInt32; return true;
            case TypeCode.Int64: kind = RowValueKind.Int64; return true;
            case TypeCode.UInt64: kind = RowValueKind.UInt64; return true;
            case TypeCode.Single: kind = RowValueKind.Single; return true;
            case TypeCode.Double: kind = RowValueKind.Double; return true;
            case TypeCode.Boolean: kind = RowValueKind.Boolean; return true;
            case TypeCode.Decimal: kind = RowValueKind.Decimal; return true;
            case TypeCode.String: kind = RowValueKind.String; return true;
            case TypeCode.Char: kind = RowValueKind.Char; return true;
            case TypeCode.DateTime: kind = RowValueKind.DateTime; return true;
            default: break;
        }

        (kind, var known) = type switch
        {
            _ when type == typeof(byte[]) => (RowValueKind.Binary, true),
            _ when type == typeof(Guid) => (RowValueKind.Guid, true),
            _ when type == typeof(DateTimeOffset) => (RowValueKind.DateTimeOffset, true),
            _ when type == typeof(DateOnly) => (RowValueKind.DateOnly, true),
            _ when type == typeof(TimeOnly) => (RowValueKind.TimeOnly, true),
            _ => (default, false),
        };
        return known;
    }

    private void Resolve(ArrowColumnAttribute? attribute, RowMappingKey options, List<string> problems)
    {
        EnumMapping = options.Enums;
        GuidMapping = options.Guids;
        LocalDateTimes = options.LocalDateTimes;
        RoundDecimals = options.RoundDecimals;
        Precision = attribute?.HasPrecision == true ? attribute.Precision : options.DecimalPrecision;
        Scale = attribute?.HasScale == true ? attribute.Scale : options.DecimalScale;
        var temporal = Kind is RowValueKind.DateTime or RowValueKind.DateTimeOffset or RowValueKind.TimeOnly;
        if (attribute is not null)
        {
            if ((attribute.HasPrecision || attribute.HasScale) && Kind != RowValueKind.Decimal)
            {
                problems.Add($"property '{Display}' ({TypeDisplay}) sets Precision/Scale, which only apply to decimal properties.");
            }

            if (attribute.HasTimestampUnit && !temporal)
            {
                problems.Add($"property '{Display}' ({TypeDisplay}) sets TimestampUnit, which only applies to DateTime, DateTimeOffset and TimeOnly properties.");
            }

            if (attribute.TimeZone is not null && Kind is not (RowValueKind.DateTime or RowValueKind.DateTimeOffset))
            {
                problems.Add($"property '{Display}' ({TypeDisplay}) sets TimeZone, which only applies to DateTime and DateTimeOffset properties.");
            }

            if (attribute.TimeZone is { Length: 0 })
            {
                problems.Add($"property '{Display}' sets an empty TimeZone; leave it unset or name a zone such as \"UTC\".");
            }
        }

        switch (Kind)
        {
            case RowValueKind.Decimal:
                if (Precision is < 1 or > 38)
                {
                    problems.Add($"property '{Display}' has decimal precision {Precision}; it must be between 1 and 38.");
                }
                else if (Scale < 0 || Scale > Precision)
                {
                    problems.Add($"property '{Display}' has decimal scale {Scale}; it must be between 0 and the precision ({Precision}).");
                }
                else
                {
                    ArrowType = new Decimal128Type(Precision, Scale);
                }

                break;
            case RowValueKind.DateTime or RowValueKind.DateTimeOffset:
                Unit = attribute?.HasTimestampUnit == true ? attribute.TimestampUnit : options.TimestampUnit;
                TimeZone = attribute?.TimeZone ?? (Kind == RowValueKind.DateTime ? options.DateTimeTimeZone : "UTC");
                if (!Enum.IsDefined(Unit))
                {
                    problems.Add($"property '{Display}' has an unknown timestamp unit ({(int)Unit}).");
                }
                else
                {
                    ArrowType = new TimestampType(Unit, TimeZone);
                }

                break;
            case RowValueKind.TimeOnly:
                Unit = attribute?.HasTimestampUnit == true ? attribute.TimestampUnit : TimeUnit.Microsecond;
                if (Unit is not (TimeUnit.Microsecond or TimeUnit.Nanosecond))
                {
                    problems.Add($"property '{Display}' (TimeOnly) has unit {Unit}; time64 columns take Microsecond or Nanosecond.");
                }
                else
                {
                    ArrowType = new Time64Type(Unit);
                }

                break;
            case RowValueKind.Enum:
                ArrowType = EnumMapping == EnumMapping.String ? StringType.Default : ArrowTypes.ForInteger(Enum.GetUnderlyingType(ValueType));
                break;
            case RowValueKind.Guid:
                ArrowType = GuidMapping == GuidMapping.String ? StringType.Default : new FixedSizeBinaryType(16);
                break;
            default:
                ArrowType = ArrowTypes.ForKind(Kind);
                break;
        }
    }
}

/// <summary>C#-style type names for messages.</summary>
internal static class RowTypeNames
{
    public const string Supported = "bool, sbyte, byte, short, ushort, int, uint, long, ulong, float, double, decimal, char, string, byte[], Guid, " +
        "enums, DateTime, DateTimeOffset, DateOnly, TimeOnly (and their nullable forms)";

    public static string Display(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Display(underlying) + "?";
        }

        if (type.IsEnum)
        {
            return type.Name;
        }

        if (type.IsArray)
        {
            return Display(type.GetElementType()!) + "[]";
        }

        if (type.IsGenericType)
        {
            var name = type.Name;
            var tick = name.IndexOf('`', StringComparison.Ordinal);
            return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", type.GetGenericArguments().Select(Display)) + ">";
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "bool",
            TypeCode.SByte => "sbyte",
            TypeCode.Byte => "byte",
            TypeCode.Int16 => "short",
            TypeCode.UInt16 => "ushort",
            TypeCode.Int32 => "int",
            TypeCode.UInt32 => "uint",
            TypeCode.Int64 => "long",
            TypeCode.UInt64 => "ulong",
            TypeCode.Single => "float",
            TypeCode.Double => "double",
            TypeCode.Decimal => "decimal",
            TypeCode.Char => "char",
            TypeCode.String => "string",
            TypeCode.Object when type == typeof(object) => "object",
            _ => type.Name,
        };
    }
}
