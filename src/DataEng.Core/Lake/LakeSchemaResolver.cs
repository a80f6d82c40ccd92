using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Applies <see cref="LakeSchemaPolicy"/>: decides the dataset schema after a write and how each file column is
/// produced from the batches written.</summary>
internal static class LakeSchemaResolver
{
    /// <summary>Returns the table after writing batches of <paramref name="input"/> to a dataset shaped like
    /// <paramref name="existing"/> (or a new dataset).</summary>
    /// <exception cref="SchemaMismatchException">The policy does not allow the write; every difference is listed.</exception>
    public static LakeTableSchema Resolve(LakeTableSchema? existing, Schema input, IReadOnlyList<PartitionSpec> partitioning, bool keepPartitionColumns, LakeSchemaPolicy policy, string root)
    {
        if (existing is null)
        {
            return new LakeTableSchema(input, partitioning, keepPartitionColumns);
        }

        var problems = existing.PartitioningDifferences(partitioning, keepPartitionColumns);
        if (policy == LakeSchemaPolicy.Fail)
        {
            problems.AddRange(SchemaComparer.Differences(existing.InputSchema, input));
            SchemaMismatchException.ThrowIfAny($"The batches do not have the schema of the lake '{root}' (SchemaPolicy = Fail):", problems);
            return existing;
        }

        var partitionSources = new HashSet<string>(partitioning.Select(static p => p.SourceColumn), StringComparer.Ordinal);
        var fields = new List<Field>();
        foreach (var field in existing.InputSchema.FieldsList)
        {
            var index = input.GetFieldIndex(field.Name);
            if (index < 0)
            {
                if (!field.IsNullable)
                {
                    problems.Add($"column '{field.Name}' ({SchemaText.Describe(field.DataType)}) is missing and not nullable");
                }
                else if (partitionSources.Contains(field.Name))
                {
                    problems.Add($"partition column '{field.Name}' is missing");
                }

                fields.Add(field);
                continue;
            }

            var incoming = input.FieldsList[index];
            var nullable = field.IsNullable || incoming.IsNullable;
            if (SchemaComparer.TypesEqual(field.DataType, incoming.DataType))
            {
                fields.Add(nullable == field.IsNullable ? field : new Field(field.Name, field.DataType, nullable, field.Metadata));
            }
            else if (Wider(field.DataType, incoming.DataType) is { } wider && !partitionSources.Contains(field.Name))
            {
                fields.Add(new Field(field.Name, wider, nullable, field.Metadata));
            }
            else
            {
                problems.Add($"column '{field.Name}' has type {SchemaText.Describe(incoming.DataType)}, the dataset {SchemaText.Describe(field.DataType)}; only int32 → int64 and float → double widen{(partitionSources.Contains(field.Name) ? " (and never a partition column)" : "")}");
            }
        }

        foreach (var field in input.FieldsList)
        {
            if (existing.InputSchema.GetFieldIndex(field.Name) < 0)
            {
                fields.Add(field.IsNullable ? field : new Field(field.Name, field.DataType, nullable: true, field.Metadata));
            }
        }

        SchemaMismatchException.ThrowIfAny($"The batches cannot be written to the lake '{root}' even with SchemaPolicy = Evolve:", problems);
        return new LakeTableSchema(new Schema(fields, existing.InputSchema.Metadata), partitioning, keepPartitionColumns);
    }

    /// <summary>Returns the wider of two types when one widens to the other (int32/int64, float/double).</summary>
    public static IArrowType? Wider(IArrowType a, IArrowType b) => (a.TypeId, b.TypeId) switch
    {
        (ArrowTypeId.Int32, ArrowTypeId.Int64) or (ArrowTypeId.Int64, ArrowTypeId.Int32) => Int64Type.Default,
        (ArrowTypeId.Float, ArrowTypeId.Double) or (ArrowTypeId.Double, ArrowTypeId.Float) => DoubleType.Default,
        _ => null,
    };

    /// <summary>Plans each file column of <paramref name="table"/> from batches of <paramref name="input"/>.</summary>
    public static ColumnPlan[] Plan(LakeTableSchema table, Schema input)
    {
        var plans = new ColumnPlan[table.FileSchema.FieldsList.Count];
        for (var i = 0; i < plans.Length; i++)
        {
            var field = table.FileSchema.FieldsList[i];
            var source = input.GetFieldIndex(field.Name);
            var conversion = ColumnConversion.None;
            if (source < 0)
            {
                conversion = ColumnConversion.AllNull;
            }
            else if (!SchemaComparer.TypesEqual(field.DataType, input.FieldsList[source].DataType))
            {
                conversion = (input.FieldsList[source].DataType.TypeId, field.DataType.TypeId) switch
                {
                    (ArrowTypeId.Int32, ArrowTypeId.Int64) => ColumnConversion.Int32ToInt64,
                    (ArrowTypeId.Float, ArrowTypeId.Double) => ColumnConversion.FloatToDouble,
                    _ => throw new SchemaMismatchException($"column '{field.Name}' cannot be converted from {SchemaText.Describe(input.FieldsList[source].DataType)} to {SchemaText.Describe(field.DataType)}"),
                };
            }

            plans[i] = new ColumnPlan(field, source, conversion);
        }

        return plans;
    }
}
