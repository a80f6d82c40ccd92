namespace DataEng.Core;

/// <summary>The compression codec of Parquet data pages.</summary>
public enum ParquetCompression
{
    /// <summary>Snappy: fast, moderate ratio; the most widely supported codec.</summary>
    Snappy,

    /// <summary>Zstandard: better ratio than Snappy at a similar speed on the fastest levels.</summary>
    Zstd,

    /// <summary>Gzip (deflate): widely supported, slower.</summary>
    Gzip,

    /// <summary>LZ4, written as the <c>LZ4_RAW</c> codec (the Hadoop-framed legacy <c>LZ4</c> codec is not readable by
    /// DuckDB or recent Arrow releases).</summary>
    Lz4,

    /// <summary>No compression.</summary>
    None,
}
