namespace DataEng.Core;

/// <summary>
/// Checks that bytes hold exactly one well-formed Thrift compact-protocol struct, without building anything: every
/// field, list, set, map and binary is skipped under strict bounds. Parquet.Net's own Thrift reader can loop forever or
/// allocate without limit on damaged input, so every footer is walked here first.
/// </summary>
/// <remarks>Work and memory are bounded: each step consumes at least one byte, container sizes are checked against
/// the bytes left, nesting is limited to <see cref="MaxDepth"/>, and nothing is allocated.</remarks>
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

    /// <summary>Checks that <paramref name="bytes"/> is exactly one struct.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="error">What is wrong, when the result is <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when well-formed.</returns>
    public static bool TryValidateStruct(ReadOnlySpan<byte> bytes, out string? error)
    {
        var reader = new Reader(bytes);
        if (!reader.SkipStruct(0))
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

    /// <summary>Measures one struct at the start of <paramref name="bytes"/> (for page headers, which are followed by
    /// page data).</summary>
    /// <param name="bytes">The bytes, starting with the struct.</param>
    /// <param name="length">The struct's length in bytes.</param>
    /// <param name="error">What is wrong, when the result is <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when a well-formed struct was found.</returns>
    public static bool TryMeasureStruct(ReadOnlySpan<byte> bytes, out int length, out string? error)
    {
        var reader = new Reader(bytes);
        if (!reader.SkipStruct(0))
        {
            length = 0;
            error = $"malformed Thrift structure at byte {reader.Position}: {reader.Error}";
            return false;
        }

        length = reader.Position;
        error = null;
        return true;
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _bytes;

        public Reader(ReadOnlySpan<byte> bytes)
        {
            _bytes = bytes;
            Position = 0;
            Error = null;
        }

        public int Position { get; private set; }

        public string? Error { get; private set; }

        private readonly int Remaining => _bytes.Length - Position;

        public bool SkipStruct(int depth)
        {
            if (depth >= MaxDepth)
            {
                return Fail("nesting is too deep");
            }

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
                if ((header >> 4) == 0)
                {
                    // Long form: the field id follows as a zigzag varint i16.
                    if (!ReadVarint(3, out var id))
                    {
                        return false;
                    }

                    var fieldId = (long)(id >> 1) ^ -(long)(id & 1);
                    if (fieldId is < short.MinValue or > short.MaxValue)
                    {
                        return Fail("field id out of range");
                    }
                }

                if (type is TypeTrue or TypeFalse)
                {
                    // The value is in the type nibble.
                    continue;
                }

                if (!SkipValue(type, depth + 1))
                {
                    return false;
                }
            }
        }

        private bool SkipValue(int type, int depth)
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
                    return SkipList(depth);
                case TypeMap:
                    return SkipMap(depth);
                case TypeStruct:
                    return SkipStruct(depth);
                default:
                    return Fail($"unknown type {type}");
            }
        }

        private bool SkipList(int depth)
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

            if (elementType is TypeStop or > TypeUuid)
            {
                return size == 0 || Fail($"unknown list element type {elementType}");
            }

            for (ulong i = 0; i < size; i++)
            {
                if (!SkipValue(elementType, depth + 1))
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
                if (!SkipValue(keyType, depth + 1) || !SkipValue(valueType, depth + 1))
                {
                    return false;
                }
            }

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
