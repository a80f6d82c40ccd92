using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.Diagnostics;

/// <summary>Readable renderings of Arrow schemas and types for messages.</summary>
public static class SchemaText
{
    /// <summary>Renders a schema as <c>name: type[?]</c> pairs (<c>?</c> marks nullable fields).</summary>
    /// <param name="schema">The schema.</param>
    /// <returns>The text.</returns>
    public static string Describe(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return "(" + string.Join(", ", schema.FieldsList.Select(static f => $"{f.Name}: {Describe(f.DataType)}{(f.IsNullable ? "?" : "")}")) + ")";
    }

    /// <summary>Renders an Arrow type, with unit, time zone, precision and scale where they apply.</summary>
    /// <param name="type">The type.</param>
    /// <returns>The text.</returns>
    public static string Describe(IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type switch
        {
            TimestampType t => $"timestamp[{t.Unit.ToString().ToLowerInvariant()}{(string.IsNullOrEmpty(t.Timezone) ? "" : ", " + t.Timezone)}]",
            Decimal128Type d => $"decimal128({d.Precision}, {d.Scale})",
            Decimal256Type d => $"decimal256({d.Precision}, {d.Scale})",
            Time32Type t => $"time32[{t.Unit.ToString().ToLowerInvariant()}]",
            Time64Type t => $"time64[{t.Unit.ToString().ToLowerInvariant()}]",
            _ => type.Name,
        };
    }
}
