using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace DataEng.Core.ParquetFormat;

/// <summary>
/// Encodes Parquet's RLE / bit-packed hybrid (the inverse of <see cref="RleBitPackedDecoder"/>) without the length
/// prefix or bit-width byte a page adds. Values are bit-packed in groups of eight; wherever at least eight equal values
/// follow (at any position, not only on a group boundary) the pending literals are closed, padded to a whole group with
/// the first values of the repeat, and the rest of the repeat becomes one RLE run.
/// </summary>
internal static class RleBitPackedEncoder
{
    /// <summary>The shortest repeat written as an RLE run.</summary>
    private const int MinRun = 8;

    /// <summary>An upper bound on the bytes <see cref="Encode"/> writes for <paramref name="count"/> values.</summary>
    /// <param name="count">The number of values.</param>
    /// <param name="width">The bit width (0–32).</param>
    /// <returns>The bound in bytes.</returns>
    public static int MaxEncodedLength(int count, int width)
    {
        // Literal values (padded to whole groups) take width bits each; every run costs at most a 5-byte header, and
        // an RLE run's value at most 4 bytes. A run covers at least 8 values, and literal and RLE runs alternate.
        var groups = ((long)count + 7) >> 3;
        var bound = (groups * width) + (((count / MinRun) + 2L) * (5 + 5 + 4));
        return bound > System.Array.MaxLength ? throw new InvalidOperationException("A Parquet page would exceed the largest array.") : (int)bound;
    }

    /// <summary>Encodes <paramref name="values"/> (each below 2^<paramref name="width"/>) into <paramref name="output"/>.</summary>
    /// <param name="values">The values.</param>
    /// <param name="width">The bit width (0–32).</param>
    /// <param name="output">The destination, at least <see cref="MaxEncodedLength"/> bytes.</param>
    /// <returns>The number of bytes written.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Encode(ReadOnlySpan<int> values, int width, Span<byte> output)
    {
        var length = 0;
        var literalStart = 0;
        var i = 0;
        while (i < values.Length)
        {
            var run = RunLength(values, i);
            if (run < MinRun)
            {
                // Too short to repeat: the values join the pending literals.
                i += run;
                continue;
            }

            var literals = i - literalStart;
            if (literals > 0)
            {
                // Literal runs hold whole groups of eight: borrow the first values of the repeat to fill the last one.
                var pad = (MinRun - (literals % MinRun)) % MinRun;
                if (run - pad < MinRun)
                {
                    i += run;
                    continue;
                }

                length += WriteLiteral(values.Slice(literalStart, literals + pad), width, output[length..]);
                i += pad;
                run -= pad;
            }

            length += WriteRepeat(values[i], run, width, output[length..]);
            i += run;
            literalStart = i;
        }

        if (literalStart < values.Length)
        {
            length += WriteLiteral(values[literalStart..], width, output[length..]);
        }

        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RunLength(ReadOnlySpan<int> values, int start)
    {
        var value = values[start];
        var end = start + 1;
        while (end < values.Length && values[end] == value)
        {
            end++;
        }

        return end - start;
    }

    private static int WriteRepeat(int value, int count, int width, Span<byte> output)
    {
        var length = WriteVarint(output, (uint)count << 1);
        for (var b = 0; b < (width + 7) >> 3; b++)
        {
            output[length++] = (byte)(value >> (8 * b));
        }

        return length;
    }

    /// <summary>Writes a bit-packed run of the values, the last group padded with zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int WriteLiteral(ReadOnlySpan<int> values, int width, Span<byte> output)
    {
        var groups = (values.Length + 7) >> 3;
        var length = WriteVarint(output, ((uint)groups << 1) | 1);
        var whole = values.Length >> 3;
        for (var g = 0; g < whole; g++)
        {
            length += PackGroup(values.Slice(g << 3, 8), width, output[length..]);
        }

        if (whole < groups)
        {
            Span<int> last = stackalloc int[8];
            last.Clear();
            values[(whole << 3)..].CopyTo(last);
            length += PackGroup(last, width, output[length..]);
        }

        return length;
    }

    /// <summary>Packs eight values LSB first into exactly <paramref name="width"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PackGroup(ReadOnlySpan<int> group, int width, Span<byte> output)
    {
        ulong buffer = 0;
        var bits = 0;
        var length = 0;
        for (var i = 0; i < 8; i++)
        {
            buffer |= (ulong)(uint)group[i] << bits;
            bits += width;
            if (bits >= 32)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(output[length..], (uint)buffer);
                length += 4;
                buffer >>= 32;
                bits -= 32;
            }
        }

        // Eight values fill whole bytes: what remains is bits / 8 bytes.
        for (; bits > 0; bits -= 8)
        {
            output[length++] = (byte)buffer;
            buffer >>= 8;
        }

        return length;
    }

    /// <summary>Writes an unsigned LEB128 varint (a run header, also used for the level runs of a data page).</summary>
    /// <param name="output">Where to write (at least 5 bytes).</param>
    /// <param name="value">The value.</param>
    /// <returns>The bytes written.</returns>
    internal static int WriteVarint(Span<byte> output, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            output[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        output[i++] = (byte)value;
        return i;
    }
}
