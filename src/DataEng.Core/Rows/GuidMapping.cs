namespace DataEng.Core;

/// <summary>How <see cref="Guid"/> properties are stored.</summary>
public enum GuidMapping
{
    /// <summary>As 36-character lower-case text (<c>"d"</c> format) in a <c>string</c> column: readable everywhere.</summary>
    String,

    /// <summary>As 16 bytes in RFC 4122 (big-endian) order in a <c>fixed_size_binary(16)</c> column: compact, the byte
    /// order Parquet's UUID type and DuckDB use.</summary>
    FixedSizeBinary,
}
