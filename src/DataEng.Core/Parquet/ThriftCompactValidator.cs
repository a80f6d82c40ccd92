namespace DataEng.Core;

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

    private const int TypeStop = 0;
    private const int TypeTrue = 1;
    private const int TypeFalse = 2;
    private const int TypeByte = 3;
    private const int TypeI16 = 4;
    private const int TypeI32 = 5;
    private const int TypeI64 = 6;
    private const int TypeDouble = 7;
    private const int TypeBinary = 8;
    private const int TypeList = 9;
    private const int TypeSet = 10;
    private const int TypeMap = 11;
    private const int TypeStruct = 12;
    private const int TypeUuid = 13;

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
    /// <param name="Type">The page type (0 data, 1 index, 2 dictionary, 3 data v2), or -1 when missing.</param>
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
            1 => new(TypeI32),
            2 => new(TypeList, Element: TypeStruct, ElementStruct: Kind.SchemaElement),
            3 => new(TypeI64),
            4 => new(TypeList, Element: TypeStruct, ElementStruct: Kind.RowGroup),
            5 => new(TypeList, Element: TypeStruct, ElementStruct: Kind.KeyValue),
            6 => new(TypeBinary),
            7 => new(TypeList, Element: TypeStruct, ElementStruct: Kind.ColumnOrder),
            8 => new(TypeStruct, Kind.EncryptionAlgorithm),
            9 => new(TypeBinary),
            _ => null,
        },
        Kind.SchemaElement => id switch
        {
            1 or 2 or 3 or 5 or 6 or 7 or 8 or 9 => new(TypeI32),
            4 => new(TypeBinary),
            10 => new(TypeStruct, Kind.LogicalType),
            _ => null,
        },
        Kind.LogicalType => id switch
        {
            1 or 2 or 3 or 4 or 6 or 11 or 12 or 13 or 14 or 15 => new(TypeStruct, Kind.Empty),
            5 => new(TypeStruct, Kind.DecimalType),
            7 or 8 => new(TypeStruct, Kind.TimeType),
            10 => new(TypeStruct, Kind.IntType),
            16 => new(TypeStruct, Kind.VariantType),
            17 => new(TypeStruct, Kind.GeometryType),
            18 => new(TypeStruct, Kind.GeographyType),
            _ => null,
        },
        Kind.DecimalType => id is 1 or 2 ? new(TypeI32) : null,
        Kind.TimeType => id switch
        {
            1 => new(TypeTrue),
            2 => new(TypeStruct, Kind.TimeUnit),
            _ => null,
        },
        Kind.TimeUnit => id is 1 or 2 or 3 ? new(TypeStruct, Kind.Empty) : null,
        Kind.IntType => id switch
        {
            1 => new(TypeByte),
            2 => new(TypeTrue),
            _ => null,
        },
        Kind.VariantType => id == 1 ? new(TypeByte) : null,
        Kind.GeometryType => id == 1 ? new(TypeBinary) : null,
        Kind.GeographyType => id switch
        {
            1 => new(TypeBinary),
            2 => new(TypeI32),
            _ => null,
        },
        Kind.RowGroup => id switch
        {
            1 => new(TypeList, Element: TypeStruct, ElementStruct: Kind.ColumnChunk),
            2 or 3 or 5 or 6 => new(TypeI64),
            4 => new(TypeList, Element: TypeStruct, ElementStruct: Kind.SortingColumn),
            7 => new(TypeI16),
            _ => null,
        },
        Kind.SortingColumn => id switch
        {
            1 => new(TypeI32),
            2 or 3 => new(TypeTrue),
            _ => null,
        },
        Kind.ColumnChunk => id switch
        {
            1 or 9 => new(TypeBinary),
            2 or 4 or 6 => new(TypeI64),
            3 => new(TypeStruct, Kind.ColumnMetaData),
            5 or 7 => new(TypeI32),
            8 => new(TypeStruct, Kind.ColumnCryptoMetaData),
            _ => null,
        },
        Kind.ColumnMetaData => id switch
        {
            1 or 4 or 15 => new(TypeI32),
            2 => new(TypeList, Element: TypeI32),
            3 => new(TypeList, Element: TypeBinary),
            5 or 6 or 7 or 9 or 10 or 11 or 14 => new(TypeI64),
            8 => new(TypeList, Element: TypeStruct, ElementStruct: Kind.KeyValue),
            12 => new(TypeStruct, Kind.Statistics),
            13 => new(TypeList, Element: TypeStruct, ElementStruct: Kind.PageEncodingStats),
            16 => new(TypeStruct, Kind.SizeStatistics),
            17 => new(TypeStruct, Kind.GeospatialStatistics),
            _ => null,
        },
        Kind.Statistics => id switch
        {
            1 or 2 or 5 or 6 => new(TypeBinary),
            3 or 4 => new(TypeI64),
            7 or 8 => new(TypeTrue),
            _ => null,
        },
        Kind.PageEncodingStats => id is 1 or 2 or 3 ? new(TypeI32) : null,
        Kind.SizeStatistics => id switch
        {
            1 => new(TypeI64),
            2 or 3 => new(TypeList, Element: TypeI64),
            _ => null,
        },
        Kind.GeospatialStatistics => id switch
        {
            1 => new(TypeStruct, Kind.BoundingBox),
            2 => new(TypeList, Element: TypeI32),
            _ => null,
        },
        Kind.BoundingBox => id is >= 1 and <= 8 ? new(TypeDouble) : null,
        Kind.KeyValue => id is 1 or 2 ? new(TypeBinary) : null,
        Kind.ColumnOrder => id == 1 ? new(TypeStruct, Kind.Empty) : null,
        Kind.EncryptionAlgorithm => id is 1 or 2 ? new(TypeStruct, Kind.AesGcm) : null,
        Kind.AesGcm => id switch
        {
            1 or 2 => new(TypeBinary),
            3 => new(TypeTrue),
            _ => null,
        },
        Kind.ColumnCryptoMetaData => id switch
        {
            1 => new(TypeStruct, Kind.Empty),
            2 => new(TypeStruct, Kind.EncryptionWithColumnKey),
            _ => null,
        },
        Kind.EncryptionWithColumnKey => id switch
        {
            1 => new(TypeList, Element: TypeBinary),
            2 => new(TypeBinary),
            _ => null,
        },
        Kind.PageHeader => id switch
        {
            1 or 2 or 3 or 4 => new(TypeI32),
            5 => new(TypeStruct, Kind.DataPageHeader),
            6 => new(TypeStruct, Kind.Empty),
            7 => new(TypeStruct, Kind.DictionaryPageHeader),
            8 => new(TypeStruct, Kind.DataPageHeaderV2),
            _ => null,
        },
        Kind.DataPageHeader => id switch
        {
            1 or 2 or 3 or 4 => new(TypeI32),
            5 => new(TypeStruct, Kind.Statistics),
            _ => null,
        },
        Kind.DictionaryPageHeader => id switch
        {
            1 or 2 => new(TypeI32),
            3 => new(TypeTrue),
            _ => null,
        },
        Kind.DataPageHeaderV2 => id switch
        {
            1 or 2 or 3 or 4 or 5 or 6 => new(TypeI32),
            7 => new(TypeTrue),
            8 => new(TypeStruct, Kind.Statistics),
            _ => null,
        },
        _ => null,
    };

    private static bool SameType(int expected, int actual)
        => expected == actual || (expected == TypeTrue && actual == TypeFalse) || (expected == TypeList && actual == TypeSet);

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

                if (header == TypeStop)
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

                if (type is TypeStop or > TypeUuid)
                {
                    return Fail($"unknown type {type}");
                }

                var spec = Lookup(kind, id);
                if (spec is { } s && !SameType(s.Type, type))
                {
                    return Fail($"field {id} of {kind} has wire type {type}, expected {s.Type}");
                }

                if (type is TypeTrue or TypeFalse)
                {
                    // The value is in the type nibble.
                    if (kind == Kind.DataPageHeaderV2 && id == 7)
                    {
                        PageCompressedFlag = type == TypeTrue;
                    }

                    continue;
                }

                if (kind is Kind.PageHeader or Kind.DataPageHeader or Kind.DictionaryPageHeader or Kind.DataPageHeaderV2 && type == TypeI32)
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
                    case 1: PageType = value; break;
                    case 2: PageUncompressed = value; break;
                    case 3: PageCompressed = value; break;
                }
            }
            else if (id == 1)
            {
                PageValues = value;
            }
            else if (kind == Kind.DataPageHeader)
            {
                switch (id)
                {
                    case 2: PageEncoding = value; break;
                    case 3: PageDefinitionEncoding = value; break;
                }
            }
            else if (kind == Kind.DictionaryPageHeader)
            {
                if (id == 2)
                {
                    PageEncoding = value;
                }
            }
            else if (kind == Kind.DataPageHeaderV2)
            {
                switch (id)
                {
                    case 4: PageEncoding = value; break;
                    case 5: PageDefinitionLength = value; break;
                    case 6: PageRepetitionLength = value; break;
                }
            }
        }

        private bool SkipValue(int type, int depth, Kind structKind, int element, Kind elementStruct)
        {
            switch (type)
            {
                case TypeTrue:
                case TypeFalse:
                case TypeByte:
                    // In containers booleans take one byte.
                    return Skip(1);
                case TypeI16:
                    return ReadVarint(3, out _);
                case TypeI32:
                    return ReadVarint(5, out _);
                case TypeI64:
                    return ReadVarint(10, out _);
                case TypeDouble:
                    return Skip(8);
                case TypeUuid:
                    return Skip(16);
                case TypeBinary:
                    if (!ReadVarint(5, out var length))
                    {
                        return false;
                    }

                    return length <= (ulong)Remaining ? Skip((int)length) : Fail($"a binary of {length} bytes overruns the structure");
                case TypeList:
                case TypeSet:
                    return SkipList(depth, element, elementStruct);
                case TypeMap:
                    return SkipMap(depth);
                case TypeStruct:
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

            if (elementType is TypeStop or > TypeUuid)
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

            if (keyType is TypeStop or > TypeUuid || valueType is TypeStop or > TypeUuid)
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
