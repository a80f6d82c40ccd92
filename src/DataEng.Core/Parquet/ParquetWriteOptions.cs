using System.IO.Compression;

namespace DataEng.Core;

/// <summary>Options for writing Parquet files.</summary>
public sealed class ParquetWriteOptions
{
    /// <summary>The largest accepted <see cref="RowGroupSize"/>: Arrow arrays index rows with 32-bit integers.</summary>
    public const int MaxRowGroupSize = int.MaxValue / 2;

    private HashSet<string> _dictionaryColumns = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the compression codec.</summary>
    /// <value>The default value is <see cref="ParquetCompression.Snappy"/>.</value>
    public ParquetCompression Compression { get; set; } = ParquetCompression.Snappy;

    /// <summary>Gets or sets the compression level (mapped by each codec to its own levels).</summary>
    /// <value>The default value is <see cref="System.IO.Compression.CompressionLevel.Fastest"/> (Parquet.Net's own
    /// default, <see cref="System.IO.Compression.CompressionLevel.SmallestSize"/>, is several times slower).</value>
    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>Gets or sets the number of rows per row group. Incoming batches are accumulated until this many rows
    /// are buffered, then written as one row group (data pages of about 1 MiB); larger batches are split.</summary>
    /// <value>The default value is 1,048,576. Must be between 1 and <see cref="MaxRowGroupSize"/>.</value>
    public int RowGroupSize { get; set; } = 1_048_576;

    /// <summary>Gets the names of columns that are always dictionary encoded (RLE_DICTIONARY), whatever their sampled
    /// cardinality. This applies to every column type but booleans and decimals wider than 18 digits (such names are
    /// ignored). A row group's column is written PLAIN when its dictionary would exceed 2 MiB.</summary>
    /// <value>The default value is an empty set (ordinal comparison).</value>
    public ISet<string> DictionaryColumns => _dictionaryColumns;

    /// <summary>Gets or sets a value indicating whether columns whose sampled cardinality is low are dictionary encoded
    /// automatically. Each row group is sampled before it is encoded, 4,096 rows spread evenly over it (nulls skipped): a
    /// string column qualifies with at most one distinct value in ten; integer, date, timestamp, decimal (up to 18
    /// digits) and floating-point columns qualify too, from the same sample:
    /// at most one distinct value in ten, or enough repeats to estimate a dictionary of at most 1 MiB that, with
    /// its bit-packed indices, takes at most three quarters of the PLAIN size (100,000 distinct int32 keys among a
    /// million rows are dictionary encoded; among 60,000 rows, a unique key or a timestamp are not).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AutoDictionary { get; set; } = true;

    /// <summary>Gets or sets the stage name used in errors, logs and run results.</summary>
    /// <value>The default value is <see langword="null"/>: <c>parquet:{file name}</c>.</value>
    public string? Name { get; set; }

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            problems.Add($"{nameof(Name)} must not be blank when set.");
        }

        if (!Enum.IsDefined(Compression))
        {
            problems.Add($"{nameof(Compression)} is not a known codec (was {(int)Compression}).");
        }

        if (!Enum.IsDefined(CompressionLevel))
        {
            problems.Add($"{nameof(CompressionLevel)} is not a known level (was {(int)CompressionLevel}).");
        }

        if (RowGroupSize is < 1 or > MaxRowGroupSize)
        {
            problems.Add($"{nameof(RowGroupSize)} must be between 1 and {MaxRowGroupSize} (was {RowGroupSize}).");
        }

        if (_dictionaryColumns.Any(string.IsNullOrEmpty))
        {
            problems.Add($"{nameof(DictionaryColumns)} must not contain empty names.");
        }

        return problems;
    }

    internal void ThrowIfInvalid() => ValidationProblems.ThrowIfAny(nameof(ParquetWriteOptions), Validate());

    internal ParquetWriteOptions Clone()
    {
        var clone = (ParquetWriteOptions)MemberwiseClone();
        // Later changes by the caller must not leak into a writer that is already configured.
        clone._dictionaryColumns = new HashSet<string>(_dictionaryColumns, StringComparer.Ordinal);
        return clone;
    }
}
