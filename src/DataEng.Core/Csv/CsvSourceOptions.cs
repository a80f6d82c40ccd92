using System.Globalization;
using System.Text;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>Options of a CSV source (<see cref="Csv.File"/>, <see cref="Csv.Files"/>, <see cref="Csv.Stream"/>).</summary>
public sealed class CsvSourceOptions
{
    /// <summary>Gets or sets the stage name, used in logs, metrics and run results.</summary>
    /// <value>The default value is <c>csv</c>.</value>
    public string Name { get; set; } = "csv";

    /// <summary>
    /// Gets or sets the Arrow schema of the batches. With a header, fields are matched to header columns by name
    /// (exact, then ignoring case; other columns are ignored); without one, by position.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the schema is inferred from the first
    /// <see cref="InferenceRows"/> rows of the (first) file when the pipeline is built. See docs/csv.md for the rules.</value>
    public Schema? Schema { get; set; }

    /// <summary>Gets or sets how many data rows schema inference samples.</summary>
    /// <value>The default value is 1,000. Must be at least 1.</value>
    public int InferenceRows { get; set; } = 1000;

    /// <summary>Gets or sets whether inference types plain decimal numbers (<c>12.50</c>) as decimal128(38, s) with
    /// the largest scale seen, instead of double.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool InferDecimals { get; set; }

    /// <summary>Gets or sets whether the first record is a header with the column names. Without a header, columns
    /// are named by <see cref="Schema"/> or <c>column1</c> … <c>columnN</c>.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool HasHeader { get; set; } = true;

    /// <summary>Gets or sets the field delimiter (for example <c>;</c> or <c>\t</c>).</summary>
    /// <value>The default value is <c>,</c>.</value>
    public char Delimiter { get; set; } = ',';

    /// <summary>Gets or sets the quote character; inside a quoted field it is escaped by doubling it (RFC 4180).</summary>
    /// <value>The default value is <c>"</c>.</value>
    public char Quote { get; set; } = '"';

    /// <summary>Gets or sets the culture of numbers (decimal separator) and of <see cref="DateFormat"/> and
    /// <see cref="TimestampFormat"/>. The process's current culture is never used.</summary>
    /// <value>The default value is <see cref="CultureInfo.InvariantCulture"/>.</value>
    public CultureInfo Culture { get; set; } = CultureInfo.InvariantCulture;

    /// <summary>Gets or sets the field values read as null (compared exactly, after trimming when
    /// <see cref="TrimWhitespace"/> is set). A quoted empty field is empty too.</summary>
    /// <value>The default value is one entry, the empty string. Set for example <c>["", "NULL", "\\N"]</c>.</value>
    public IReadOnlyList<string> NullValues { get; set; } = [""];

    /// <summary>Gets or sets whether leading and trailing white space is removed from every field.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool TrimWhitespace { get; set; }

    /// <summary>Gets or sets the text encoding. A byte order mark, if present, decides instead and is skipped.</summary>
    /// <value>The default value is UTF-8.</value>
    public Encoding Encoding { get; set; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Gets or sets the maximum number of rows per batch. A batch never spans two files.</summary>
    /// <value>The default value is 65,536. Must be at least 1.</value>
    public int BatchSize { get; set; } = 65_536;

    /// <summary>Gets or sets the format of date32 columns (a .NET custom format, with <see cref="Culture"/>).</summary>
    /// <value>The default value is <see langword="null"/>: ISO-8601 <c>yyyy-MM-dd</c>.</value>
    public string? DateFormat { get; set; }

    /// <summary>Gets or sets the format of timestamp columns (a .NET custom format, with <see cref="Culture"/>; values
    /// without an offset are taken as UTC).</summary>
    /// <value>The default value is <see langword="null"/>: ISO-8601 (<c>yyyy-MM-dd[( |T)HH:mm[:ss[.f…]]][Z|±HH:mm]</c>).</value>
    public string? TimestampFormat { get; set; }

    /// <summary>Gets or sets what happens to a record whose values do not convert: fail, skip or dead-letter (with its
    /// raw fields, the error and its file and line), with thresholds per run.</summary>
    /// <value>The default value is <see langword="null"/>: the run fails on the first bad record.</value>
    public BadRowPolicy? BadRows { get; set; }

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add($"{nameof(Name)} must not be empty.");
        }

        if (InferenceRows < 1)
        {
            problems.Add($"{nameof(InferenceRows)} must be at least 1 (was {InferenceRows}).");
        }

        if (BatchSize < 1)
        {
            problems.Add($"{nameof(BatchSize)} must be at least 1 (was {BatchSize}).");
        }

        if (Delimiter is '\r' or '\n' or '\0')
        {
            problems.Add($"{nameof(Delimiter)} must not be a line break or NUL.");
        }

        if (Quote is '\r' or '\n' or '\0')
        {
            problems.Add($"{nameof(Quote)} must not be a line break or NUL.");
        }

        if (Delimiter == Quote)
        {
            problems.Add($"{nameof(Delimiter)} and {nameof(Quote)} must differ (both are '{Delimiter}').");
        }

        if (Culture is null)
        {
            problems.Add($"{nameof(Culture)} must not be null.");
        }

        if (Encoding is null)
        {
            problems.Add($"{nameof(Encoding)} must not be null.");
        }

        if (NullValues is null)
        {
            problems.Add($"{nameof(NullValues)} must not be null (use an empty list for no null values).");
        }
        else if (NullValues.Any(static v => v is null))
        {
            problems.Add($"{nameof(NullValues)} must not contain null.");
        }

        if (BadRows is not null)
        {
            problems.AddRange(BadRows.Validate().Select(static p => $"{nameof(BadRows)}: {p}"));
        }

        if (Schema is not null)
        {
            problems.AddRange(ArrowValueWriters.Unsupported(Schema));
            var duplicates = Schema.FieldsList.GroupBy(static f => f.Name, StringComparer.OrdinalIgnoreCase).Where(static g => g.Count() > 1).Select(static g => g.Key);
            problems.AddRange(duplicates.Select(static d => $"{nameof(Schema)} has more than one column named '{d}'."));
        }

        return problems;
    }

    internal CsvSourceOptions Clone()
    {
        var clone = (CsvSourceOptions)MemberwiseClone();
        clone.NullValues = NullValues is null ? null! : [.. NullValues];
        return clone;
    }
}
