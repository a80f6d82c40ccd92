namespace DataEng.Core;

/// <summary>The implementation that encodes Parquet files written by <see cref="ParquetFile"/>, the lake writer and
/// lake compaction.</summary>
public enum ParquetWriterEngine
{
    /// <summary>DataEng.Core's own encoder for flat schemas: PLAIN and dictionary pages written straight from the Arrow
    /// buffers into reused memory, columns of a row group encoded in parallel when one file is written.</summary>
    Builtin,

    /// <summary>Parquet.Net 6.1, with the logical types patched into its footer.</summary>
    ParquetNet,
}
