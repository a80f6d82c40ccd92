using CsCheck;

namespace DataEng.Core.Tests.Kernels;

public class BitmapsTests
{
    [Fact]
    public void Gather_Property_MatchesBitByBitCopy()
    {
        // Any source offset, any destination start (head, whole bytes, tail), a destination with garbage in it.
        Gen.Select(Gen.Bool.Array[1, 200], Gen.Int[0, 9], Gen.Int[0, 20], Gen.Byte.Array[40]).Sample(static (bits, sourceOffset, start, garbage) =>
        {
            var source = new byte[(bits.Length + sourceOffset + 7) / 8];
            for (var i = 0; i < bits.Length; i++)
            {
                if (bits[i])
                {
                    Bitmaps.Set(source, sourceOffset + i);
                }
            }

            var indices = Enumerable.Range(0, bits.Length).Reverse().Where(static i => i % 3 != 1).ToArray();
            var destination = garbage.ToArray();
            var set = Bitmaps.Gather(source, sourceOffset, indices, destination, start);
            Assert.Equal(indices.Count(i => bits[i]), set);
            for (var k = 0; k < indices.Length; k++)
            {
                Assert.Equal(bits[indices[k]], Bitmaps.Get(destination, start + k));
            }

            // Bits outside the gathered range are untouched.
            for (var b = 0; b < destination.Length * 8; b++)
            {
                if (b < start || b >= start + indices.Length)
                {
                    Assert.Equal(Bitmaps.Get(garbage, b), Bitmaps.Get(destination, b));
                }
            }
        });
    }

    [Fact]
    public void SetRangeAndClearRange_TouchOnlyTheirBits()
    {
        var bits = new byte[4];
        Bitmaps.SetRange(bits, 3, 15);
        Assert.Equal(Enumerable.Range(0, 32).Select(static i => i is >= 3 and < 18), Enumerable.Range(0, 32).Select(i => Bitmaps.Get(bits, i)));
        Bitmaps.ClearRange(bits, 5, 4);
        Assert.Equal(Enumerable.Range(0, 32).Select(static i => i is >= 3 and < 18 and not (>= 5 and < 9)), Enumerable.Range(0, 32).Select(i => Bitmaps.Get(bits, i)));
    }
}
