using CsCheck;
using DataEng.Core.ParquetFormat;

namespace DataEng.Core.Tests.Parquet;

/// <summary>Property tests of <see cref="RleBitPackedDecoder"/> against a small encoder written from the Parquet spec.</summary>
public class RleBitPackedDecoderTests
{
    /// <summary>A run: repeated (RLE) or literal (bit-packed) values.</summary>
    private sealed record Run(bool Repeated, int[] Values);

    private static readonly Gen<(int BitWidth, Run[] Runs)> Encodings =
        from bitWidth in Gen.Int[0, 32]
        from runs in Gen.Select(Gen.Bool, Gen.Int[1, 40], Gen.UInt)
            .Select((repeated, length, seed) => (repeated, length, seed))
            .Array[0, 12]
        select (bitWidth, runs.Select(r => MakeRun(bitWidth, r.repeated, r.length, r.seed)).ToArray());

    [Fact]
    public void Read_RandomRleAndBitPackedRuns_ReturnsTheEncodedValues()
    {
        Encodings.Sample(sample =>
        {
            var (bitWidth, runs) = sample;
            var expected = runs.SelectMany(r => r.Values).ToArray();
            var bytes = Encode(bitWidth, runs);
            var actual = new int[expected.Length];

            new RleBitPackedDecoder(bytes, bitWidth).Read(actual);

            Assert.Equal(expected, actual);
        });
    }

    [Fact]
    public void Read_RandomBytes_ReturnOrThrowInvalidDataWithoutOverrunning()
    {
        Gen.Select(Gen.Byte.Array[0, 64], Gen.Int[0, 40], Gen.Int[0, 300]).Sample((bytes, bitWidth, count) =>
        {
            var output = new int[count];
            try
            {
                new RleBitPackedDecoder(bytes, bitWidth).Read(output);
                Assert.True(bitWidth <= 32);
            }
            catch (InvalidDataException)
            {
                // A clean failure is fine.
            }
        });
    }

    [Fact]
    public void Read_TruncatedLastBitPackedRun_ReadsTheValuesPresent()
    {
        // Header: one group of 8 values at bit width 3 (3 bytes), but only 2 bytes follow: 5 whole values.
        byte[] bytes = [0b11, 0b10_001_000, 0b0_100_011_0];
        var output = new int[5];

        new RleBitPackedDecoder(bytes, 3).Read(output);

        Assert.Equal([0, 1, 2, 3, 4], output);
    }

    [Fact]
    public void Read_ZeroLengthRun_ThrowsInvalidData()
    {
        byte[] bytes = [0, 1];

        Assert.Throws<InvalidDataException>(() => new RleBitPackedDecoder(bytes, 1).Read(new int[4]));
    }

    private static Run MakeRun(int bitWidth, bool repeated, int length, uint seed)
    {
        var mask = bitWidth == 32 ? uint.MaxValue : (1u << bitWidth) - 1;
        var random = new Random((int)seed);
        if (repeated)
        {
            return new Run(true, Enumerable.Repeat((int)(seed & mask), length).ToArray());
        }

        // Bit-packed runs hold whole groups of 8 values.
        return new Run(false, Enumerable.Range(0, ((length + 7) / 8) * 8).Select(_ => (int)((uint)random.NextInt64() & mask)).ToArray());
    }

    private static byte[] Encode(int bitWidth, Run[] runs)
    {
        var output = new List<byte>();
        foreach (var run in runs)
        {
            if (run.Repeated)
            {
                WriteUleb(output, (ulong)run.Values.Length << 1);
                var value = (uint)run.Values[0];
                for (var i = 0; i < (bitWidth + 7) / 8; i++)
                {
                    output.Add((byte)(value >> (8 * i)));
                }
            }
            else
            {
                WriteUleb(output, ((ulong)(run.Values.Length / 8) << 1) | 1);
                var packed = new byte[run.Values.Length * bitWidth / 8];
                long bit = 0;
                foreach (var value in run.Values)
                {
                    for (var b = 0; b < bitWidth; b++, bit++)
                    {
                        if ((((uint)value >> b) & 1) != 0)
                        {
                            packed[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                        }
                    }
                }

                output.AddRange(packed);
            }
        }

        return [.. output];
    }

    private static void WriteUleb(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }
}
