using System.Numerics;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

internal static partial class CastKernel
{
    private static CastPlan? BindNumeric(IArrowType from, IArrowType to)
    {
        var fromId = from.TypeId;
        var toId = to.TypeId;
        var fromPhysical = ClrTypes.PhysicalNumeric(fromId);
        var toPhysical = ClrTypes.PhysicalNumeric(toId);
        if (fromPhysical is not null && toPhysical is not null)
        {
            return (CastPlan)Make(typeof(NumericCast<,>), [fromPhysical, toPhysical], from, to);
        }

        if (fromPhysical is not null && to is Decimal128Type toDecimal)
        {
            return (CastPlan)Make(typeof(NumberToDecimalCast<>), [fromPhysical], from, toDecimal);
        }

        if (from is Decimal128Type fromDecimal && toPhysical is not null)
        {
            return (CastPlan)Make(typeof(DecimalToNumberCast<>), [toPhysical], fromDecimal, to);
        }

        if (from is Decimal128Type d1 && to is Decimal128Type d2)
        {
            return new DecimalRescaleCast(d1, d2);
        }

        if (fromId == ArrowTypeId.Boolean && toPhysical is not null)
        {
            return (CastPlan)Make(typeof(BooleanToNumberCast<>), [toPhysical], from, to);
        }

        if (fromId == ArrowTypeId.Boolean && to is Decimal128Type boolDecimal)
        {
            return new BooleanToDecimalCast(from, boolDecimal);
        }

        if (toId == ArrowTypeId.Boolean && fromPhysical is not null)
        {
            return (CastPlan)Make(typeof(NumberToBooleanCast<>), [fromPhysical], from, to);
        }

        if (toId == ArrowTypeId.Boolean && from is Decimal128Type)
        {
            return new DecimalToBooleanCast(from, to);
        }

        return null;
    }

    private static bool IsFloat<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    /// <summary>Integer ranges as Int128, for exact range checks.</summary>
    private static (Int128 Min, Int128 Max) Range<T>()
        where T : IMinMaxValue<T>, INumberBase<T> => (Int128.CreateTruncating(T.MinValue), Int128.CreateTruncating(T.MaxValue));

    /// <summary>Between the ten physical numeric types: range checked; fractions only with truncation allowed.</summary>
    private sealed class NumericCast<TSource, TTarget>(IArrowType from, IArrowType to) : FixedCast<TTarget>(from, to)
        where TSource : unmanaged, INumber<TSource>, IMinMaxValue<TSource>
        where TTarget : unmanaged, INumber<TTarget>, IMinMaxValue<TTarget>
    {
        protected override void Convert(ArrayData input, Span<TTarget> output, CastRun run)
        {
            var values = MemoryMarshal.Cast<byte, TSource>(input.Buffers[1].Span).Slice(input.Offset, input.Length);
            var validity = new Validity(input);
            var sourceFloat = IsFloat<TSource>();
            var targetFloat = IsFloat<TTarget>();
            var (min, max) = targetFloat ? default : Range<TTarget>();
            var lower = (double)min;
            var upperExclusive = (double)max + 1;
            for (var i = 0; i < values.Length; i++)
            {
                output[i] = default;
                if (!validity.IsValid(i))
                {
                    continue;
                }

                var value = values[i];
                if (targetFloat)
                {
                    var converted = TTarget.CreateTruncating(value);
                    if (sourceFloat && TTarget.IsInfinity(converted) && !TSource.IsInfinity(value))
                    {
                        run.Fail(i, Number(value), "out of range");
                        continue;
                    }

                    output[i] = converted;
                }
                else if (sourceFloat)
                {
                    var number = double.CreateTruncating(value);
                    if (!double.IsFinite(number))
                    {
                        run.Fail(i, Number(value), "not a finite number");
                        continue;
                    }

                    var whole = Math.Truncate(number);
                    if (whole != number && !run.AllowTruncation)
                    {
                        run.Fail(i, Number(value), "it has a fractional part (set AllowTruncation to drop it)");
                        continue;
                    }

                    if (whole < lower || whole >= upperExclusive)
                    {
                        run.Fail(i, Number(value), "out of range");
                        continue;
                    }

                    output[i] = TTarget.CreateTruncating(whole);
                }
                else
                {
                    var wide = Int128.CreateTruncating(value);
                    if (wide < min || wide > max)
                    {
                        run.Fail(i, Number(value), "out of range");
                        continue;
                    }

                    output[i] = TTarget.CreateTruncating(value);
                }
            }
        }
    }

    private sealed class NumberToDecimalCast<TSource>(IArrowType from, Decimal128Type to) : FixedCast<Int128>(from, to)
        where TSource : unmanaged, INumber<TSource>
    {
        protected override void Convert(ArrayData input, Span<Int128> output, CastRun run)
        {
            var values = MemoryMarshal.Cast<byte, TSource>(input.Buffers[1].Span).Slice(input.Offset, input.Length);
            var validity = new Validity(input);
            var floating = IsFloat<TSource>();
            for (var i = 0; i < values.Length; i++)
            {
                output[i] = default;
                if (!validity.IsValid(i))
                {
                    continue;
                }

                var value = values[i];
                Int128 unscaled;
                if (floating)
                {
                    var number = double.CreateTruncating(value);
                    if (!double.IsFinite(number) || Math.Abs(number) >= 7.9e28)
                    {
                        run.Fail(i, Number(value), "out of range");
                        continue;
                    }

                    if (!DecimalMath.TryFromDecimal((decimal)number, to.Scale, DecimalRounding.Truncate, out unscaled, out var exact))
                    {
                        run.Fail(i, Number(value), "out of range");
                        continue;
                    }

                    if (!exact && !run.AllowTruncation)
                    {
                        run.Fail(i, Number(value), $"it has more than {to.Scale} fractional digits (set AllowTruncation to drop them)");
                        continue;
                    }
                }
                else if (!DecimalMath.TryRescale(Int128.CreateTruncating(value), 0, to.Scale, DecimalRounding.Truncate, out unscaled, out _))
                {
                    run.Fail(i, Number(value), "out of range");
                    continue;
                }

                if (!DecimalMath.FitsPrecision(unscaled, to.Precision))
                {
                    run.Fail(i, Number(value), $"it needs more than {to.Precision} digits");
                    continue;
                }

                output[i] = unscaled;
            }
        }
    }

    private sealed class DecimalToNumberCast<TTarget>(Decimal128Type from, IArrowType to) : FixedCast<TTarget>(from, to)
        where TTarget : unmanaged, INumber<TTarget>, IMinMaxValue<TTarget>
    {
        protected override void Convert(ArrayData input, Span<TTarget> output, CastRun run)
        {
            var values = MemoryMarshal.Cast<byte, Int128>(input.Buffers[1].Span).Slice(input.Offset, input.Length);
            var validity = new Validity(input);
            var floating = IsFloat<TTarget>();
            var (min, max) = floating ? default : Range<TTarget>();
            for (var i = 0; i < values.Length; i++)
            {
                output[i] = default;
                if (!validity.IsValid(i))
                {
                    continue;
                }

                if (floating)
                {
                    output[i] = TTarget.CreateTruncating(DecimalMath.ToDouble(values[i], from.Scale));
                    continue;
                }

                DecimalMath.TryRescale(values[i], from.Scale, 0, DecimalRounding.Truncate, out var whole, out var exact);
                if (!exact && !run.AllowTruncation)
                {
                    run.Fail(i, DecimalText(values[i], from.Scale), "it has a fractional part (set AllowTruncation to drop it)");
                    continue;
                }

                if (whole < min || whole > max)
                {
                    run.Fail(i, DecimalText(values[i], from.Scale), "out of range");
                    continue;
                }

                output[i] = TTarget.CreateTruncating(whole);
            }
        }
    }

    private sealed class DecimalRescaleCast(Decimal128Type from, Decimal128Type to) : FixedCast<Int128>(from, to)
    {
        protected override void Convert(ArrayData input, Span<Int128> output, CastRun run)
        {
            var values = MemoryMarshal.Cast<byte, Int128>(input.Buffers[1].Span).Slice(input.Offset, input.Length);
            var validity = new Validity(input);
            for (var i = 0; i < values.Length; i++)
            {
                output[i] = default;
                if (!validity.IsValid(i))
                {
                    continue;
                }

                if (!DecimalMath.TryRescale(values[i], from.Scale, to.Scale, DecimalRounding.Truncate, out var rescaled, out var exact) || !DecimalMath.FitsPrecision(rescaled, to.Precision))
                {
                    run.Fail(i, DecimalText(values[i], from.Scale), $"it needs more than {to.Precision} digits");
                    continue;
                }

                if (!exact && !run.AllowTruncation)
                {
                    run.Fail(i, DecimalText(values[i], from.Scale), $"it has more than {to.Scale} fractional digits (set AllowTruncation to drop them)");
                    continue;
                }

                output[i] = rescaled;
            }
        }
    }

    private sealed class BooleanToNumberCast<TTarget>(IArrowType from, IArrowType to) : FixedCast<TTarget>(from, to)
        where TTarget : unmanaged, INumber<TTarget>
    {
        protected override void Convert(ArrayData input, Span<TTarget> output, CastRun run)
        {
            var bits = input.Buffers[1].Span;
            for (var i = 0; i < output.Length; i++)
            {
                output[i] = Bitmaps.Get(bits, input.Offset + i) ? TTarget.One : TTarget.Zero;
            }
        }
    }

    private sealed class BooleanToDecimalCast(IArrowType from, Decimal128Type to) : FixedCast<Int128>(from, to)
    {
        protected override void Convert(ArrayData input, Span<Int128> output, CastRun run)
        {
            var bits = input.Buffers[1].Span;
            var validity = new Validity(input);
            var one = DecimalMath.Pow10(to.Scale);
            for (var i = 0; i < output.Length; i++)
            {
                output[i] = default;
                if (validity.IsValid(i) && Bitmaps.Get(bits, input.Offset + i))
                {
                    if (!DecimalMath.FitsPrecision(one, to.Precision))
                    {
                        run.Fail(i, "true", $"1 needs more than {to.Precision} digits");
                        continue;
                    }

                    output[i] = one;
                }
            }
        }
    }

    private sealed class NumberToBooleanCast<TSource>(IArrowType from, IArrowType to) : BooleanCast(from, to)
        where TSource : unmanaged, INumber<TSource>
    {
        protected override void Convert(ArrayData input, Span<byte> output, CastRun run)
        {
            var values = MemoryMarshal.Cast<byte, TSource>(input.Buffers[1].Span).Slice(input.Offset, input.Length);
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] != TSource.Zero)
                {
                    Bitmaps.Set(output, i);
                }
            }
        }
    }

    private sealed class DecimalToBooleanCast(IArrowType from, IArrowType to) : BooleanCast(from, to)
    {
        protected override void Convert(ArrayData input, Span<byte> output, CastRun run)
        {
            var values = MemoryMarshal.Cast<byte, Int128>(input.Buffers[1].Span).Slice(input.Offset, input.Length);
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] != Int128.Zero)
                {
                    Bitmaps.Set(output, i);
                }
            }
        }
    }

    private static string DecimalText(Int128 value, int scale)
    {
        Span<byte> text = stackalloc byte[48];
        return System.Text.Encoding.ASCII.GetString(text[..DecimalMath.Format(value, scale, text)]);
    }
}
