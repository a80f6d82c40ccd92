using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>Options for reading Parquet files.</summary>
public sealed class ParquetReadOptions
{
    /// <summary>Gets or sets the largest footer (file metadata) accepted; larger footers are rejected before they are
    /// read, so a hostile file cannot make the reader allocate a huge buffer.</summary>
    /// <value>The default value is 64 MiB. Must be at least 1 KiB.</value>
    public int MaxFooterBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Gets or sets the largest row group accepted, in rows. A row group is decoded into memory at once, so
    /// this bounds the memory one read can take.</summary>
    /// <value>The default value is 67,108,864 (64 Mi rows). Must be at least 1.</value>
    public long MaxRowGroupRows { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets the largest data or dictionary page accepted, in uncompressed bytes. Pages of fixed-width
    /// columns are also bounded by their row count; this bounds pages of strings and binary.</summary>
    /// <value>The default value is 256 MiB. Must be at least 64 KiB.</value>
    public int MaxPageBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>Gets or sets how long opening a file (reading and validating its footer) may take.</summary>
    /// <value>The default value is 30 seconds. Must be positive or <see cref="Timeout.InfiniteTimeSpan"/>.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the allocator for the Arrow buffers of the batches the reader produces.</summary>
    /// <value>The default value is <see langword="null"/>: the run's <see cref="RunContext.Allocator"/> when read
    /// through a pipeline, otherwise <see cref="PooledMemoryAllocator.Shared"/>.</value>
    public MemoryAllocator? Allocator { get; set; }

    /// <summary>Gets or sets the largest number of rows per batch. A row group larger than this is yielded as several
    /// batches sharing its buffers.</summary>
    /// <value>The default value is <see langword="null"/>: one batch per row group.</value>
    public int? BatchSize { get; set; }

    /// <summary>Gets or sets the stage name used in errors, logs and run results.</summary>
    /// <value>The default value is <see langword="null"/>: <c>parquet:{file name}</c> (or <c>parquet:{n} files</c>).</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the columns to read, in this order (the same projection as <see cref="LakeReadOptions.Columns"/>).</summary>
    /// <value>The default value is <see langword="null"/>: every column, in the file's order.</value>
    public IReadOnlyList<string>? Columns { get; set; }

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxFooterBytes < 1024)
        {
            problems.Add($"{nameof(MaxFooterBytes)} must be at least 1024 (was {MaxFooterBytes}).");
        }

        if (MaxPageBytes < 64 * 1024)
        {
            problems.Add($"{nameof(MaxPageBytes)} must be at least 65536 (was {MaxPageBytes}).");
        }

        if (MaxRowGroupRows < 1)
        {
            problems.Add($"{nameof(MaxRowGroupRows)} must be at least 1 (was {MaxRowGroupRows}).");
        }

        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            problems.Add($"{nameof(Timeout)} must be positive or infinite (was {Timeout}).");
        }

        if (BatchSize is < 1)
        {
            problems.Add($"{nameof(BatchSize)} must be at least 1 when set (was {BatchSize}).");
        }

        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            problems.Add($"{nameof(Name)} must not be blank when set.");
        }

        if (Columns is not null && (Columns.Any(string.IsNullOrEmpty) || Columns.Distinct(StringComparer.Ordinal).Count() != Columns.Count))
        {
            problems.Add($"{nameof(Columns)} must name each column once and not be empty.");
        }

        return problems;
    }

    internal ParquetReadOptions Clone()
    {
        var clone = (ParquetReadOptions)MemberwiseClone();
        clone.Columns = Columns?.ToArray();
        return clone;
    }

    internal void ThrowIfInvalid() => ValidationProblems.ThrowIfAny(nameof(ParquetReadOptions), Validate());
}
