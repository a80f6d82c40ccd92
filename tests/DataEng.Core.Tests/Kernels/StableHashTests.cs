using System.Text;

namespace DataEng.Core.Tests.Kernels;

public class StableHashTests
{
    // Reference values from the Iceberg table spec (Appendix B, "32-bit hash requirements").
    [Fact]
    public void Murmur3_Long34_MatchesIcebergSpec() => Assert.Equal(2017239379u, StableHash.Murmur3_32(34L));

    [Fact]
    public void Murmur3_StringIceberg_MatchesIcebergSpec() => Assert.Equal(1210000089u, StableHash.Murmur3_32(Encoding.UTF8.GetBytes("iceberg")));

    [Fact]
    public void Murmur3_Empty_IsZeroForSeedZero() => Assert.Equal(0u, StableHash.Murmur3_32(ReadOnlySpan<byte>.Empty));

    [Fact]
    public void Combine_IsOrderDependent() => Assert.NotEqual(StableHash.Combine(StableHash.Combine(0, 1), 2), StableHash.Combine(StableHash.Combine(0, 2), 1));

    // Reference values of the xxHash64 specification (seed 0).
    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    public void XxHash64_MatchesReferenceValues(string text, ulong expected) => Assert.Equal(expected, StableHash.XxHash64(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void XxHash64_OfALong_EqualsTheHashOfItsEightBytes()
    {
        foreach (var value in new ulong[] { 0, 1, 42, ulong.MaxValue, 0x0123456789ABCDEF })
        {
            Assert.Equal(StableHash.XxHash64(BitConverter.GetBytes(value)), StableHash.XxHash64(value));
        }
    }

    [Fact]
    public void XxHash64_LongInputs_UseEveryByte()
    {
        var bytes = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var hashes = new HashSet<ulong>();
        for (var length = 0; length <= bytes.Length; length++)
        {
            Assert.True(hashes.Add(StableHash.XxHash64(bytes.AsSpan(0, length))));
        }

        var changed = (byte[])bytes.Clone();
        changed[70] ^= 1;
        Assert.NotEqual(StableHash.XxHash64(bytes), StableHash.XxHash64(changed));
    }
}
