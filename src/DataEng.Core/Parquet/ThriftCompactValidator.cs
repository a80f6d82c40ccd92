using Id = DataEng.Core.ParquetFormat.ParquetThrift;
using Wire = DataEng.Core.ParquetFormat.ThriftWireType;

namespace DataEng.Core.ParquetFormat;

/// <summary>
/// Checks that bytes hold one well-formed Thrift compact-protocol Parquet structure (the footer's
/// <c>FileMetaData</c>, or a <c>PageHeader</c>) before Parquet.Net parses them. Parquet.Net's generated readers trust
/// the bytes: they loop on varints past the end, read a field as the type the schema expects whatever the wire says
/// (a damaged type byte turns an integer into a string length of hundreds of megabytes), and size lists from headers.
/// </summary>
/// <remarks>
/// The walk knows the wire type of every field of the Parquet structures (parquet.thrift) and rejects a known field
/// with another type; unknown fields are skipped generically. Work and memory are bounded: each step consumes at least
/// one byte, every length and container size is checked against the bytes left, nesting is limited to
/// <see cref="MaxDepth"/>, and nothing is allocated.
/// </remarks>
internal static class ThriftCompactValidator
{
    /// <summary>The deepest nesting of structs and containers accepted (Parquet's footer needs about 8).</summary>
    public const int MaxDepth = 64;

    /// <summary>The Parquet Thrift structures whose fields are checked.</summary>
    private enum Kind : byte
    {
        Unknown,
        FileMetaData,
        SchemaElement,
        LogicalType,
        Empty,
        DecimalType,
        TimeType,
        TimeUnit,
        IntType,
        VariantType,
        GeometryType,
        GeographyType,
        RowGroup,
        SortingColumn,
        ColumnChunk,
        ColumnMetaData,
        Statistics,
        PageEncodingStats,
        SizeStatistics,
        GeospatialStatistics,
        BoundingBox,
        KeyValue,
        ColumnOrder,
        EncryptionAlgorithm,
        AesGcm,
        ColumnCryptoMetaData,
        EncryptionWithColumnKey,
        PageHeader,
        DataPageHeader,
        DictionaryPageHeader,
        DataPageHeaderV2,
    }

    /// <summary>The expected wire type of a field; for structs and lists, what they hold.</summary>
    private readonly record struct Spec(int Type, Kind Struct = Kind.Unknown, int Element = 0, Kind ElementStruct = Kind.Unknown);

    /// <summary>The fields of a Parquet page header the reader checks before Parquet.Net decodes the page.</summary>
    /// <param name="Length">The header's length in bytes.</param>
    /// <param name="Type">The page type (a <see cref="ParquetPageType"/>), or -1 when missing.</param>
    /// <param name="UncompressedSize">The uncompressed page size, or -1 when missing.</param>
    /// <param name="CompressedSize">The compressed page size, or -1 when missing.</param>
    /// <param name="ValueCount">The number of values of a data or dictionary page, or -1 when missing.</param>
    public readonly record struct PageHeader(int Length, int Type, long UncompressedSize, long CompressedSize, long ValueCount);

    /// <summary>The fields of a page header the reader's own page decoder needs (beyond <see cref="PageHeader"/>).</summary>
    /// <param name="Encoding">The values' encoding (data, dictionary or v2 data page), or -1 when missing.</param>
    /// <param name="DefinitionEncoding">The definition levels' encoding of a v1 data page, or -1.</param>
    /// <param name="DefinitionLevelsLength">The byte length of a v2 page's definition levels, or -1.</param>
    /// <param name="RepetitionLevelsLength">The byte length of a v2 page's repetition levels, or -1.</param>
    /// <param name="IsCompressed">Whether a v2 page's values are compressed (the default when missing).</param>
    public readonly record struct PageDetails(int Encoding, int DefinitionEncoding, long DefinitionLevelsLength, long RepetitionLevelsLength, bool IsCompressed);

    /// <summary>Checks that <paramref name="bytes"/> is exactly one well-formed <c>FileMetaData</c>.</summary>
    /// <param name="bytes">The footer bytes.</param>
    /// <param name="error">What is wrong, when the result is <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when well-formed.</returns>
    public static bool TryValidateFileMetaData(ReadOnlySpan<byte> bytes, out string? error)
    {
        var reader = new Reader(bytes);
        if (!reader.SkipStruct(0, Kind.FileMetaData))
        {
            error = $"malformed Thrift metadata at byte {reader.Position}: {reader.Error}";
            return false;
        }

        if (reader.Position != bytes.Length)
        {
            error = $"the Thrift metadata ends at byte {reader.Position} but {bytes.Length} bytes were declared";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Checks that <paramref name="bytes"/> is exactly one well-formed Thrift struct of any shape.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="error">What is wrong, when the result is <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when well-formed.</returns>
    public static bool TryValidateStruct(ReadOnlySpan<byte> bytes, out string? error)
    {
        var reader = new Reader(bytes);
        if (!reader.SkipStruct(0, Kind.Unknown))
        {
            error = $"malformed Thrift structure at byte {reader.Position}: {reader.Error}";
            return false;
        }

        error = reader.Position == bytes.Length ? null : $"the structure ends at byte {reader.Position} but {bytes.Length} bytes were given";
        return error is null;
    }

    /// <summary>Reads a Parquet <c>PageHeader</c> at the start of <paramref name="bytes"/>, validating all of it.</summary>
    /// <param name="bytes">The bytes, starting with the header (page data may follow).</param>
    /// <param name="header">The header fields.</param>
    /// <param name="error">What is wrong, when the result is <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when a well-formed header was read.</returns>
    public static bool TryReadPageHeader(ReadOnlySpan<byte> bytes, out PageHeader header, out string? error)
        => TryReadPageHeader(bytes, out header, out _, out error);

    /// <summary>Reads a Parquet <c>PageHeader</c> at the start of <paramref name="bytes"/>, validating all of it, with
    /// the encoding details of its data or dictionary page header.</summary>
    /// <param name="bytes">The bytes, starting with the header (page data may follow).</param>
    /// <param name="header">The header fields.</param>
    /// <param name="details">The encoding details.</param>
    /// <param name="error">What is wrong, when the result is <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when a well-formed header was read.</returns>
    public static bool TryReadPageHeader(ReadOnlySpan<byte> bytes, out PageHeader header, out PageDetails details, out string? error)
    {
        var reader = new Reader(bytes);
        if (!reader.SkipStruct(0, Kind.PageHeader))
        {
            header = default;
            details = default;
            error = $"malformed page header at byte {reader.Position}: {reader.Error}";
            return false;
        }

        header = new PageHeader(reader.Position, (int)reader.PageType, reader.PageUncompressed, reader.PageCompressed, reader.PageValues);
        details = new PageDetails((int)reader.PageEncoding, (int)reader.PageDefinitionEncoding, reader.PageDefinitionLength, reader.PageRepetitionLength, reader.PageCompressedFlag);
        error = null;
        return true;
    }

    private static Spec? Lookup(Kind kind, short id) => kind switch
    {
        Kind.FileMetaData => id switch
        {
            Id.FileMetaData.Version => new(Wire.I32),
            Id.FileMetaData.Schema => new(Wire.List, Element: Wire.Struct, ElementStruct: Kind.SchemaElement),
            Id.FileMetaData.NumRows => new(Wire.I64),
            Id.FileMetaData.RowGroups => new(Wire.List, Element: Wire.Struct, ElementStruct: Kind.RowGroup),
            Id.FileMetaData.KeyValueMetadata => new(Wire.List, Element: Wire.Struct, ElementStruct: Kind.KeyValue),
            Id.FileMetaData.CreatedBy => new(Wire.Binary),
            Id.FileMetaData.ColumnOrders => new(Wire.List, Element: Wire.Struct, ElementStruct: Kind.ColumnOrder),
            Id.FileMetaData.EncryptionAlgorithm => new(Wire.Struct, Kind.EncryptionAlgorithm),
            Id.FileMetaData.FooterSigningKeyMetadata => new(Wire.Binary),
            _ => null,
        },
        Kind.SchemaElement => id switch
        {
            Id.SchemaElement.Type or Id.SchemaElement.TypeLength or Id.SchemaElement.RepetitionType or Id.SchemaElement.NumChildren
                or Id.SchemaElement.ConvertedType or Id.SchemaElement.Scale or Id.SchemaElement.Precision or Id.SchemaElement.FieldId => new(Wire.I32),
            Id.SchemaElement.Name => new(Wire.Binary),
            Id.SchemaElement.LogicalType => new(Wire.Struct, Kind.LogicalType),
            _ => null,
        },
        Kind.LogicalType => id switch
        {
            Id.LogicalType.String or Id.LogicalType.Map or Id.LogicalType.List or Id.LogicalType.Enum or Id.LogicalType.Date
                or Id.LogicalType.Unknown or Id.LogicalType.Json or Id.LogicalType.Bson or Id.LogicalType.Uuid or Id.LogicalType.Float16 => new(Wire.Struct, Kind.Empty),
            Id.LogicalType.Decimal => new(Wire.Struct, Kind.DecimalType),
            Id.LogicalType.Time or Id.LogicalType.Timestamp => new(Wire.Struct, Kind.TimeType),
            Id.LogicalType.Integer => new(Wire.Struct, Kind.IntType),
            Id.LogicalType.Variant => new(Wire.Struct, Kind.VariantType),
            Id.LogicalType.Geometry => new(Wire.Struct, Kind.GeometryType),
            Id.LogicalType.Geography => new(Wire.Struct, Kind.GeographyType),
            _ => null,
        },
        Kind.DecimalType => id is Id.DecimalType.Scale or Id.DecimalType.Precision ? new(Wire.I32) : null,
        Kind.TimeType => id switch
        {
            Id.TimestampType.IsAdjustedToUtc => new(Wire.BooleanTrue),
            Id.TimestampType.Unit => new(Wire.Struct, Kind.TimeUnit),
            _ => null,
        },
        Kind.TimeUnit => id is Id.TimeUnit.Millis or Id.TimeUnit.Micros or Id.TimeUnit.Nanos ? new(Wire.Struct, Kind.Empty) : null,
        Kind.IntType => id switch
        {
            Id.IntType.BitWidth => new(Wire.Byte),
            Id.IntType.IsSigned => new(Wire.BooleanTrue),
            _ => null,
        },
        Kind.VariantType => id == Id.VariantType.SpecificationVersion ? new(Wire.Byte) : null,
        Kind.GeometryType => id == Id.GeometryType.Crs ? new(Wire.Binary) : null,
        Kind.GeographyType => id switch
        {
            Id.GeographyType.Crs => new(Wire.Binary),
            Id.GeographyType.Algorithm => new(Wire.I32),
            _ => null,
        },
        Kind.RowGroup => id switch
        {
            Id.RowGroup.Columns => new(Wire.List, Element: Wire.Struct, ElementStruct: Kind.ColumnChunk),
            Id.RowGroup.TotalByteSize or Id.RowGroup.NumRows or Id.RowGroup.FileOffset or Id.RowGroup.TotalCompressedSize => new(Wire.I64),
            Id.RowGroup.SortingColumns => new(Wire.List, Element: Wire.Struct, ElementStruct: Kind.SortingColumn),
            Id.RowGroup.Ordinal => new(Wire.I16),
            _ => null,
        },
        Kind.SortingColumn => id switch
        {
            Id.SortingColumn.ColumnIndex => new(Wire.I32),
            Id.SortingColumn.Descending or Id.SortingColumn.NullsFirst => new(Wire.BooleanTrue),
            _ => null,
        },
        Kind.ColumnChunk => id switch
        {
            Id.ColumnChunk.FilePath or Id.ColumnChunk.EncryptedColumnMetadata => new(Wire.Binary),
            Id.ColumnChunk.FileOffset or Id.ColumnChunk.OffsetIndexOffset or Id.ColumnChunk.ColumnIndexOffset => new(Wire.I64),
            Id.ColumnChunk.MetaData => new(Wire.Struct, Kind.ColumnMetaData),
            Id.ColumnChunk.OffsetIndexLength or Id.ColumnChunk.ColumnIndexLength => new(Wire.I32),
            Id.ColumnChunk.CryptoMetadata => new(Wire.Struct, Kind.ColumnCryptoMetaData),
            _ => null,
        },
        Kind.ColumnMetaData => id switch
        {
            Id.ColumnMetaData.Type or Id.ColumnMetaData.Codec or Id.ColumnMetaData.BloomFilterLength => new(Wire.I32),
            Id.ColumnMetaData.Encodings => new(Wire.List, Element: Wire.I32),
            Id.ColumnMetaData.PathInSchema => new(Wire.List, Element: Wire.Binary),
            Id.ColumnMetaData.NumValues or Id.ColumnMetaData.TotalUncompressedSize or Id.ColumnMetaData.TotalCompressedSize or Id.ColumnMetaData.DataPageOffset
                or Id.ColumnMetaData.IndexPageOffset or Id.ColumnMetaData.DictionaryPageOffset or Id.ColumnMetaData.BloomFilterOffset => new(Wire.I64),
            Id.ColumnMetaData.KeyValueMetadata => new(Wire.List, Element: Wire.Struct, ElementStruct: Kind.KeyValue),
            Id.ColumnMetaData.Statistics => new(Wire.Struct, Kind.Statistics),
            Id.ColumnMetaData.EncodingStats => new(Wire.List, Element: Wire.Struct, ElementStruct: Kind.PageEncodingStats),
            Id.ColumnMetaData.SizeStatistics => new(Wire.Struct, Kind.SizeStatistics),
            Id.ColumnMetaData.GeospatialStatistics => new(Wire.Struct, Kind.GeospatialStatistics),
            _ => null,
        },
        Kind.Statistics => id switch
        {
            Id.Statistics.LegacyMax or Id.Statistics.LegacyMin or Id.Statistics.MaxValue or Id.Statistics.MinValue => new(Wire.Binary),
            Id.Statistics.NullCount or Id.Statistics.DistinctCount => new(Wire.I64),
            Id.Statistics.IsMaxValueExact or Id.Statistics.IsMinValueExact => new(Wire.BooleanTrue),
            _ => null,
        },
        Kind.PageEncodingStats => id is Id.PageEncodingStats.PageType or Id.PageEncodingStats.Encoding or Id.PageEncodingStats.Count ? new(Wire.I32) : null,
        Kind.SizeStatistics => id switch
        {
            Id.SizeStatistics.UnencodedByteArrayDataBytes => new(Wire.I64),
            Id.SizeStatistics.RepetitionLevelHistogram or Id.SizeStatistics.DefinitionLevelHistogram => new(Wire.List, Element: Wire.I64),
            _ => null,
        },
        Kind.GeospatialStatistics => id switch
        {
            Id.GeospatialStatistics.BoundingBox => new(Wire.Struct, Kind.BoundingBox),
            Id.GeospatialStatistics.GeospatialTypes => new(Wire.List, Element: Wire.I32),
            _ => null,
        },
        Kind.BoundingBox => id is >= Id.BoundingBox.First and <= Id.BoundingBox.Last ? new(Wire.Double) : null,
        Kind.KeyValue => id is Id.KeyValue.Key or Id.KeyValue.Value ? new(Wire.Binary) : null,
        Kind.ColumnOrder => id == Id.ColumnOrder.TypeOrder ? new(Wire.Struct, Kind.Empty) : null,
        Kind.EncryptionAlgorithm => id is Id.EncryptionAlgorithm.AesGcmV1 or Id.EncryptionAlgorithm.AesGcmCtrV1 ? new(Wire.Struct, Kind.AesGcm) : null,
        Kind.AesGcm => id switch
        {
            Id.AesGcm.AadPrefix or Id.AesGcm.AadFileUnique => new(Wire.Binary),
            Id.AesGcm.SupplyAadPrefix => new(Wire.BooleanTrue),
            _ => null,
        },
        Kind.ColumnCryptoMetaData => id switch
        {
            Id.ColumnCryptoMetaData.EncryptionWithFooterKey => new(Wire.Struct, Kind.Empty),
            Id.ColumnCryptoMetaData.EncryptionWithColumnKey => new(Wire.Struct, Kind.EncryptionWithColumnKey),
            _ => null,
        },
        Kind.EncryptionWithColumnKey => id switch
        {
            Id.EncryptionWithColumnKey.PathInSchema => new(Wire.List, Element: Wire.Binary),
            Id.EncryptionWithColumnKey.KeyMetadata => new(Wire.Binary),
            _ => null,
        },
        Kind.PageHeader => id switch
        {
            Id.PageHeader.Type or Id.PageHeader.UncompressedPageSize or Id.PageHeader.CompressedPageSize or Id.PageHeader.Crc => new(Wire.I32),
            Id.PageHeader.DataPageHeader => new(Wire.Struct, Kind.DataPageHeader),
            Id.PageHeader.IndexPageHeader => new(Wire.Struct, Kind.Empty),
            Id.PageHeader.DictionaryPageHeader => new(Wire.Struct, Kind.DictionaryPageHeader),
            Id.PageHeader.DataPageHeaderV2 => new(Wire.Struct, Kind.DataPageHeaderV2),
            _ => null,
        },
        Kind.DataPageHeader => id switch
        {
            Id.DataPageHeader.NumValues or Id.DataPageHeader.Encoding or Id.DataPageHeader.DefinitionLevelEncoding or Id.DataPageHeader.RepetitionLevelEncoding => new(Wire.I32),
            Id.DataPageHeader.Statistics => new(Wire.Struct, Kind.Statistics),
            _ => null,
        },
        Kind.DictionaryPageHeader => id switch
        {
            Id.DictionaryPageHeader.NumValues or Id.DictionaryPageHeader.Encoding => new(Wire.I32),
            Id.DictionaryPageHeader.IsSorted => new(Wire.BooleanTrue),
            _ => null,
        },
        Kind.DataPageHeaderV2 => id switch
        {
            Id.DataPageHeaderV2.NumValues or Id.DataPageHeaderV2.NumNulls or Id.DataPageHeaderV2.NumRows or Id.DataPageHeaderV2.Encoding
                or Id.DataPageHeaderV2.DefinitionLevelsByteLength or Id.DataPageHeaderV2.RepetitionLevelsByteLength => new(Wire.I32),
            Id.DataPageHeaderV2.IsCompressed => new(Wire.BooleanTrue),
            Id.DataPageHeaderV2.Statistics => new(Wire.Struct, Kind.Statistics),
            _ => null,
        },
        _ => null,
    };

    private static bool SameType(int expected, int actual)
        => expected == actual || (expected == Wire.BooleanTrue && actual == Wire.BooleanFalse) || (expected == Wire.List && actual == Wire.Set);

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _bytes;

        public Reader(ReadOnlySpan<byte> bytes)
        {
            _bytes = bytes;
            Position = 0;
            Error = null;
            PageType = PageUncompressed = PageCompressed = PageValues = -1;
            PageEncoding = PageDefinitionEncoding = PageDefinitionLength = PageRepetitionLength = -1;
            PageCompressedFlag = true;
        }

        public int Position { get; private set; }

        public string? Error { get; private set; }

        public long PageType { get; private set; }

        public long PageUncompressed { get; private set; }

        public long PageCompressed { get; private set; }

        public long PageValues { get; private set; }

        public long PageEncoding { get; private set; }

        public long PageDefinitionEncoding { get; private set; }

        public long PageDefinitionLength { get; private set; }

        public long PageRepetitionLength { get; private set; }

        public bool PageCompressedFlag { get; private set; }

        private readonly int Remaining => _bytes.Length - Position;

        public bool SkipStruct(int depth, Kind kind)
        {
            if (depth >= MaxDepth)
            {
                return Fail("nesting is too deep");
            }

            short id = 0;
            while (true)
            {
                if (!ReadByte(out var header))
                {
                    return false;
                }

                if (header == Wire.Stop)
                {
                    return true;
                }

                var type = header & 0x0F;
                var delta = header >> 4;
                if (delta != 0)
                {
                    id = (short)(id + delta);
                }
                else
                {
                    if (!ReadVarint(3, out var raw))
                    {
                        return false;
                    }

                    var value = (long)(raw >> 1) ^ -(long)(raw & 1);
                    if (value is < short.MinValue or > short.MaxValue)
                    {
                        return Fail("field id out of range");
                    }

                    id = (short)value;
                }

                if (type is Wire.Stop or > Wire.Uuid)
                {
                    return Fail($"unknown type {type}");
                }

                var spec = Lookup(kind, id);
                if (spec is { } s && !SameType(s.Type, type))
                {
                    return Fail($"field {id} of {kind} has wire type {type}, expected {s.Type}");
                }

                if (type is Wire.BooleanTrue or Wire.BooleanFalse)
                {
                    // The value is in the type nibble.
                    if (kind == Kind.DataPageHeaderV2 && id == Id.DataPageHeaderV2.IsCompressed)
                    {
                        PageCompressedFlag = type == Wire.BooleanTrue;
                    }

                    continue;
                }

                if (kind is Kind.PageHeader or Kind.DataPageHeader or Kind.DictionaryPageHeader or Kind.DataPageHeaderV2 && type == Wire.I32)
                {
                    if (!ReadZigZag32(out var number))
                    {
                        return false;
                    }

                    Record(kind, id, number);
                    continue;
                }

                if (!SkipValue(type, depth + 1, spec?.Struct ?? Kind.Unknown, spec?.Element ?? 0, spec?.ElementStruct ?? Kind.Unknown))
                {
                    return false;
                }
            }
        }

        private void Record(Kind kind, short id, long value)
        {
            if (kind == Kind.PageHeader)
            {
                switch (id)
                {
                    case Id.PageHeader.Type: PageType = value; break;
                    case Id.PageHeader.UncompressedPageSize: PageUncompressed = value; break;
                    case Id.PageHeader.CompressedPageSize: PageCompressed = value; break;
                }
            }
            else if (id is Id.DataPageHeader.NumValues or Id.DictionaryPageHeader.NumValues or Id.DataPageHeaderV2.NumValues)
            {
                PageValues = value;
            }
            else if (kind == Kind.DataPageHeader)
            {
                switch (id)
                {
                    case Id.DataPageHeader.Encoding: PageEncoding = value; break;
                    case Id.DataPageHeader.DefinitionLevelEncoding: PageDefinitionEncoding = value; break;
                }
            }
            else if (kind == Kind.DictionaryPageHeader)
            {
                if (id == Id.DictionaryPageHeader.Encoding)
                {
                    PageEncoding = value;
                }
            }
            else if (kind == Kind.DataPageHeaderV2)
            {
                switch (id)
                {
                    case Id.DataPageHeaderV2.Encoding: PageEncoding = value; break;
                    case Id.DataPageHeaderV2.DefinitionLevelsByteLength: PageDefinitionLength = value; break;
                    case Id.DataPageHeaderV2.RepetitionLevelsByteLength: PageRepetitionLength = value; break;
                }
            }
        }

        private bool SkipValue(int type, int depth, Kind structKind, int element, Kind elementStruct)
        {
            switch (type)
            {
                case Wire.BooleanTrue:
                case Wire.BooleanFalse:
                case Wire.Byte:
                    // In containers booleans take one byte.
                    return Skip(1);
                case Wire.I16:
                    return ReadVarint(3, out _);
                case Wire.I32:
                    return ReadVarint(5, out _);
                case Wire.I64:
                    return ReadVarint(10, out _);
                case Wire.Double:
                    return Skip(8);
                case Wire.Uuid:
                    return Skip(16);
                case Wire.Binary:
                    if (!ReadVarint(5, out var length))
                    {
                        return false;
                    }

                    return length <= (ulong)Remaining ? Skip((int)length) : Fail($"a binary of {length} bytes overruns the structure");
                case Wire.List:
                case Wire.Set:
                    return SkipList(depth, element, elementStruct);
                case Wire.Map:
                    return SkipMap(depth);
                case Wire.Struct:
                    return SkipStruct(depth, structKind);
                default:
                    return Fail($"unknown type {type}");
            }
        }

        private bool SkipList(int depth, int expectedElement, Kind elementStruct)
        {
            if (depth >= MaxDepth)
            {
                return Fail("nesting is too deep");
            }

            if (!ReadByte(out var header))
            {
                return false;
            }

            ulong size = (ulong)(header >> 4);
            var elementType = header & 0x0F;
            if (size == 15 && !ReadVarint(5, out size))
            {
                return false;
            }

            // Every element takes at least one byte.
            if (size > (ulong)Remaining)
            {
                return Fail($"a list of {size} elements overruns the structure");
            }

            if (size == 0)
            {
                return true;
            }

            if (elementType is Wire.Stop or > Wire.Uuid)
            {
                return Fail($"unknown list element type {elementType}");
            }

            if (expectedElement != 0 && !SameType(expectedElement, elementType))
            {
                return Fail($"a list holds wire type {elementType}, expected {expectedElement}");
            }

            for (ulong i = 0; i < size; i++)
            {
                if (!SkipValue(elementType, depth + 1, elementStruct, 0, Kind.Unknown))
                {
                    return false;
                }
            }

            return true;
        }

        private bool SkipMap(int depth)
        {
            if (depth >= MaxDepth)
            {
                return Fail("nesting is too deep");
            }

            if (!ReadVarint(5, out var size))
            {
                return false;
            }

            if (size == 0)
            {
                return true;
            }

            if (!ReadByte(out var types))
            {
                return false;
            }

            var keyType = types >> 4;
            var valueType = types & 0x0F;
            if (size > (ulong)Remaining / 2)
            {
                return Fail($"a map of {size} entries overruns the structure");
            }

            if (keyType is Wire.Stop or > Wire.Uuid || valueType is Wire.Stop or > Wire.Uuid)
            {
                return Fail("unknown map key or value type");
            }

            for (ulong i = 0; i < size; i++)
            {
                if (!SkipValue(keyType, depth + 1, Kind.Unknown, 0, Kind.Unknown) || !SkipValue(valueType, depth + 1, Kind.Unknown, 0, Kind.Unknown))
                {
                    return false;
                }
            }

            return true;
        }

        private bool ReadZigZag32(out long value)
        {
            value = 0;
            if (!ReadVarint(5, out var raw))
            {
                return false;
            }

            if (raw > uint.MaxValue)
            {
                return Fail("an i32 is out of range");
            }

            value = (int)((uint)(raw >> 1) ^ (uint)-(long)(raw & 1));
            return true;
        }

        private bool ReadByte(out int value)
        {
            if (Position >= _bytes.Length)
            {
                value = 0;
                return Fail("unexpected end");
            }

            value = _bytes[Position++];
            return true;
        }

        private bool Skip(int count)
        {
            if (count > Remaining)
            {
                return Fail("unexpected end");
            }

            Position += count;
            return true;
        }

        private bool ReadVarint(int maxBytes, out ulong value)
        {
            value = 0;
            for (var i = 0; i < maxBytes; i++)
            {
                if (!ReadByte(out var b))
                {
                    return false;
                }

                value |= (ulong)(b & 0x7F) << (7 * i);
                if ((b & 0x80) == 0)
                {
                    return true;
                }
            }

            return Fail("a variable-length integer is too long");
        }

        private bool Fail(string error)
        {
            Error ??= error;
            return false;
        }
    }
}
