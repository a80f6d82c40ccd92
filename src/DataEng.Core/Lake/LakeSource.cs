using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// Reads a lake (or any Hive-partitioned Parquet dataset) as a pipeline source: exactly one committed snapshot when a
/// manifest exists, partition columns rebuilt with their types, partitions pruned before their files are opened,
/// columns projected, row groups streamed.
/// </summary>
internal sealed class LakeSource : ISource
{
    private readonly LakeLayout _layout;
    private readonly LakeReadOptions _options;
    private readonly object _gate = new();
    private Schema? _schema;

    public LakeSource(string root, LakeReadOptions options)
    {
        _layout = new LakeLayout(root);
        _options = options;
    }

    public string Name => _options.Name;

    public Schema Schema
    {
        get
        {
            lock (_gate)
            {
                if (_schema is null)
                {
                    // On the thread pool: a caller's synchronisation context must not be needed to finish the read.
                    var plan = Task.Run(() => LakeReadPlan.CreateAsync(_layout, _options, CancellationToken.None)).GetAwaiter().GetResult();
                    _schema = Project(plan.Schema);
                }

                return _schema;
            }
        }
    }

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var schema = Schema;
        var plan = await LakeReadPlan.CreateAsync(_layout, _options, cancellationToken).ConfigureAwait(false);

        // Output columns: data columns read from the files, partition columns built as constants.
        var fileFields = new List<Field>();
        var outputs = new (int FileColumn, int Partition)[schema.FieldsList.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            var field = schema.FieldsList[i];
            var partition = IndexOf(plan.PartitionFields, field.Name);
            if (partition >= 0 && plan.FileSchema.GetFieldIndex(field.Name) < 0)
            {
                if (!SchemaComparer.TypesEqual(plan.PartitionFields[partition].DataType, field.DataType))
                {
                    throw new SchemaMismatchException($"The partition column '{field.Name}' of {plan.Description} is now {SchemaText.Describe(plan.PartitionFields[partition].DataType)}, was {SchemaText.Describe(field.DataType)} when the source was created.");
                }

                outputs[i] = (-1, partition);
                continue;
            }

            outputs[i] = (fileFields.Count, -1);
            fileFields.Add(field.IsNullable || plan.FileSchema.GetFieldIndex(field.Name) >= 0 ? field : new Field(field.Name, field.DataType, nullable: true));
        }

        // Every buffer of the output comes from one allocator: the options' or the run's.
        var allocator = _options.Parquet?.Allocator ?? context.Allocator;
        var readOptions = new ParquetReadOptions
        {
            MaxFooterBytes = _options.Parquet?.MaxFooterBytes ?? new ParquetReadOptions().MaxFooterBytes,
            MaxRowGroupRows = _options.Parquet?.MaxRowGroupRows ?? new ParquetReadOptions().MaxRowGroupRows,
            Timeout = _options.Parquet?.Timeout ?? new ParquetReadOptions().Timeout,
            BatchSize = _options.Parquet?.BatchSize,
            Allocator = allocator,
        };
        var filter = _options.PartitionFilter;
        foreach (var file in plan.Files)
        {
            if (filter is not null && !filter(file.Partition))
            {
                continue;
            }

            var constants = new IArrowArray?[outputs.Length];
            try
            {
                await foreach (var (batch, rows) in LakeFileReader.ReadAsync(file.FullPath, file.Rows, fileFields, readOptions, allocator, cancellationToken, file.RetiredPath).ConfigureAwait(false))
                {
                    RecordBatch output;
                    using (batch)
                    {
                        var arrays = new IArrowArray[outputs.Length];
                        for (var i = 0; i < outputs.Length; i++)
                        {
                            var (fileColumn, partition) = outputs[i];
                            if (fileColumn >= 0)
                            {
                                arrays[i] = batch.Column(fileColumn).Retain();
                                continue;
                            }

                            // One constant array per file, sliced (shared) for each batch.
                            if (constants[i] is null || constants[i]!.Length < rows)
                            {
                                constants[i]?.Dispose();
                                constants[i] = LakeArrays.Constant(schema.FieldsList[i].DataType, file.Values[partition], rows, allocator);
                            }

                            arrays[i] = ArrowArrayFactory.BuildArray(constants[i]!.Data.SliceShared(0, rows));
                        }

                        output = new RecordBatch(schema, arrays, rows);
                    }

                    yield return output;
                }
            }
            finally
            {
                foreach (var constant in constants)
                {
                    constant?.Dispose();
                }
            }
        }
    }

    private static int IndexOf(IReadOnlyList<Field> fields, string name)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private Schema Project(Schema full)
    {
        if (_options.Columns is null)
        {
            return full;
        }

        var missing = _options.Columns.Where(c => full.GetFieldIndex(c) < 0).ToList();
        SchemaMismatchException.ThrowIfAny(
            $"The lake '{_layout.Root}' has no column(s) {string.Join(", ", missing.Select(static m => "'" + m + "'"))}; it has {SchemaText.Describe(full)}.",
            missing.Select(static m => $"column '{m}' does not exist").ToList());
        return new Schema(_options.Columns.Select(c => full.FieldsList[full.GetFieldIndex(c)]).ToList(), null);
    }
}
