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
}
