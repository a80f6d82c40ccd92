using System.Buffers.Binary;

namespace DataEng.Core.ParquetFormat;

/// <summary>
/// Decodes Parquet's RLE / bit-packed hybrid encoding (definition levels, dictionary indices). Every read is bounded by
/// the input: a run that claims more bytes than remain, a zero-length run or a bit width above 32 is an
/// <see cref="InvalidDataException"/>, never a loop or an out-of-range read.
/// </summary>
internal ref struct RleBitPackedDecoder
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _bitWidth;
    private int _position;

    /// <summary>Creates a decoder over <paramref name="data"/> for values of <paramref name="bitWidth"/> bits (0–32).</summary>
    public RleBitPackedDecoder(ReadOnlySpan<byte> data, int bitWidth)
    {
        if (bitWidth is < 0 or > 32)
        {
            throw new InvalidDataException($"the bit width {bitWidth} is out of range (0 to 32)");
        }

        _data = data;
        _bitWidth = bitWidth;
        _position = 0;
    }

    /// <summary>Gets the bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Decodes exactly <c>output.Length</c> values.</summary>
    /// <exception cref="InvalidDataException">The input ends early or is malformed.</exception>
    public void Read(Span<int> output)
    {
        var produced = 0;
        var mask = _bitWidth == 32 ? uint.MaxValue : (1u << _bitWidth) - 1;
        var valueBytes = (_bitWidth + 7) >> 3;
        while (produced < output.Length)
        {
            var header = ReadUleb();
            if ((header & 1) == 0)
            {
                var run = header >> 1;
                if (run == 0)
                {
                    throw new InvalidDataException("an RLE run has length 0");
                }

                if (valueBytes > _data.Length - _position)
                {
                    throw new InvalidDataException("an RLE run overruns its data");
                }

                uint value = 0;
                for (var i = 0; i < valueBytes; i++)
                {
                    value |= (uint)_data[_position + i] << (8 * i);
                }

                _position += valueBytes;
                if ((value & ~mask) != 0)
                {
                    throw new InvalidDataException($"an RLE value {value} does not fit {_bitWidth} bits");
                }

                var take = (int)Math.Min(run, (ulong)(output.Length - produced));
                output.Slice(produced, take).Fill((int)value);
                produced += take;
            }
            else
            {
                var groups = header >> 1;
                if (groups == 0)
                {
                    throw new InvalidDataException("a bit-packed run has no groups");
                }

                var remaining = _data.Length - _position;
                var declaredBytes = groups * (ulong)_bitWidth;
                // Writers may end the last run early; values are taken only from the bytes that are there.
                var bytes = (int)Math.Min(declaredBytes, (ulong)remaining);
                var available = _bitWidth == 0 ? ulong.MaxValue : (ulong)bytes * 8 / (ulong)_bitWidth;
                var want = (int)Math.Min(Math.Min(groups * 8, available), (ulong)(output.Length - produced));
                if (want == 0)
                {
                    throw new InvalidDataException("a bit-packed run overruns its data");
                }

                Unpack(_data.Slice(_position, bytes), output.Slice(produced, want), _bitWidth, mask);
                produced += want;
                _position += bytes;
            }
        }
    }

    private static void Unpack(ReadOnlySpan<byte> source, Span<int> output, int bitWidth, uint mask)
    {
        if (bitWidth == 0)
        {
            output.Clear();
            return;
        }

        long bit = 0;
        var i = 0;
        // Fast path: a 64-bit window read needs 8 bytes from the value's first byte.
        for (; i < output.Length; i++, bit += bitWidth)
        {
            var byteIndex = (int)(bit >> 3);
            if (byteIndex + 8 > source.Length)
            {
                break;
            }

            var window = BinaryPrimitives.ReadUInt64LittleEndian(source[byteIndex..]);
            output[i] = (int)((uint)(window >> (int)(bit & 7)) & mask);
        }

        for (; i < output.Length; i++, bit += bitWidth)
        {
            ulong window = 0;
            var byteIndex = (int)(bit >> 3);
            for (var b = 0; b < 8 && byteIndex + b < source.Length; b++)
            {
                window |= (ulong)source[byteIndex + b] << (8 * b);
            }

            output[i] = (int)((uint)(window >> (int)(bit & 7)) & mask);
        }
    }

    private ulong ReadUleb()
    {
        ulong result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new InvalidDataException("an RLE/bit-packed run header overruns its data");
            }

            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new InvalidDataException("an RLE/bit-packed run header is longer than 5 bytes");
    }
}
