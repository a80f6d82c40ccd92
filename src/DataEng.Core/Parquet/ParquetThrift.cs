namespace DataEng.Core.ParquetFormat;

// The numbers of the Parquet format (parquet.thrift in apache/parquet-format) and of the Thrift compact protocol,
// named once here and shared by the encoder, the footer writer, the decoder and the validator. Constants rather than
// enums: they go straight into Thrift fields and page headers, and a foreign file may hold values no enum declares.

/// <summary>parquet.thrift <c>PageType</c>.</summary>
internal static class ParquetPageType
{
    public const int DataPage = 0;
    public const int IndexPage = 1;
    public const int DictionaryPage = 2;
    public const int DataPageV2 = 3;
}

/// <summary>parquet.thrift <c>Encoding</c>.</summary>
internal static class ParquetEncoding
{
    public const int Plain = 0;

    /// <summary>The deprecated name of a dictionary encoding (Parquet 1.0 files); decoded as <see cref="RleDictionary"/>.</summary>
    public const int PlainDictionary = 2;

    /// <summary>The RLE/bit-packed hybrid, used for definition and repetition levels (and booleans).</summary>
    public const int Rle = 3;
    public const int BitPacked = 4;
    public const int DeltaBinaryPacked = 5;
    public const int DeltaLengthByteArray = 6;
    public const int DeltaByteArray = 7;
    public const int RleDictionary = 8;
    public const int ByteStreamSplit = 9;
}

/// <summary>parquet.thrift <c>Type</c>: the physical type of a column.</summary>
internal static class ParquetPhysicalType
{
    public const int Boolean = 0;
    public const int Int32 = 1;
    public const int Int64 = 2;
    public const int Int96 = 3;
    public const int Float = 4;
    public const int Double = 5;
    public const int ByteArray = 6;
    public const int FixedLenByteArray = 7;
}

/// <summary>parquet.thrift <c>ConvertedType</c> (the legacy annotation written next to the logical type).</summary>
internal static class ParquetConvertedType
{
    public const int Utf8 = 0;
    public const int Decimal = 5;
    public const int Date = 6;
    public const int TimestampMillis = 9;
    public const int TimestampMicros = 10;
    public const int UInt8 = 11;
    public const int UInt16 = 12;
    public const int UInt32 = 13;
    public const int UInt64 = 14;
    public const int Int8 = 15;
    public const int Int16 = 16;
    public const int Int32 = 17;
    public const int Int64 = 18;
}

/// <summary>parquet.thrift <c>FieldRepetitionType</c>.</summary>
internal static class ParquetRepetition
{
    public const int Required = 0;
    public const int Optional = 1;
    public const int Repeated = 2;
}

/// <summary>parquet.thrift <c>CompressionCodec</c>.</summary>
internal static class ParquetCodec
{
    public const int Uncompressed = 0;
    public const int Snappy = 1;
    public const int Gzip = 2;
    public const int Lzo = 3;
    public const int Brotli = 4;

    /// <summary>The deprecated Hadoop-framed LZ4; <see cref="Lz4Raw"/> is what readers agree on.</summary>
    public const int Lz4 = 5;
    public const int Zstd = 6;
    public const int Lz4Raw = 7;
}

/// <summary>The field ids of the parquet.thrift structures, one nested class per structure.</summary>
internal static class ParquetThrift
{
    /// <summary>The file footer.</summary>
    public static class FileMetaData
    {
        public const short Version = 1;
        public const short Schema = 2;
        public const short NumRows = 3;
        public const short RowGroups = 4;
        public const short KeyValueMetadata = 5;
        public const short CreatedBy = 6;
        public const short ColumnOrders = 7;
        public const short EncryptionAlgorithm = 8;
        public const short FooterSigningKeyMetadata = 9;
    }

    /// <summary>One node of the flattened schema tree.</summary>
    public static class SchemaElement
    {
        public const short Type = 1;
        public const short TypeLength = 2;
        public const short RepetitionType = 3;
        public const short Name = 4;
        public const short NumChildren = 5;
        public const short ConvertedType = 6;
        public const short Scale = 7;
        public const short Precision = 8;
        public const short FieldId = 9;
        public const short LogicalType = 10;
    }

    /// <summary>The <c>LogicalType</c> union: the id of the member that is set.</summary>
    public static class LogicalType
    {
        public const short String = 1;
        public const short Map = 2;
        public const short List = 3;
        public const short Enum = 4;
        public const short Decimal = 5;
        public const short Date = 6;
        public const short Time = 7;
        public const short Timestamp = 8;
        public const short Integer = 10;
        public const short Unknown = 11;
        public const short Json = 12;
        public const short Bson = 13;
        public const short Uuid = 14;
        public const short Float16 = 15;
        public const short Variant = 16;
        public const short Geometry = 17;
        public const short Geography = 18;
    }

    /// <summary><c>DecimalType</c>.</summary>
    public static class DecimalType
    {
        public const short Scale = 1;
        public const short Precision = 2;
    }

    /// <summary><c>TimeType</c> and <c>TimestampType</c>.</summary>
    public static class TimestampType
    {
        public const short IsAdjustedToUtc = 1;
        public const short Unit = 2;
    }

    /// <summary>The <c>TimeUnit</c> union.</summary>
    public static class TimeUnit
    {
        public const short Millis = 1;
        public const short Micros = 2;
        public const short Nanos = 3;
    }

    /// <summary><c>IntType</c>.</summary>
    public static class IntType
    {
        public const short BitWidth = 1;
        public const short IsSigned = 2;
    }

    /// <summary><c>VariantType</c>.</summary>
    public static class VariantType
    {
        public const short SpecificationVersion = 1;
    }

    /// <summary><c>GeometryType</c>.</summary>
    public static class GeometryType
    {
        public const short Crs = 1;
    }

    /// <summary><c>GeographyType</c>.</summary>
    public static class GeographyType
    {
        public const short Crs = 1;
        public const short Algorithm = 2;
    }

    /// <summary><c>SortingColumn</c>.</summary>
    public static class SortingColumn
    {
        public const short ColumnIndex = 1;
        public const short Descending = 2;
        public const short NullsFirst = 3;
    }

    /// <summary><c>PageEncodingStats</c>.</summary>
    public static class PageEncodingStats
    {
        public const short PageType = 1;
        public const short Encoding = 2;
        public const short Count = 3;
    }

    /// <summary><c>SizeStatistics</c>.</summary>
    public static class SizeStatistics
    {
        public const short UnencodedByteArrayDataBytes = 1;
        public const short RepetitionLevelHistogram = 2;
        public const short DefinitionLevelHistogram = 3;
    }

    /// <summary><c>GeospatialStatistics</c>.</summary>
    public static class GeospatialStatistics
    {
        public const short BoundingBox = 1;
        public const short GeospatialTypes = 2;
    }

    /// <summary><c>BoundingBox</c>: fields 1 to 8 are the doubles xmin, xmax, ymin, ymax, zmin, zmax, mmin, mmax.</summary>
    public static class BoundingBox
    {
        public const short First = 1;
        public const short Last = 8;
    }

    /// <summary>The <c>EncryptionAlgorithm</c> union.</summary>
    public static class EncryptionAlgorithm
    {
        public const short AesGcmV1 = 1;
        public const short AesGcmCtrV1 = 2;
    }

    /// <summary><c>AesGcmV1</c> and <c>AesGcmCtrV1</c>.</summary>
    public static class AesGcm
    {
        public const short AadPrefix = 1;
        public const short AadFileUnique = 2;
        public const short SupplyAadPrefix = 3;
    }

    /// <summary>The <c>ColumnCryptoMetaData</c> union.</summary>
    public static class ColumnCryptoMetaData
    {
        public const short EncryptionWithFooterKey = 1;
        public const short EncryptionWithColumnKey = 2;
    }

    /// <summary><c>EncryptionWithColumnKey</c>.</summary>
    public static class EncryptionWithColumnKey
    {
        public const short PathInSchema = 1;
        public const short KeyMetadata = 2;
    }

    /// <summary><c>RowGroup</c>.</summary>
    public static class RowGroup
    {
        public const short Columns = 1;
        public const short TotalByteSize = 2;
        public const short NumRows = 3;
        public const short SortingColumns = 4;
        public const short FileOffset = 5;
        public const short TotalCompressedSize = 6;
        public const short Ordinal = 7;
    }

    /// <summary><c>ColumnChunk</c>.</summary>
    public static class ColumnChunk
    {
        public const short FilePath = 1;
        public const short FileOffset = 2;
        public const short MetaData = 3;
        public const short OffsetIndexOffset = 4;
        public const short OffsetIndexLength = 5;
        public const short ColumnIndexOffset = 6;
        public const short ColumnIndexLength = 7;
        public const short CryptoMetadata = 8;
        public const short EncryptedColumnMetadata = 9;
    }

    /// <summary><c>ColumnMetaData</c>.</summary>
    public static class ColumnMetaData
    {
        public const short Type = 1;
        public const short Encodings = 2;
        public const short PathInSchema = 3;
        public const short Codec = 4;
        public const short NumValues = 5;
        public const short TotalUncompressedSize = 6;
        public const short TotalCompressedSize = 7;
        public const short KeyValueMetadata = 8;
        public const short DataPageOffset = 9;
        public const short IndexPageOffset = 10;
        public const short DictionaryPageOffset = 11;
        public const short Statistics = 12;
        public const short EncodingStats = 13;
        public const short BloomFilterOffset = 14;
        public const short BloomFilterLength = 15;
        public const short SizeStatistics = 16;
        public const short GeospatialStatistics = 17;
    }

    /// <summary><c>Statistics</c>.</summary>
    public static class Statistics
    {
        public const short LegacyMax = 1;
        public const short LegacyMin = 2;
        public const short NullCount = 3;
        public const short DistinctCount = 4;
        public const short MaxValue = 5;
        public const short MinValue = 6;
        public const short IsMaxValueExact = 7;
        public const short IsMinValueExact = 8;
    }

    /// <summary><c>KeyValue</c>.</summary>
    public static class KeyValue
    {
        public const short Key = 1;
        public const short Value = 2;
    }

    /// <summary>The <c>ColumnOrder</c> union.</summary>
    public static class ColumnOrder
    {
        public const short TypeOrder = 1;
    }

    /// <summary><c>PageHeader</c>.</summary>
    public static class PageHeader
    {
        public const short Type = 1;
        public const short UncompressedPageSize = 2;
        public const short CompressedPageSize = 3;
        public const short Crc = 4;
        public const short DataPageHeader = 5;
        public const short IndexPageHeader = 6;
        public const short DictionaryPageHeader = 7;
        public const short DataPageHeaderV2 = 8;
    }

    /// <summary><c>DataPageHeader</c> (v1).</summary>
    public static class DataPageHeader
    {
        public const short NumValues = 1;
        public const short Encoding = 2;
        public const short DefinitionLevelEncoding = 3;
        public const short RepetitionLevelEncoding = 4;
        public const short Statistics = 5;
    }

    /// <summary><c>DictionaryPageHeader</c>.</summary>
    public static class DictionaryPageHeader
    {
        public const short NumValues = 1;
        public const short Encoding = 2;
        public const short IsSorted = 3;
    }

    /// <summary><c>DataPageHeaderV2</c>.</summary>
    public static class DataPageHeaderV2
    {
        public const short NumValues = 1;
        public const short NumNulls = 2;
        public const short NumRows = 3;
        public const short Encoding = 4;
        public const short DefinitionLevelsByteLength = 5;
        public const short RepetitionLevelsByteLength = 6;
        public const short IsCompressed = 7;
        public const short Statistics = 8;
    }
}

/// <summary>The Thrift compact protocol's wire types (the low nibble of a field header, or an element type).</summary>
internal static class ThriftWireType
{
    public const byte Stop = 0;
    public const byte BooleanTrue = 1;
    public const byte BooleanFalse = 2;
    public const byte Byte = 3;
    public const byte I16 = 4;
    public const byte I32 = 5;
    public const byte I64 = 6;
    public const byte Double = 7;
    public const byte Binary = 8;
    public const byte List = 9;
    public const byte Set = 10;
    public const byte Map = 11;
    public const byte Struct = 12;
    public const byte Uuid = 13;
}
