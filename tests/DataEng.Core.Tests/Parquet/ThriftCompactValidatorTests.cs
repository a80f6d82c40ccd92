using System.Buffers.Binary;
using DataEng.Core.ParquetFormat;

namespace DataEng.Core.Tests.Parquet;

public class ThriftCompactValidatorTests
{
    private static readonly Lazy<byte[]> Footer = new(() =>
    {
        using var batch = ParquetTestData.AllTypesBatch();
        using var stream = new MemoryStream();
        var writer = ArrowParquetWriter.CreateAsync(stream, batch.Schema, new ParquetWriteOptions(), new Dictionary<string, string> { ["k"] = "v" }, default).AsTask().GetAwaiter().GetResult();
        writer.WriteAsync(batch).AsTask().GetAwaiter().GetResult();
        writer.CompleteAsync().AsTask().GetAwaiter().GetResult();
        var file = stream.ToArray();
        var length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        return file[(file.Length - 8 - length)..^8];
    });

    [Fact]
    public void TryValidateFileMetaData_RealFooter_IsValid()
        => Assert.True(ThriftCompactValidator.TryValidateFileMetaData(Footer.Value, out var error), error);

    [Fact]
    public void TryValidateFileMetaData_TrailingBytes_AreRejected()
    {
        byte[] bytes = [.. Footer.Value, 0];

        Assert.False(ThriftCompactValidator.TryValidateFileMetaData(bytes, out var error));
        Assert.Contains("ends at byte", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidateFileMetaData_EveryTruncation_IsRejected()
    {
        var footer = Footer.Value;
        for (var length = 0; length < footer.Length; length++)
        {
            Assert.False(ThriftCompactValidator.TryValidateFileMetaData(footer.AsSpan(0, length), out _), $"a footer cut at {length} bytes passed");
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x15, 0x96, 0x96, 0x96, 0x96, 0x96, 0x96, 0x00 }, "too long")]
    [InlineData(new byte[] { 0xF8, 0xFF, 0xFF, 0xFF, 0x7F }, "overruns")]
    [InlineData(new byte[] { 0xF9, 0xFC, 0xFF, 0xFF, 0xFF, 0x0F }, "overruns")]
    [InlineData(new byte[] { 0x1E, 0x00 }, "unknown type")]
    [InlineData(new byte[] { 0x16, 0x02, 0x00 }, "wire type")]
    public void TryValidateFileMetaData_Damage_IsRejectedWithAReason(byte[] bytes, string reason)
    {
        Assert.False(ThriftCompactValidator.TryValidateFileMetaData(bytes, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidateFileMetaData_DeepNesting_IsRejected()
    {
        // Unknown field 20 holding a struct holding a struct ... deeper than allowed.
        var bytes = new List<byte>();
        for (var i = 0; i < ThriftCompactValidator.MaxDepth + 5; i++)
        {
            bytes.Add(0x0C);
            bytes.Add(40);
        }

        bytes.AddRange(Enumerable.Repeat((byte)0, ThriftCompactValidator.MaxDepth + 6));

        Assert.False(ThriftCompactValidator.TryValidateFileMetaData(bytes.ToArray(), out var error));
        Assert.Contains("too deep", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidateStruct_UnknownFields_AreSkipped()
    {
        // field 1: i32 150, field 2: binary "hi", field 3: list<i64> [1, 2], field 4: map<i32,bool> {1: true}, stop
        byte[] bytes = [0x15, 0xAC, 0x02, 0x18, 0x02, (byte)'h', (byte)'i', 0x19, 0x26, 0x02, 0x04, 0x1B, 0x01, 0x51, 0x02, 0x01, 0x00];

        Assert.True(ThriftCompactValidator.TryValidateStruct(bytes, out var error), error);
    }

    [Fact]
    public void TryReadPageHeader_ReadsSizesAndValueCount()
    {
        // PageHeader { 1: type 0, 2: uncompressed 100, 3: compressed 60, 5: DataPageHeader { 1: num_values 7 } }, then page data.
        byte[] bytes = [0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0x78, 0x2C, 0x15, 0x0E, 0x00, 0x00, 0xAA, 0xBB];

        Assert.True(ThriftCompactValidator.TryReadPageHeader(bytes, out var header, out var error), error);

        Assert.Equal(new ThriftCompactValidator.PageHeader(12, 0, 100, 60, 7), header);
    }

    [Fact]
    public void TryReadPageHeader_SizeWithWrongWireType_IsRejected()
    {
        // Field 2 (uncompressed_page_size) sent as a binary: Parquet.Net would read it as an i32 and go astray.
        byte[] bytes = [0x15, 0x00, 0x18, 0x01, 0x41, 0x00];

        Assert.False(ThriftCompactValidator.TryReadPageHeader(bytes, out _, out var error));
        Assert.Contains("wire type", error, StringComparison.Ordinal);
    }
}
