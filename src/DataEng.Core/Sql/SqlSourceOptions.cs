using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Options of an ADO.NET query source (<see cref="Sql.Query(Func{CancellationToken, ValueTask{System.Data.Common.DbConnection}}, string, object?, SqlSourceOptions?)"/>).</summary>
public sealed class SqlSourceOptions
{
    /// <summary>Gets or sets the stage name, used in errors, logs, metrics and run results.</summary>
    /// <value>The default value is <c>sql</c>.</value>
    public string Name { get; set; } = "sql";

    /// <summary>
    /// Gets or sets the Arrow schema of the result: one field per result column, in order, named like the columns
    /// (ignoring case). Values are converted to the given types. Giving it avoids the schema round trip when the
    /// pipeline is built.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the schema is derived from the provider's description of
    /// the result, by executing the query once with <see cref="System.Data.CommandBehavior.SchemaOnly"/> when the
    /// pipeline is built.</value>
    public Schema? Schema { get; set; }

    /// <summary>
    /// Gets types that replace the derived Arrow type of single columns (keys are column names, matched ignoring
    /// case), for example <c>decimal128(12, 2)</c> for a SQLite column declared <c>DECIMAL(12,2)</c>, whose precision
    /// the provider does not report. Ignored when <see cref="Schema"/> is set.
    /// </summary>
    public IDictionary<string, IArrowType> ColumnTypes { get; } = new Dictionary<string, IArrowType>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the maximum number of rows per batch.</summary>
    /// <value>The default value is 65,536. Must be at least 1.</value>
    public int BatchSize { get; set; } = DataReaderBatchReader.DefaultBatchSize;

    /// <summary>Gets or sets the command timeout.</summary>
    /// <value>The default value is <see langword="null"/>: the provider's default.</value>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add($"{nameof(Name)} must not be empty.");
        }

        if (BatchSize < 1)
        {
            problems.Add($"{nameof(BatchSize)} must be at least 1 (was {BatchSize}).");
        }

        if (CommandTimeout is { } timeout && (timeout < TimeSpan.Zero || timeout.TotalSeconds > int.MaxValue))
        {
            problems.Add($"{nameof(CommandTimeout)} must be between zero and {int.MaxValue} seconds (was {timeout}).");
        }

        if (Schema is not null)
        {
            problems.AddRange(ArrowValueWriters.Unsupported(Schema));
        }

        foreach (var (column, type) in ColumnTypes)
        {
            if (type is null)
            {
                problems.Add($"{nameof(ColumnTypes)}['{column}'] must not be null.");
            }
            else if (!ArrowColumnBuffer.IsSupported(type))
            {
                problems.Add($"{nameof(ColumnTypes)}['{column}'] is {SchemaText.Describe(type)}, which the ADO.NET reader does not support.");
            }
        }

        return problems;
    }

    internal SqlSourceOptions Clone()
    {
        var clone = new SqlSourceOptions { Name = Name, Schema = Schema, BatchSize = BatchSize, CommandTimeout = CommandTimeout };
        foreach (var (column, type) in ColumnTypes)
        {
            clone.ColumnTypes[column] = type;
        }

        return clone;
    }
}
