using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// The shape of a lake fixed by its first commit: the schema of the batches written (<see cref="InputSchema"/>), the
/// partitioning, and whether identity partition columns stay in the files. Derives the schema of the data files and
/// the schema readers produce.
/// </summary>
internal sealed class LakeTableSchema
{
    public LakeTableSchema(Schema inputSchema, IReadOnlyList<PartitionSpec> partitioning, bool keepPartitionColumns)
    {
        InputSchema = inputSchema;
        Partitioning = partitioning;
        KeepPartitionColumns = keepPartitionColumns;
        var partitionFields = new Field[partitioning.Count];
        for (var i = 0; i < partitioning.Count; i++)
        {
            var spec = partitioning[i];
            var index = inputSchema.GetFieldIndex(spec.SourceColumn);
            var sourceType = index >= 0 ? inputSchema.FieldsList[index].DataType : StringType.Default;
            partitionFields[i] = new Field(spec.Name, PartitionColumnType(spec, sourceType), nullable: true);
        }

        PartitionFields = partitionFields;
        var fileFields = new List<Field>();
        FileColumnSources = [];
        var sources = new List<int>();
        for (var i = 0; i < inputSchema.FieldsList.Count; i++)
        {
            var field = inputSchema.FieldsList[i];
            if (!keepPartitionColumns && IsDroppedColumn(field.Name))
            {
                continue;
            }

            fileFields.Add(field);
            sources.Add(i);
        }

        FileColumnSources = [.. sources];
        FileSchema = new Schema(fileFields, null);
        var readFields = new List<Field>(fileFields);
        foreach (var field in partitionFields)
        {
            if (FileSchema.GetFieldIndex(field.Name) < 0)
            {
                readFields.Add(field);
            }
        }

        ReadSchema = new Schema(readFields, null);
    }

    /// <summary>Gets the schema of the batches written to the lake.</summary>
    public Schema InputSchema { get; }

    /// <summary>Gets the partition levels, outermost first.</summary>
    public IReadOnlyList<PartitionSpec> Partitioning { get; }

    /// <summary>Gets whether identity partition columns are kept in the files.</summary>
    public bool KeepPartitionColumns { get; }

    /// <summary>Gets the partition columns as readers rebuild them (name, type).</summary>
    public IReadOnlyList<Field> PartitionFields { get; }

    /// <summary>Gets the schema of the data files.</summary>
    public Schema FileSchema { get; }

    /// <summary>Gets, for each file column, the index of its input column.</summary>
    public int[] FileColumnSources { get; }

    /// <summary>Gets the schema readers produce: file columns, then partition columns not already in the files.</summary>
    public Schema ReadSchema { get; }

    /// <summary>Returns whether an input column is left out of the files (an identity partition column, unless kept).</summary>
    /// <param name="column">The input column name.</param>
    /// <returns><see langword="true"/> when dropped.</returns>
    public bool IsDroppedColumn(string column)
    {
        if (KeepPartitionColumns)
        {
            return false;
        }

        foreach (var spec in Partitioning)
        {
            if (spec.Transform == PartitionTransform.Identity && spec.SourceColumn == column && spec.Name == column)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns the type of the partition column a transform produces.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="sourceType">The type of the source column.</param>
    /// <returns>The partition column type.</returns>
    public static IArrowType PartitionColumnType(PartitionSpec spec, IArrowType sourceType) => spec.Transform switch
    {
        PartitionTransform.Identity => sourceType,
        PartitionTransform.Truncate => sourceType,
        PartitionTransform.Year => Int32Type.Default,
        PartitionTransform.Bucket => Int32Type.Default,
        PartitionTransform.Day => Date32Type.Default,
        _ => StringType.Default,
    };

    /// <summary>Lists every difference in partitioning between this table and another spec list.</summary>
    /// <param name="partitioning">The other partitioning.</param>
    /// <param name="keepPartitionColumns">The other keep flag.</param>
    /// <returns>The differences.</returns>
    public List<string> PartitioningDifferences(IReadOnlyList<PartitionSpec> partitioning, bool keepPartitionColumns)
    {
        var problems = new List<string>();
        if (!Partitioning.SequenceEqual(partitioning))
        {
            problems.Add($"the dataset is partitioned by [{string.Join(", ", Partitioning)}], the writer by [{string.Join(", ", partitioning)}]");
        }

        if (KeepPartitionColumns != keepPartitionColumns)
        {
            problems.Add($"the dataset has KeepPartitionColumns = {KeepPartitionColumns}, the writer {keepPartitionColumns}");
        }

        return problems;
    }
}
