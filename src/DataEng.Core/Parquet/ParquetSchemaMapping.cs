using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Parquet.Meta;
using Parquet.Schema;
using ArrowTimeUnit = Apache.Arrow.Types.TimeUnit;
using Field = Apache.Arrow.Field;
using TimestampType = Apache.Arrow.Types.TimestampType;
using StringType = Apache.Arrow.Types.StringType;
using ParquetType = Parquet.Meta.Type;

namespace DataEng.Core.ParquetFormat;

/// <summary>How one column is stored: the Arrow type on one side, the Parquet physical column on the other.</summary>
internal enum ParquetColumnKind
{
    Boolean,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float,
    Double,

    /// <summary>decimal128 with precision ≤ 9, stored as INT32 unscaled values.</summary>
    DecimalInt32,

    /// <summary>decimal128 with precision ≤ 18, stored as INT64 unscaled values.</summary>
    DecimalInt64,

    /// <summary>decimal128 stored as big-endian two's complement bytes (FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY).</summary>
    DecimalBytes,
    String,
    Binary,
    Date32,
    Timestamp,
}

/// <summary>One column of a Parquet file mapped to an Arrow field.</summary>
internal sealed class ParquetColumn
{
    public ParquetColumn(int index, Field arrowField, ParquetColumnKind kind, DataField? parquetField = null)
    {
        Index = index;
        ArrowField = arrowField;
        Kind = kind;
        ParquetField = parquetField;
    }

    /// <summary>Gets the position among the file's leaf columns (and in the Arrow schema when writing).</summary>
    public int Index { get; }

    public Field ArrowField { get; }

    public string Name => ArrowField.Name;

    public ParquetColumnKind Kind { get; }

    /// <summary>Gets the Parquet.Net field through which the reader's fallback reads the physical values of a column
    /// its own decoder does not handle (see <see cref="ArrowParquetReader"/>), or <see langword="null"/> for a column
    /// being written.</summary>
    public DataField? ParquetField { get; }

    /// <summary>Gets the factor from an Arrow timestamp value to the stored one (1000 for seconds stored as
    /// milliseconds, otherwise 1).</summary>
    public long TimestampScale { get; init; } = 1;

    /// <summary>Gets the byte width of a FIXED_LEN_BYTE_ARRAY decimal, or 0 for BYTE_ARRAY.</summary>
    public int FixedLength { get; init; }

    /// <summary>Gets the byte width of one stored value when reading (0 for BYTE_ARRAY), which bounds how large a page
    /// of this column can plausibly be.</summary>
    public int PhysicalWidth { get; init; }
}

/// <summary>
/// Maps Arrow schemas to Parquet schemas and back. Used by <see cref="ArrowParquetWriter"/> and
/// <see cref="ArrowParquetReader"/> so both sides agree on every type.
/// </summary>
/// <remarks>
/// The writer's footer (<see cref="ArrowParquetWriter"/>) derives each column's physical, converted and logical types
/// from its <see cref="ParquetColumnKind"/>. Arrow details Parquet cannot carry (a timestamp in seconds, a time zone name) are kept in the key/value metadata
/// under <see cref="ArrowTypesKey"/> and restored by the reader.
/// </remarks>
internal static class ParquetSchemaMapping
{
    /// <summary>The key/value metadata key holding Arrow type details per column (JSON).</summary>
    public const string ArrowTypesKey = "dataeng.arrow.types";

    /// <summary>The Arrow types the writer supports, for messages.</summary>
    public const string SupportedTypes = "bool, int8/16/32/64, uint8/16/32/64, float, double, decimal128(p ≤ 38, s), string, binary, date32, timestamp[s|ms|us|ns] with or without time zone";

    public static ParquetColumn[] ForWrite(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var problems = new List<string>();
        var columns = new ParquetColumn[schema.FieldsList.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            var field = schema.FieldsList[i];
            if (string.IsNullOrEmpty(field.Name))
            {
                problems.Add($"column {i} has no name");
                continue;
            }

            if (!names.Add(field.Name))
            {
                problems.Add($"column '{field.Name}' appears more than once");
                continue;
            }

            var column = ForWrite(i, field);
            if (column is null)
            {
                problems.Add($"column '{field.Name}' has type {SchemaText.Describe(field.DataType)}, which cannot be written to Parquet (supported: {SupportedTypes})");
            }
            else
            {
                columns[i] = column;
            }
        }

        SchemaMismatchException.ThrowIfAny("The schema cannot be written to Parquet.", problems);
        return columns;
    }

    private static ParquetColumn? ForWrite(int index, Field field) => field.DataType switch
    {
        BooleanType => new(index, field, ParquetColumnKind.Boolean),
        Int8Type => new(index, field, ParquetColumnKind.Int8),
        UInt8Type => new(index, field, ParquetColumnKind.UInt8),
        Int16Type => new(index, field, ParquetColumnKind.Int16),
        UInt16Type => new(index, field, ParquetColumnKind.UInt16),
        Int32Type => new(index, field, ParquetColumnKind.Int32),
        UInt32Type => new(index, field, ParquetColumnKind.UInt32),
        Int64Type => new(index, field, ParquetColumnKind.Int64),
        UInt64Type => new(index, field, ParquetColumnKind.UInt64),
        FloatType => new(index, field, ParquetColumnKind.Float),
        DoubleType => new(index, field, ParquetColumnKind.Double),
        StringType => new(index, field, ParquetColumnKind.String),
        BinaryType => new(index, field, ParquetColumnKind.Binary),
        Date32Type => new(index, field, ParquetColumnKind.Date32),
        TimestampType t => new(index, field, ParquetColumnKind.Timestamp) { TimestampScale = t.Unit == ArrowTimeUnit.Second ? 1000 : 1 },
        Decimal128Type d when d.Precision is >= 1 and <= 38 && d.Scale >= 0 && d.Scale <= d.Precision => d.Precision switch
        {
            <= 9 => new(index, field, ParquetColumnKind.DecimalInt32),
            <= 18 => new(index, field, ParquetColumnKind.DecimalInt64),
            // Big-endian two's complement of the unscaled value in FIXED_LEN_BYTE_ARRAY(16).
            _ => new(index, field, ParquetColumnKind.DecimalBytes) { FixedLength = 16 },
        },
        _ => null,
    };

    /// <summary>Builds the key/value entry that lets the reader restore Arrow details Parquet cannot carry.</summary>
    /// <returns>The JSON value, or <see langword="null"/> when no column needs it.</returns>
    public static string? ArrowTypesMetadata(IReadOnlyList<ParquetColumn> columns)
    {
        using var buffer = new MemoryStream();
        var any = false;
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var column in columns)
            {
                if (column.ArrowField.DataType is TimestampType t && (t.Unit == ArrowTimeUnit.Second || !string.IsNullOrEmpty(t.Timezone) && t.Timezone != "UTC"))
                {
                    any = true;
                    json.WriteStartObject(column.Name);
                    json.WriteString("type", "timestamp");
                    json.WriteString("unit", UnitText(t.Unit));
                    if (!string.IsNullOrEmpty(t.Timezone))
                    {
                        json.WriteString("tz", t.Timezone);
                    }

                    json.WriteEndObject();
                }
            }

            json.WriteEndObject();
        }

        return any ? System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) : null;
    }

    private static string UnitText(ArrowTimeUnit unit) => unit switch
    {
        ArrowTimeUnit.Second => "s",
        ArrowTimeUnit.Millisecond => "ms",
        ArrowTimeUnit.Microsecond => "us",
        _ => "ns",
    };

    /// <summary>The result of mapping a file's schema: the readable columns and the reasons the others are not.</summary>
    public sealed record ReadMapping(IReadOnlyList<ParquetColumn> Columns, IReadOnlyDictionary<string, string> Unsupported, Schema Schema);

    /// <summary>Maps the leaf columns of a file to Arrow fields.</summary>
    /// <param name="elements">The file's flattened schema (root first).</param>
    /// <param name="metadata">The file's key/value metadata.</param>
    /// <returns>The mapping.</returns>
    /// <exception cref="InvalidDataException">The schema tree is malformed.</exception>
    public static ReadMapping ForRead(IReadOnlyList<SchemaElement> elements, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(elements);
        if (elements.Count == 0 || elements[0].NumChildren is null or < 0)
        {
            throw new InvalidDataException("the schema has no root element");
        }

        var overrides = ParseArrowTypes(metadata);
        var columns = new List<ParquetColumn>();
        var fields = new List<Field>();
        var unsupported = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var leafIndex = 0;
        var position = 1;
        var rootChildren = elements[0].NumChildren!.Value;
        for (var child = 0; child < rootChildren; child++)
        {
            if (position >= elements.Count)
            {
                throw new InvalidDataException($"the schema declares {rootChildren} columns but has only {elements.Count - 1} elements");
            }

            var element = elements[position];
            var name = element.Name ?? string.Empty;
            if (element.NumChildren is > 0)
            {
                // A group (struct, list, map): skip the whole subtree and report it.
                var leaves = SkipGroup(elements, ref position);
                unsupported[name] = "nested columns (struct, list, map) are not supported";
                leafIndex += leaves;
                continue;
            }

            position++;
            if (!names.Add(name))
            {
                throw new InvalidDataException($"the column name '{name}' appears more than once");
            }

            if (element.RepetitionType == FieldRepetitionType.REPEATED)
            {
                unsupported[name] = "repeated columns are not supported";
                leafIndex++;
                continue;
            }

            var column = ForRead(leafIndex, element, overrides.TryGetValue(name, out var over) ? over : null, out var reason);
            if (column is null)
            {
                unsupported[name] = reason!;
            }
            else
            {
                columns.Add(column);
                fields.Add(column.ArrowField);
            }

            leafIndex++;
        }

        if (position != elements.Count)
        {
            throw new InvalidDataException($"the schema has {elements.Count - position} elements outside the column tree");
        }

        // Parquet.Net reads a column only through a field attached to a schema; this private schema holds the fields
        // that describe the physical values.
        if (columns.Count > 0)
        {
            _ = new ParquetSchema(columns.Select(static c => (Parquet.Schema.Field)c.ParquetField!));
        }

        return new ReadMapping(columns, unsupported, new Schema(fields, null));
    }

    private static int SkipGroup(IReadOnlyList<SchemaElement> elements, ref int position)
    {
        // Iterative walk of a subtree in the depth-first flattened schema.
        var leaves = 0;
        var pending = 1;
        while (pending > 0)
        {
            if (position >= elements.Count)
            {
                throw new InvalidDataException("the schema tree is truncated");
            }

            var children = elements[position].NumChildren ?? 0;
            if (children < 0 || children > elements.Count)
            {
                throw new InvalidDataException($"the schema element '{elements[position].Name}' declares {children} children");
            }

            position++;
            pending--;
            if (children == 0)
            {
                leaves++;
            }
            else
            {
                pending += children;
            }
        }

        return leaves;
    }

    private static ParquetColumn? ForRead(int index, SchemaElement e, (ArrowTimeUnit Unit, string? Zone)? over, out string? reason)
    {
        reason = null;
        var name = e.Name ?? string.Empty;
        var nullable = e.RepetitionType != FieldRepetitionType.REQUIRED;
        var logical = e.LogicalType;
        var converted = e.ConvertedType;

        var width = e.Type switch
        {
            ParquetType.BOOLEAN => 1,
            ParquetType.INT32 or ParquetType.FLOAT => 4,
            ParquetType.INT64 or ParquetType.DOUBLE => 8,
            ParquetType.INT96 => 12,
            ParquetType.FIXED_LEN_BYTE_ARRAY => Math.Max(e.TypeLength ?? 0, 0),
            _ => 0,
        };

        ParquetColumn Make(IArrowType type, ParquetColumnKind kind, DataField physical, int fixedLength = 0, long scale = 1)
            => new(index, new Field(name, type, nullable), kind, physical) { FixedLength = fixedLength, TimestampScale = scale, PhysicalWidth = width };

        if (logical?.DECIMAL is not null || converted == ConvertedType.DECIMAL)
        {
            var precision = logical?.DECIMAL?.Precision ?? e.Precision ?? 0;
            var scale = logical?.DECIMAL?.Scale ?? e.Scale ?? 0;
            if (precision is < 1 or > 38 || scale < 0 || scale > precision)
            {
                reason = $"decimal({precision}, {scale}) does not fit decimal128";
                return null;
            }

            var type = new Decimal128Type(precision, scale);
            switch (e.Type)
            {
                case ParquetType.INT32:
                    return Make(type, ParquetColumnKind.DecimalInt32, new DataField<int>(name, nullable));
                case ParquetType.INT64:
                    return Make(type, ParquetColumnKind.DecimalInt64, new DataField<long>(name, nullable));
                case ParquetType.FIXED_LEN_BYTE_ARRAY when e.TypeLength is >= 1 and <= 16:
                    return Make(type, ParquetColumnKind.DecimalBytes, new DataField<byte[]>(name, nullable), e.TypeLength.Value);
                case ParquetType.BYTE_ARRAY:
                    return Make(type, ParquetColumnKind.DecimalBytes, new DataField<byte[]>(name, nullable));
                default:
                    reason = $"decimal stored as {e.Type}{(e.TypeLength is { } l ? $"({l})" : "")} is not supported";
                    return null;
            }
        }

        switch (e.Type)
        {
            case ParquetType.BOOLEAN:
                return Make(BooleanType.Default, ParquetColumnKind.Boolean, new DataField<bool>(name, nullable));
            case ParquetType.INT32:
                if (logical?.DATE is not null || converted == ConvertedType.DATE)
                {
                    return Make(Date32Type.Default, ParquetColumnKind.Date32, new DataField<int>(name, nullable));
                }

                if (logical?.TIME is not null || converted is ConvertedType.TIME_MILLIS)
                {
                    reason = "time-of-day columns are not supported";
                    return null;
                }

                var (width32, signed32) = IntegerOf(e, 32);
                return (width32, signed32) switch
                {
                    (8, true) => Make(Int8Type.Default, ParquetColumnKind.Int8, new DataField<int>(name, nullable)),
                    (8, false) => Make(UInt8Type.Default, ParquetColumnKind.UInt8, new DataField<int>(name, nullable)),
                    (16, true) => Make(Int16Type.Default, ParquetColumnKind.Int16, new DataField<int>(name, nullable)),
                    (16, false) => Make(UInt16Type.Default, ParquetColumnKind.UInt16, new DataField<int>(name, nullable)),
                    (32, false) => Make(UInt32Type.Default, ParquetColumnKind.UInt32, new DataField<int>(name, nullable)),
                    _ => Make(Int32Type.Default, ParquetColumnKind.Int32, new DataField<int>(name, nullable)),
                };
            case ParquetType.INT64:
                if (logical?.TIMESTAMP is { } ts)
                {
                    var unit = ts.Unit?.MILLIS is not null ? ArrowTimeUnit.Millisecond
                        : ts.Unit?.MICROS is not null ? ArrowTimeUnit.Microsecond
                        : ts.Unit?.NANOS is not null ? ArrowTimeUnit.Nanosecond
                        : (ArrowTimeUnit?)null;
                    if (unit is null)
                    {
                        reason = "the timestamp has no unit";
                        return null;
                    }

                    return Timestamp(unit.Value, ts.IsAdjustedToUTC);
                }

                if (converted is ConvertedType.TIMESTAMP_MILLIS or ConvertedType.TIMESTAMP_MICROS)
                {
                    return Timestamp(converted == ConvertedType.TIMESTAMP_MILLIS ? ArrowTimeUnit.Millisecond : ArrowTimeUnit.Microsecond, utc: true);
                }

                if (logical?.TIME is not null || converted is ConvertedType.TIME_MICROS)
                {
                    reason = "time-of-day columns are not supported";
                    return null;
                }

                var (_, signed64) = IntegerOf(e, 64);
                return signed64
                    ? Make(Int64Type.Default, ParquetColumnKind.Int64, new DataField<long>(name, nullable))
                    : Make(UInt64Type.Default, ParquetColumnKind.UInt64, new DataField<long>(name, nullable));
            case ParquetType.INT96:
                reason = "INT96 timestamps (legacy Impala/Spark encoding) are not supported; rewrite the file with INT64 timestamps (Spark: spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS)";
                return null;
            case ParquetType.FLOAT:
                if (logical?.FLOAT16 is not null)
                {
                    reason = "float16 columns are not supported";
                    return null;
                }

                return Make(FloatType.Default, ParquetColumnKind.Float, new DataField<float>(name, nullable));
            case ParquetType.DOUBLE:
                return Make(DoubleType.Default, ParquetColumnKind.Double, new DataField<double>(name, nullable));
            case ParquetType.BYTE_ARRAY:
                if (logical?.STRING is not null || logical?.ENUM is not null || logical?.JSON is not null || converted is ConvertedType.UTF8 or ConvertedType.ENUM or ConvertedType.JSON)
                {
                    return Make(StringType.Default, ParquetColumnKind.String, new DataField<byte[]>(name, nullable));
                }

                return Make(BinaryType.Default, ParquetColumnKind.Binary, new DataField<byte[]>(name, nullable));
            case ParquetType.FIXED_LEN_BYTE_ARRAY:
                reason = $"fixed-length byte arrays ({(logical?.UUID is not null ? "uuid" : $"length {e.TypeLength}")}) are not supported";
                return null;
            default:
                reason = $"the physical type {e.Type?.ToString() ?? "(none)"} is not supported";
                return null;
        }

        ParquetColumn Timestamp(ArrowTimeUnit unit, bool utc)
        {
            var zone = utc ? "UTC" : null;
            long scale = 1;
            if (over is { } o)
            {
                // Restore what Arrow had before writing, when it is consistent with what the file stores.
                if (o.Unit == ArrowTimeUnit.Second && unit == ArrowTimeUnit.Millisecond)
                {
                    unit = ArrowTimeUnit.Second;
                    scale = 1000;
                }

                if (utc && !string.IsNullOrEmpty(o.Zone))
                {
                    zone = o.Zone;
                }
            }

            return Make(new TimestampType(unit, zone), ParquetColumnKind.Timestamp, new DataField<long>(name, nullable), scale: scale);
        }
    }

    private static (int Width, bool Signed) IntegerOf(SchemaElement e, int physicalWidth)
    {
        if (e.LogicalType?.INTEGER is { } integer)
        {
            return (integer.BitWidth, integer.IsSigned);
        }

        return e.ConvertedType switch
        {
            ConvertedType.INT_8 => (8, true),
            ConvertedType.UINT_8 => (8, false),
            ConvertedType.INT_16 => (16, true),
            ConvertedType.UINT_16 => (16, false),
            ConvertedType.INT_32 => (32, true),
            ConvertedType.UINT_32 => (32, false),
            ConvertedType.INT_64 => (64, true),
            ConvertedType.UINT_64 => (64, false),
            _ => (physicalWidth, true),
        };
    }

    private static Dictionary<string, (ArrowTimeUnit Unit, string? Zone)> ParseArrowTypes(IReadOnlyDictionary<string, string> metadata)
    {
        var result = new Dictionary<string, (ArrowTimeUnit, string?)>(StringComparer.Ordinal);
        if (!metadata.TryGetValue(ArrowTypesKey, out var text) || string.IsNullOrEmpty(text))
        {
            return result;
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return result;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value;
                if (value.ValueKind != JsonValueKind.Object
                    || !value.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "timestamp"
                    || !value.TryGetProperty("unit", out var unitText) || unitText.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                ArrowTimeUnit? unit = unitText.GetString() switch
                {
                    "s" => ArrowTimeUnit.Second,
                    "ms" => ArrowTimeUnit.Millisecond,
                    "us" => ArrowTimeUnit.Microsecond,
                    "ns" => ArrowTimeUnit.Nanosecond,
                    _ => null,
                };
                if (unit is null)
                {
                    continue;
                }

                var zone = value.TryGetProperty("tz", out var tz) && tz.ValueKind == JsonValueKind.String ? tz.GetString() : null;
                result[property.Name] = (unit.Value, zone);
            }
        }
        catch (JsonException)
        {
            // Foreign or damaged metadata only loses the Arrow refinements; the Parquet types still apply.
        }

        return result;
    }
}
