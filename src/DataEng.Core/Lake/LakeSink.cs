using Apache.Arrow;
using DataEng.Core.ParquetFormat;

namespace DataEng.Core;

/// <summary>The lake as a pipeline sink: one <see cref="LakeSinkWriter"/> (one commit) per run.</summary>
internal sealed partial class LakeSink : ISink
{
    private readonly LakeWriteOptions _options;
    private readonly LakeLayout _layout;

    public LakeSink(string root, LakeWriteOptions options)
    {
        _layout = new LakeLayout(root);
        _options = options;
    }

    public string Name => _options.Name;

    public void Validate(Schema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var problems = Problems(input, _options);
        SchemaMismatchException.ThrowIfAny($"The lake '{_layout.Root}' cannot take this schema:", problems);
    }

    public async ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        Validate(schema);
        return await LakeSinkWriter.OpenAsync(_layout, _options, schema, context, cancellationToken).ConfigureAwait(false);
    }

    internal static List<string> Problems(Schema input, LakeWriteOptions options)
    {
        var problems = PartitionKeyComputer.Validate(input, [.. options.PartitionBy]);
        foreach (var field in input.FieldsList)
        {
            if (KernelTypes.GetLayout(field.DataType, out _) == Layout.Unsupported)
            {
                problems.Add($"column '{field.Name}' has the type {SchemaText.Describe(field.DataType)}, which the lake writer does not support");
            }
        }

        if (problems.Count == 0)
        {
            var table = new LakeTableSchema(input, [.. options.PartitionBy], options.KeepPartitionColumns);
            try
            {
                _ = ParquetSchemaMapping.ForWrite(table.FileSchema);
            }
            catch (SchemaMismatchException e)
            {
                problems.AddRange(e.Problems);
            }
        }

        return problems;
    }
}
