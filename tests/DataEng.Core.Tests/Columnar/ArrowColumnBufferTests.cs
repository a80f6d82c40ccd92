using Apache.Arrow;
using Apache.Arrow.Types;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Columnar;

public class ArrowColumnBufferTests
{
    [Fact]
    public void Build_ManyBatches_ReusesStagingAndLeavesEveryBatchIntact()
    {
        var allocator = new CountingMemoryAllocator();
        var ints = new ArrowColumnBuffer(Int64Type.Default);
        var strings = new ArrowColumnBuffer(StringType.Default);
        var bools = new ArrowColumnBuffer(BooleanType.Default);
        var arrays = new List<IArrowArray>();

        for (var batch = 0; batch < 3; batch++)
        {
            var rows = 3000 - (batch * 1000); // grows past the initial capacity, then shrinks
            for (var i = 0; i < rows; i++)
            {
                if (i % 7 == 3)
                {
                    ints.AppendNull();
                    strings.AppendNull();
                    bools.AppendNull();
                }
                else
                {
                    ints.Append((long)(batch * 10_000) + i);
                    strings.AppendUtf8($"b{batch}-{i}-ü");
                    bools.AppendBoolean(i % 2 == 0);
                }
            }

            arrays.Add(ints.Build(allocator));
            arrays.Add(strings.Build(allocator));
            arrays.Add(bools.Build(allocator));
        }

        for (var batch = 0; batch < 3; batch++)
        {
            var rows = 3000 - (batch * 1000);
            var i64 = (Int64Array)arrays[batch * 3];
            var str = (StringArray)arrays[(batch * 3) + 1];
            var bit = (BooleanArray)arrays[(batch * 3) + 2];
            Assert.Equal(rows, i64.Length);
            Assert.Equal(Enumerable.Range(0, rows).Count(i => i % 7 == 3), i64.NullCount);
            for (var i = 0; i < rows; i++)
            {
                if (i % 7 == 3)
                {
                    Assert.True(i64.IsNull(i) && str.IsNull(i) && bit.IsNull(i));
                }
                else
                {
                    Assert.Equal((batch * 10_000) + i, i64.GetValue(i));
                    Assert.Equal($"b{batch}-{i}-ü", str.GetString(i));
                    Assert.Equal(i % 2 == 0, bit.GetValue(i));
                }
            }
        }

        arrays.ForEach(a => a.Dispose());
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public void Build_NoNulls_HasNoValidityBuffer()
    {
        var buffer = new ArrowColumnBuffer(DoubleType.Default);
        buffer.Append(1.5);

        using var array = buffer.Build(new CountingMemoryAllocator());

        Assert.True(array.Data.Buffers[0].IsEmpty);
        Assert.Equal(0, array.NullCount);
    }

    [Fact]
    public void Truncate_DropsAPartialRowInEveryLayout()
    {
        var strings = new ArrowColumnBuffer(StringType.Default);
        var decimals = new ArrowColumnBuffer(new Decimal128Type(10, 2));
        strings.AppendUtf8("keep");
        decimals.Append((Int128)1234);
        strings.AppendUtf8("drop me");
        decimals.AppendNull();

        strings.Truncate(1);
        decimals.Truncate(1);
        strings.AppendUtf8("next");
        decimals.Append((Int128)(-5));

        using var s = (StringArray)strings.Build(new CountingMemoryAllocator());
        using var d = (Decimal128Array)decimals.Build(new CountingMemoryAllocator());
        Assert.Equal(["keep", "next"], new[] { s.GetString(0), s.GetString(1) });
        Assert.Equal([12.34m, -0.05m], new[] { d.GetValue(0), d.GetValue(1) });
        Assert.Equal(0, d.NullCount);
    }

    [Fact]
    public void Build_EmptyBatch_IsAValidZeroLengthArray()
    {
        using var array = (StringArray)new ArrowColumnBuffer(StringType.Default).Build(new CountingMemoryAllocator());

        Assert.Equal(0, array.Length);
        Assert.Equal(1, array.ValueOffsets.Length);
    }
}
