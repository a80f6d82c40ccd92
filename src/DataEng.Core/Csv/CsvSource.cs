using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// A CSV source over one or more inputs, read one after the other. The schema is given or inferred from the first
/// input; every run lists and opens the inputs again.
/// </summary>
internal sealed class CsvSource : ISource
{
    private readonly Func<IReadOnlyList<CsvInput>> _inputs;
    private readonly string _description;
    private readonly CsvSourceOptions _options;
    private readonly CsvReadSettings _settings;
    private readonly Lazy<Schema> _schema;

    public CsvSource(Func<IReadOnlyList<CsvInput>> inputs, string description, CsvSourceOptions options)
    {
        _inputs = inputs;
        _description = description;
        _options = options;
        _settings = new CsvReadSettings(options);
        _schema = new Lazy<Schema>(Infer, LazyThreadSafetyMode.PublicationOnly);
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    /// <remarks>Without <see cref="CsvSourceOptions.Schema"/>, the first access reads a sample of the first input.</remarks>
    public Schema Schema => _options.Schema ?? _schema.Value;

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordBatch> ReadAsync(RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var schema = Schema;
        var badRows = _options.BadRows is { } policy ? new BadRowHandler(policy, Name, context) : null;
        foreach (var input in _inputs())
        {
            Log.CsvFileStarted(context.Logger, Name, input.DisplayName, context.RunNumber);
            using var records = await CsvRecordReader.OpenAsync(input, _settings, cancellationToken).ConfigureAwait(false);
            var reader = new CsvBatchReader(records, schema, _settings, context.Allocator);
            var rejectedBefore = badRows?.Rejected ?? 0;
            if (badRows is not null)
            {
                reader.BadRowHandler = error =>
                {
                    badRows.Reject($"{error.Source}:{error.Row}", error.Message, RawFields(records), error);
                    return true;
                };
            }

            var batches = 0;
            while (await reader.ReadBatchAsync(_options.BatchSize, cancellationToken).ConfigureAwait(false) is { } batch)
            {
                batches++;
                yield return batch;
            }

            badRows?.Accept(reader.RowsRead - (badRows.Rejected - rejectedBefore));
            Log.CsvFileCompleted(context.Logger, Name, input.DisplayName, context.RunNumber, reader.RowsRead, batches);
        }

        if (badRows is not null)
        {
            await badRows.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The current (bad) record's fields by header name, for dead letters: a short record lacks the missing
    /// columns, and the extra fields of a long one are named by position (<c>#5</c>, <c>#6</c>, …).</summary>
    internal static Dictionary<string, string?> RawFields(CsvRecordReader records)
    {
        var count = records.RecordFieldCount;
        var fields = new Dictionary<string, string?>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = i < records.FieldCount ? records.Header[i] : "#" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            fields.TryAdd(name, records.Field(i).ToString());
        }

        return fields;
    }

    private Schema Infer()
    {
        var inputs = _inputs();
        if (inputs.Count == 0)
        {
            throw new DataFormatException(_description, null, null, "no input matches, so no schema can be inferred; give CsvSourceOptions.Schema");
        }

        return CsvSchemaInference.Infer(inputs[0], _settings);
    }
}
