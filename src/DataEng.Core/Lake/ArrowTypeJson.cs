using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Writes and reads Arrow schemas as JSON objects (types with units, time zones, precision and children).</summary>
internal static class ArrowTypeJson
{
    public static void WriteSchema(Utf8JsonWriter writer, Schema schema)
    {
        writer.WriteStartArray();
        foreach (var field in schema.FieldsList)
        {
            WriteField(writer, field);
        }

        writer.WriteEndArray();
    }

    public static void WriteField(Utf8JsonWriter writer, Field field)
    {
        writer.WriteStartObject();
        writer.WriteString("name", field.Name);
        writer.WriteBoolean("nullable", field.IsNullable);
        writer.WritePropertyName("type");
        WriteType(writer, field.DataType);
        writer.WriteEndObject();
    }

    public static void WriteType(Utf8JsonWriter writer, IArrowType type)
    {
        writer.WriteStartObject();
        switch (type)
        {
            case TimestampType t:
                writer.WriteString("id", "timestamp");
                writer.WriteString("unit", Unit(t.Unit));
                if (!string.IsNullOrEmpty(t.Timezone))
                {
                    writer.WriteString("timeZone", t.Timezone);
                }

                break;
            case Time32Type t:
                writer.WriteString("id", "time32");
                writer.WriteString("unit", Unit(t.Unit));
                break;
            case Time64Type t:
                writer.WriteString("id", "time64");
                writer.WriteString("unit", Unit(t.Unit));
                break;
            case DurationType t:
                writer.WriteString("id", "duration");
                writer.WriteString("unit", Unit(t.Unit));
                break;
            case Decimal128Type d:
                writer.WriteString("id", "decimal128");
                writer.WriteNumber("precision", d.Precision);
                writer.WriteNumber("scale", d.Scale);
                break;
            case Decimal256Type d:
                writer.WriteString("id", "decimal256");
                writer.WriteNumber("precision", d.Precision);
                writer.WriteNumber("scale", d.Scale);
                break;
            case FixedSizeBinaryType f:
                writer.WriteString("id", "fixed_size_binary");
                writer.WriteNumber("byteWidth", f.ByteWidth);
                break;
            case ListType l:
                writer.WriteString("id", "list");
                writer.WritePropertyName("item");
                WriteField(writer, l.ValueField);
                break;
            case StructType s:
                writer.WriteString("id", "struct");
                writer.WritePropertyName("fields");
                writer.WriteStartArray();
                foreach (var f in s.Fields)
                {
                    WriteField(writer, f);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteString("id", SimpleName(type));
                break;
        }

        writer.WriteEndObject();
    }

    public static Schema ReadSchema(JsonElement array)
    {
        var builder = new Schema.Builder();
        foreach (var element in array.EnumerateArray())
        {
            builder.Field(ReadField(element));
        }

        return builder.Build();
    }

    public static Field ReadField(JsonElement element)
    {
        var name = element.GetProperty("name").GetString() ?? throw new FormatException("A field has no name.");
        var nullable = element.GetProperty("nullable").GetBoolean();
        return new Field(name, ReadType(element.GetProperty("type")), nullable);
    }

    public static IArrowType ReadType(JsonElement element)
    {
        var id = element.GetProperty("id").GetString();
        return id switch
        {
            "null" => NullType.Default,
            "bool" => BooleanType.Default,
            "int8" => Int8Type.Default,
            "int16" => Int16Type.Default,
            "int32" => Int32Type.Default,
            "int64" => Int64Type.Default,
            "uint8" => UInt8Type.Default,
            "uint16" => UInt16Type.Default,
            "uint32" => UInt32Type.Default,
            "uint64" => UInt64Type.Default,
            "halffloat" => HalfFloatType.Default,
            "float" => FloatType.Default,
            "double" => DoubleType.Default,
            "utf8" => StringType.Default,
            "binary" => BinaryType.Default,
            "date32" => Date32Type.Default,
            "date64" => Date64Type.Default,
            "timestamp" => new TimestampType(ParseUnit(element), element.TryGetProperty("timeZone", out var tz) ? tz.GetString() : null),
            "time32" => new Time32Type(ParseUnit(element)),
            "time64" => new Time64Type(ParseUnit(element)),
            "duration" => DurationType.FromTimeUnit(ParseUnit(element)),
            "decimal128" => new Decimal128Type(element.GetProperty("precision").GetInt32(), element.GetProperty("scale").GetInt32()),
            "decimal256" => new Decimal256Type(element.GetProperty("precision").GetInt32(), element.GetProperty("scale").GetInt32()),
            "fixed_size_binary" => new FixedSizeBinaryType(element.GetProperty("byteWidth").GetInt32()),
            "list" => new ListType(ReadField(element.GetProperty("item"))),
            "struct" => new StructType(element.GetProperty("fields").EnumerateArray().Select(ReadField).ToList()),
            _ => throw new FormatException($"Unknown Arrow type '{id}'."),
        };
    }

    private static string SimpleName(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Null => "null",
        ArrowTypeId.Boolean => "bool",
        ArrowTypeId.Int8 => "int8",
        ArrowTypeId.Int16 => "int16",
        ArrowTypeId.Int32 => "int32",
        ArrowTypeId.Int64 => "int64",
        ArrowTypeId.UInt8 => "uint8",
        ArrowTypeId.UInt16 => "uint16",
        ArrowTypeId.UInt32 => "uint32",
        ArrowTypeId.UInt64 => "uint64",
        ArrowTypeId.HalfFloat => "halffloat",
        ArrowTypeId.Float => "float",
        ArrowTypeId.Double => "double",
        ArrowTypeId.String => "utf8",
        ArrowTypeId.Binary => "binary",
        ArrowTypeId.Date32 => "date32",
        ArrowTypeId.Date64 => "date64",
        _ => throw new NotSupportedException($"The Arrow type {SchemaText.Describe(type)} cannot be recorded in a lake manifest."),
    };

    private static string Unit(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => "s",
        TimeUnit.Millisecond => "ms",
        TimeUnit.Microsecond => "us",
        _ => "ns",
    };

    private static TimeUnit ParseUnit(JsonElement element) => element.GetProperty("unit").GetString() switch
    {
        "s" => TimeUnit.Second,
        "ms" => TimeUnit.Millisecond,
        "us" => TimeUnit.Microsecond,
        "ns" => TimeUnit.Nanosecond,
        var other => throw new FormatException($"Unknown time unit '{other}'."),
    };
}
