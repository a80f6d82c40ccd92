using System.Runtime.CompilerServices;
using Apache.Arrow;
using DataEng.Core.ParquetFormat;

namespace DataEng.Core;

/// <summary>
/// Reads one or more Parquet files of the same schema, in order, one row group at a time. The schema is the first
/// file's (projected to the requested columns); every other file must match it, or the read fails with a
/// <see cref="SchemaMismatchException"/> naming the file and each difference.
/// </summary>
internal sealed class ParquetFileSource : ISource
{
    private readonly string[] _paths;
    private readonly IReadOnlyList<string>? _columns;
    private readonly ParquetReadOptions _options;
    private readonly Lazy<Schema> _schema;

    public ParquetFileSource(string[] paths, ParquetReadOptions options)
    {
        _paths = paths;
        _columns = options.Columns;
        _options = options;
        Name = options.Name ?? (paths.Length == 1 ? "parquet:" + Path.GetFileName(paths[0]) : $"parquet:{paths.Length} files");
        _schema = new Lazy<Schema>(ReadSchema, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name { get; }

    /// <summary>Gets the schema of the first file, projected. Reading it opens the file (once).</summary>
    /// <exception cref="ParquetFileException">The first file cannot be read, or a requested column cannot.</exception>
    public Schema Schema => _schema.Value;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var schema = Schema;
        var options = _options.Clone();
        options.Allocator ??= context.Allocator;
        foreach (var path in _paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reader = await ArrowParquetReader.OpenAsync(path, options, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                Log.ParquetFileOpened(context.Logger, path, reader.RowCount, reader.RowGroupCount);
                var names = _columns ?? schema.FieldsList.Select(static f => f.Name).ToArray();
                CheckSchema(schema, reader, names, allColumns: _columns is null, path);
                await foreach (var batch in reader.ReadAsync(names, schema, cancellationToken).ConfigureAwait(false))
                {
                    yield return batch;
                }
            }
        }
    }

    private Schema ReadSchema()
    {
        // ISource.Schema is synchronous; open on the thread pool so a caller's synchronization context cannot deadlock.
        return Task.Run(async () =>
        {
            var reader = await ArrowParquetReader.OpenAsync(_paths[0], _options, CancellationToken.None).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return Project(reader, _columns, _paths[0]);
            }
        }).GetAwaiter().GetResult();
    }

    private static Schema Project(ArrowParquetReader reader, IReadOnlyList<string>? columns, string path)
    {
        if (columns is null)
        {
            if (reader.UnsupportedColumns.Count > 0)
            {
                throw new ParquetFileException(path, null, null, "some columns cannot be read (pass the others as the column list): "
                    + string.Join("; ", reader.UnsupportedColumns.Select(static u => $"'{u.Key}': {u.Value}")));
            }

            return reader.Schema;
        }

        var fields = new List<Field>(columns.Count);
        var problems = new List<string>();
        foreach (var name in columns)
        {
            var field = reader.Schema.FieldsList.FirstOrDefault(f => f.Name == name);
            if (field is not null)
            {
                fields.Add(field);
            }
            else if (reader.UnsupportedColumns.TryGetValue(name, out var reason))
            {
                problems.Add($"column '{name}' cannot be read: {reason}");
            }
            else
            {
                problems.Add($"column '{name}' does not exist (columns: {string.Join(", ", reader.Schema.FieldsList.Select(static f => f.Name))})");
            }
        }

        SchemaMismatchException.ThrowIfAny($"The Parquet file '{path}' does not have the requested columns.", problems);
        return new Schema(fields, null);
    }

    /// <summary>Every file must have the source's columns with the same types; a nullable column where the source
    /// promises non-null values is a difference too.</summary>
    private static void CheckSchema(Schema expected, ArrowParquetReader reader, IReadOnlyList<string> names, bool allColumns, string path)
    {
        var problems = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            var want = expected.FieldsList[i];
            var have = reader.Schema.FieldsList.FirstOrDefault(f => f.Name == names[i]);
            if (have is null)
            {
                problems.Add(reader.UnsupportedColumns.TryGetValue(names[i], out var reason)
                    ? $"column '{names[i]}' cannot be read: {reason}"
                    : $"column '{names[i]}' is missing");
                continue;
            }

            if (!SchemaComparer.TypesEqual(want.DataType, have.DataType))
            {
                problems.Add($"column '{want.Name}' has type {SchemaText.Describe(have.DataType)}, expected {SchemaText.Describe(want.DataType)}");
            }

            if (!want.IsNullable && have.IsNullable)
            {
                problems.Add($"column '{want.Name}' is nullable, expected not nullable");
            }
        }

        if (allColumns)
        {
            // Reading all columns: extra columns in this file are a difference too.
            foreach (var field in reader.Schema.FieldsList)
            {
                if (!names.Contains(field.Name))
                {
                    problems.Add($"column '{field.Name}' ({SchemaText.Describe(field.DataType)}) is not expected");
                }
            }

            foreach (var (name, reason) in reader.UnsupportedColumns)
            {
                if (!names.Contains(name))
                {
                    problems.Add($"column '{name}' is not expected (and cannot be read: {reason})");
                }
            }
        }

        SchemaMismatchException.ThrowIfAny($"The Parquet file '{path}' does not have the schema of the first file.", problems);
    }
}
