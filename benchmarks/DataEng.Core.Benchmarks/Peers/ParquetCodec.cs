namespace DataEng.Core.Benchmarks.Peers;

/// <summary>The codecs the benchmarks compare (the same codec and level for every engine of a case).</summary>
public enum ParquetCodec
{
    Snappy,
    Zstd,
}

/// <summary>Write settings shared by every engine of a case, so nobody wins by writing a different file.</summary>
/// <param name="Codec">The compression codec.</param>
/// <param name="RowGroupRows">The maximum rows per row group (engines that cannot be told keep their own, and say so).</param>
/// <param name="ZstdLevel">The Zstd level, when <paramref name="Codec"/> is Zstd.</param>
internal sealed record WriteSettings(ParquetCodec Codec, int RowGroupRows, int ZstdLevel)
{
    /// <summary>The default row-group size: one input batch (1,000,000 rows).</summary>
    public const int DefaultRowGroupRows = 1_000_000;

    /// <summary>Zstd level 1: the library's default (Parquet.Net maps CompressionLevel.Fastest to 1), given to every
    /// engine. Parquet.Net's own default (SmallestSize = 19) is many times slower; DuckDB's default is 3.</summary>
    public const int DefaultZstdLevel = 1;

    public static WriteSettings Snappy { get; } = new(ParquetCodec.Snappy, DefaultRowGroupRows, DefaultZstdLevel);

    public static WriteSettings For(ParquetCodec codec, int rowGroupRows = DefaultRowGroupRows) => new(codec, rowGroupRows, DefaultZstdLevel);

    public override string ToString() => Codec == ParquetCodec.Zstd
        ? $"zstd(level {ZstdLevel}), row groups ≤ {RowGroupRows:N0} rows"
        : $"snappy, row groups ≤ {RowGroupRows:N0} rows";
}
