using System.Buffers.Binary;
using System.Globalization;
using CsCheck;
using DataEng.Core.ParquetFormat;

namespace DataEng.Core.Tests.Parquet;

/// <summary>Property tests of <see cref="RleBitPackedEncoder"/>: what it writes is read back by our decoder and, as the
/// dictionary indices of a data page, by DuckDB.</summary>
public sealed class RleBitPackedEncoderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dataeng-rle-" + Guid.NewGuid().ToString("N"));

    public RleBitPackedEncoderTests()
    {
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Index sequences of repeats (up to 300 long) and random stretches, so repeats start at every offset
    /// modulo 8; values below <c>limit</c>.</summary>
    private static Gen<int[]> Sequences(long limit) =>
        Gen.Select(Gen.Bool, Gen.Int[1, 300], Gen.Int[1, 13], Gen.ULong).Array[1, 24].Select(segments =>
        {
            var values = new List<int>();
            foreach (var (repeat, runLength, literalLength, seed) in segments)
            {
                var random = new Random((int)(seed ^ (seed >> 32)));
                if (repeat)
                {
                    values.AddRange(Enumerable.Repeat((int)random.NextInt64(limit), runLength));
                }
                else
                {
                    for (var i = 0; i < literalLength; i++)
                    {
                        values.Add((int)random.NextInt64(limit));
                    }
                }
            }

            return values.ToArray();
        });

    private static byte[] Encode(int[] values, int width)
    {
        var output = new byte[RleBitPackedEncoder.MaxEncodedLength(values.Length, width)];
        var length = RleBitPackedEncoder.Encode(values, width, output);
        return output[..length];
    }

    [Fact]
    public void Encode_RandomSequencesEveryBitWidth_OurDecoderReadsThemBack()
    {
        for (var width = 0; width <= 32; width++)
        {
            var bitWidth = width;
            Sequences(1L << bitWidth).Sample(values =>
            {
                var decoded = new int[values.Length];

                new RleBitPackedDecoder(Encode(values, bitWidth), bitWidth).Read(decoded);

                Assert.Equal(values, decoded);
            }, iter: 300);
        }
    }

    [Fact]
    public void Encode_RepeatAtOddOffset_BecomesOneRleRun()
    {
        // 3 literals, 1,000 sevens, 2 literals: one padded literal group, one RLE run, one literal group.
        int[] values = [1, 2, 3, .. Enumerable.Repeat(7, 1000), 4, 5];

        var encoded = Encode(values, 3);

        byte[] literalGroup = [0b11, 0b11_010_001, 0b1_111_111_0, 0b111_111_11];
        Assert.Equal(literalGroup, encoded[..4]);
        Assert.Equal(4 + 3 + 4, encoded.Length);
        var decoded = new int[values.Length];
        new RleBitPackedDecoder(encoded, 3).Read(decoded);
        Assert.Equal(values, decoded);
    }

    [Fact]
    public void Encode_RandomSequencesEveryBitWidth_DuckDbReadsThemAsDictionaryIndices()
    {
        for (var width = 0; width <= 32; width++)
        {
            // The page declares the bit width; the indices stay below the dictionary's size (at most 1,024 entries).
            var bitWidth = width;
            var entries = 1 << Math.Min(bitWidth, 10);
            var dictionary = Enumerable.Range(0, entries).Select(i => (i * 7919) - 5000).ToArray();
            var iteration = 0;
            Sequences(entries).Sample(indices =>
            {
                var path = Path.Combine(_directory, $"w{bitWidth}-{iteration++}.parquet");
                File.WriteAllBytes(path, DictionaryFile(dictionary, indices, bitWidth));

                var rows = Duck.Query($"SELECT v FROM read_parquet('{path}', file_row_number = true) ORDER BY file_row_number");

                Assert.Equal(indices.Select(i => dictionary[i]), rows.Select(r => Convert.ToInt32(r[0], CultureInfo.InvariantCulture)));
                File.Delete(path);
            }, iter: 6, threads: 1);
        }
    }

    /// <summary>A Parquet file of one required INT32 column <c>v</c>: a PLAIN dictionary page and one RLE_DICTIONARY
    /// data page whose indices are <paramref name="indices"/> encoded at <paramref name="width"/> bits.</summary>
    private static byte[] DictionaryFile(int[] dictionary, int[] indices, int width)
    {
        using var file = new MemoryStream();
        file.Write("PAR1"u8);
        var dictionaryBody = new byte[dictionary.Length * 4];
        for (var i = 0; i < dictionary.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(dictionaryBody.AsSpan(4 * i), dictionary[i]);
        }

        var dictionaryOffset = file.Position;
        WritePage(file, dictionaryBody, dictionaryPage: true, dictionary.Length);
        var dataOffset = file.Position;
        WritePage(file, [(byte)width, .. Encode(indices, width)], dictionaryPage: false, indices.Length);
        var chunkBytes = file.Position - dictionaryOffset;

        using var thrift = new ThriftCompactWriter();
        thrift.BeginStruct();
        thrift.FieldI32(1, 1);
        thrift.FieldStructList(2, 2);
        thrift.BeginStruct();
        thrift.FieldString(4, "schema");
        thrift.FieldI32(5, 1);
        thrift.EndStruct();
        thrift.BeginStruct();
        thrift.FieldI32(1, 1);
        thrift.FieldI32(3, 0);
        thrift.FieldString(4, "v");
        thrift.EndStruct();
        thrift.FieldI64(3, indices.Length);
        thrift.FieldStructList(4, 1);
        thrift.BeginStruct();
        thrift.FieldStructList(1, 1);
        thrift.BeginStruct();
        thrift.FieldI64(2, dictionaryOffset);
        thrift.FieldStruct(3);
        thrift.BeginStruct();
        thrift.FieldI32(1, 1);
        thrift.FieldI32List(2, 2);
        thrift.ElementI32(0);
        thrift.ElementI32(8);
        thrift.FieldStringList(3, 1);
        thrift.ElementString("v");
        thrift.FieldI32(4, 0);
        thrift.FieldI64(5, indices.Length);
        thrift.FieldI64(6, chunkBytes);
        thrift.FieldI64(7, chunkBytes);
        thrift.FieldI64(9, dataOffset);
        thrift.FieldI64(11, dictionaryOffset);
        thrift.EndStruct();
        thrift.EndStruct();
        thrift.FieldI64(2, chunkBytes);
        thrift.FieldI64(3, indices.Length);
        thrift.EndStruct();
        thrift.EndStruct();

        file.Write(thrift.Written);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, thrift.Written.Length);
        file.Write(length);
        file.Write("PAR1"u8);
        return file.ToArray();
    }

    private static void WritePage(MemoryStream file, byte[] body, bool dictionaryPage, int values)
    {
        using var thrift = new ThriftCompactWriter();
        thrift.BeginStruct();
        thrift.FieldI32(1, dictionaryPage ? 2 : 0);
        thrift.FieldI32(2, body.Length);
        thrift.FieldI32(3, body.Length);
        thrift.FieldStruct(dictionaryPage ? (short)7 : (short)5);
        thrift.BeginStruct();
        thrift.FieldI32(1, values);
        thrift.FieldI32(2, dictionaryPage ? 0 : 8);
        if (!dictionaryPage)
        {
            thrift.FieldI32(3, 3);
            thrift.FieldI32(4, 3);
        }

        thrift.EndStruct();
        thrift.EndStruct();
        file.Write(thrift.Written);
        file.Write(body);
    }
}
