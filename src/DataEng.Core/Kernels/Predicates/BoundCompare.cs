using System.Numerics;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>Compares a fixed-width column (or a boolean one, as 0/1) with a scalar of its storage type.</summary>
internal sealed class BoundCompare<T>(int column, ComparisonOperator op, T scalar, bool boolean = false) : RowResultPredicate(column)
    where T : unmanaged, INumber<T>
{
    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        if (boolean)
        {
            FillBoolean(data, results);
            return;
        }

        var values = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
        switch (op)
        {
            case ComparisonOperator.Equal:
                Loop<Equal>(values, scalar, results);
                break;
            case ComparisonOperator.NotEqual:
                Loop<NotEqual>(values, scalar, results);
                break;
            case ComparisonOperator.LessThan:
                Loop<Less>(values, scalar, results);
                break;
            case ComparisonOperator.LessThanOrEqual:
                Loop<LessOrEqual>(values, scalar, results);
                break;
            case ComparisonOperator.GreaterThan:
                Loop<Greater>(values, scalar, results);
                break;
            case ComparisonOperator.GreaterThanOrEqual:
                Loop<GreaterOrEqual>(values, scalar, results);
                break;
            case ComparisonOperator.AlwaysTrue:
                results.Fill(ulong.MaxValue);
                break;
        }
    }

    private static void Loop<TOp>(ReadOnlySpan<T> values, T scalar, Span<ulong> results)
        where TOp : struct, ITest
    {
        var words = values.Length >> 6;
        for (var w = 0; w < words; w++)
        {
            var block = values.Slice(w << 6, 64);
            ulong word = 0;
            for (var j = 0; j < 64; j++)
            {
                word |= (TOp.Test(block[j], scalar) ? 1UL : 0UL) << j;
            }

            results[w] = word;
        }

        for (var i = words << 6; i < values.Length; i++)
        {
            if (TOp.Test(values[i], scalar))
            {
                results[i >> 6] |= 1UL << (i & 63);
            }
        }
    }

    private void FillBoolean(ArrayData data, Span<ulong> results)
    {
        var bits = data.Buffers[1].Span;
        for (var i = 0; i < data.Length; i++)
        {
            var value = Bitmaps.Get(bits, data.Offset + i) ? T.One : T.Zero;
            var pass = op switch
            {
                ComparisonOperator.Equal => value == scalar,
                ComparisonOperator.NotEqual => value != scalar,
                ComparisonOperator.LessThan => value < scalar,
                ComparisonOperator.LessThanOrEqual => value <= scalar,
                ComparisonOperator.GreaterThan => value > scalar,
                ComparisonOperator.GreaterThanOrEqual => value >= scalar,
                ComparisonOperator.AlwaysTrue => true,
                _ => false,
            };
            if (pass)
            {
                results[i >> 6] |= 1UL << (i & 63);
            }
        }
    }

    private interface ITest
    {
        static abstract bool Test(T value, T scalar);
    }

    private struct Equal : ITest
    {
        public static bool Test(T value, T scalar) => value == scalar;
    }

    private struct NotEqual : ITest
    {
        public static bool Test(T value, T scalar) => value != scalar;
    }

    private struct Less : ITest
    {
        public static bool Test(T value, T scalar) => value < scalar;
    }

    private struct LessOrEqual : ITest
    {
        public static bool Test(T value, T scalar) => value <= scalar;
    }

    private struct Greater : ITest
    {
        public static bool Test(T value, T scalar) => value > scalar;
    }

    private struct GreaterOrEqual : ITest
    {
        public static bool Test(T value, T scalar) => value >= scalar;
    }
}
