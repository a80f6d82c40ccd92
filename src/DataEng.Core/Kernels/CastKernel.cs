using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>One execution of a cast: where the output memory comes from, and what to do with values that fail.</summary>
internal sealed class CastRun(MemoryAllocator allocator, CastOptions options, string source, string column, IArrowType from, IArrowType to)
{
    private List<int>? _failed;

    public MemoryAllocator Allocator { get; } = allocator;

    public bool AllowTruncation { get; } = options.AllowTruncation;

    public bool HasFailures => _failed is not null;

    /// <summary>Reports a value that cannot be cast: throws, or (with <see cref="CastOptions.InvalidToNull"/>) remembers
    /// the row so that it becomes null.</summary>
    public void Fail(int row, string value, string reason)
    {
        if (!options.InvalidToNull)
        {
            throw new DataFormatException(source, row + 1, column, $"cannot cast {value} from {SchemaText.Describe(from)} to {SchemaText.Describe(to)}: {reason}");
        }

        (_failed ??= []).Add(row);
    }

    /// <summary>The output validity: the input's (shared when possible) minus the rows that failed.</summary>
    public ArrowBuffer BuildValidity(ArrayData input, out int nullCount)
    {
        if (_failed is null)
        {
            return Bitmaps.CopyValidity(input, Allocator, out nullCount);
        }

        var builder = new ValidityBuilder(Allocator, input.Length);
        var bits = builder.Bits;
        if (input.GetNullCount() == 0)
        {
            for (var i = 0; i < input.Length; i++)
            {
                Bitmaps.Set(bits, i);
            }
        }
        else
        {
            Bitmaps.Copy(input.Buffers[0].Span, input.Offset, bits, 0, input.Length);
        }

        foreach (var row in _failed)
        {
            Bitmaps.SetTo(bits, row, false);
        }

        builder.Recount();
        return builder.Build(out nullCount);
    }

    /// <summary>Like <see cref="BuildValidity"/>, for an output that keeps the input's offset (zero-copy casts).</summary>
    public ArrowBuffer BuildValidityAtOffset(ArrayData input, out int nullCount)
    {
        nullCount = input.GetNullCount();
        if (_failed is null)
        {
            return nullCount == 0 ? ArrowBuffer.Empty : input.Buffers[0].Retain();
        }

        var total = input.Offset + input.Length;
        var buffer = OwnedBuffer.Allocate(Allocator, Bitmaps.ByteCount(total), zeroed: true);
        var bits = buffer.Span;
        var validity = new Validity(input);
        for (var i = 0; i < input.Length; i++)
        {
            if (validity.IsValid(i))
            {
                Bitmaps.Set(bits, input.Offset + i);
            }
        }

        foreach (var row in _failed)
        {
            Bitmaps.SetTo(bits, input.Offset + row, false);
        }

        nullCount = input.Length - Bitmaps.CountSet(bits, input.Offset, input.Length);
        return buffer.Build();
    }
}

/// <summary>A cast from one Arrow type to another, chosen once when a transform is bound.</summary>
internal abstract class CastPlan
{
    protected CastPlan(IArrowType from, IArrowType to)
    {
        From = from;
        To = to;
    }

    public IArrowType From { get; }

    public IArrowType To { get; }

    /// <summary>Casts an array (borrowed); the result holds its own buffers or references.</summary>
    public abstract IArrowArray Execute(IArrowArray input, CastRun run);

    protected static string Text(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8);
        return "'" + (text.Length > 64 ? text[..64] + "…" : text) + "'";
    }

    protected static string Number<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}

/// <summary>Casts whose output is fixed-width; every output slot is written (default for nulls and failures).</summary>
internal abstract class FixedCast<TOut>(IArrowType from, IArrowType to) : CastPlan(from, to)
    where TOut : unmanaged
{
    public override IArrowArray Execute(IArrowArray input, CastRun run)
    {
        var data = input.Data;
        var n = data.Length;
        var buffer = OwnedBuffer.Allocate(run.Allocator, n * System.Runtime.CompilerServices.Unsafe.SizeOf<TOut>(), zeroed: false);
        try
        {
            var output = MemoryMarshal.Cast<byte, TOut>(buffer.Span)[..n];
            Convert(data, output, run);
            var validity = run.BuildValidity(data, out var nullCount);
            return ArrayKernels.Build(To, n, nullCount, validity, buffer.Build());
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    protected abstract void Convert(ArrayData input, Span<TOut> output, CastRun run);
}

/// <summary>Casts whose output is boolean.</summary>
internal abstract class BooleanCast(IArrowType from, IArrowType to) : CastPlan(from, to)
{
    public override IArrowArray Execute(IArrowArray input, CastRun run)
    {
        var data = input.Data;
        var n = data.Length;
        var buffer = OwnedBuffer.Allocate(run.Allocator, Bitmaps.ByteCount(n), zeroed: true);
        try
        {
            Convert(data, buffer.Span, run);
            var validity = run.BuildValidity(data, out var nullCount);
            return ArrayKernels.Build(To, n, nullCount, validity, buffer.Build());
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Sets the bits of true values in a zeroed bitmap.</summary>
    protected abstract void Convert(ArrayData input, Span<byte> output, CastRun run);
}

/// <summary>Casts whose output is a string column, formatting each value into at most <see cref="MaxBytes"/> bytes.</summary>
internal abstract class ToStringCast(IArrowType from, IArrowType to, int maxBytes) : CastPlan(from, to)
{
    protected int MaxBytes { get; } = maxBytes;

    public override IArrowArray Execute(IArrowArray input, CastRun run)
    {
        var data = input.Data;
        var n = data.Length;
        var offsets = OwnedBuffer.Allocate(run.Allocator, (n + 1) * sizeof(int), zeroed: false);
        var bytes = OwnedBuffer.Allocate(run.Allocator, Math.Max(64, Math.Min(n * MaxBytes, n * 16)), zeroed: false);
        try
        {
            var validity = new Validity(data);
            var position = 0;
            offsets.As<int>()[0] = 0;
            for (var i = 0; i < n; i++)
            {
                if (validity.IsValid(i))
                {
                    if (bytes.Span.Length - position < MaxBytes)
                    {
                        bytes.Grow(run.Allocator, checked(position + MaxBytes), position);
                    }

                    position += Format(data, i, bytes.Span[position..]);
                }

                offsets.As<int>()[i + 1] = position;
            }

            bytes.Truncate(position);
            var validityBuffer = run.BuildValidity(data, out var nullCount);
            return ArrayKernels.Build(To, n, nullCount, validityBuffer, offsets.Build(), bytes.Build());
        }
        catch
        {
            offsets.Dispose();
            bytes.Dispose();
            throw;
        }
    }

    /// <summary>Formats the value of a non-null row; returns the bytes written.</summary>
    protected abstract int Format(ArrayData input, int row, Span<byte> destination);
}

/// <summary>Casts from string columns: each non-null value is handed over as UTF-8 bytes.</summary>
internal abstract class FromStringCast<TOut>(IArrowType from, IArrowType to) : FixedCast<TOut>(from, to)
    where TOut : unmanaged
{
    protected override void Convert(ArrayData input, Span<TOut> output, CastRun run)
    {
        var validity = new Validity(input);
        var offsets = MemoryMarshal.Cast<byte, int>(input.Buffers[1].Span).Slice(input.Offset, input.Length + 1);
        var bytes = input.Buffers[2].Span;
        for (var i = 0; i < output.Length; i++)
        {
            output[i] = default;
            if (validity.IsValid(i))
            {
                var text = bytes[offsets[i]..offsets[i + 1]];
                if (!TryParse(text, out output[i], out var reason, run))
                {
                    output[i] = default;
                    run.Fail(i, Text(text), reason);
                }
            }
        }
    }

    protected abstract bool TryParse(ReadOnlySpan<byte> text, out TOut value, out string reason, CastRun run);
}

/// <summary>Chooses cast plans.</summary>
internal static partial class CastKernel
{
    /// <summary>Finds the plan for casting <paramref name="from"/> to <paramref name="to"/>.</summary>
    /// <returns>The plan, or null with a reason when the cast is not supported.</returns>
    public static CastPlan? Bind(IArrowType from, IArrowType to, out string? reason)
    {
        reason = null;
        if (!KernelTypes.IsValueSupported(from))
        {
            reason = $"casting from {SchemaText.Describe(from)} is not supported yet (supported: {KernelTypes.ValueTypesText})";
            return null;
        }

        if (!KernelTypes.IsValueSupported(to))
        {
            reason = $"casting to {SchemaText.Describe(to)} is not supported yet (supported: {KernelTypes.ValueTypesText})";
            return null;
        }

        if (to is Decimal128Type { Precision: < 1 or > 38 } badDecimal)
        {
            reason = $"{SchemaText.Describe(badDecimal)} is not a valid decimal128 type (precision must be 1..38)";
            return null;
        }

        if (to is Decimal128Type { Scale: var scale, Precision: var precision } && (scale < 0 || scale > precision))
        {
            reason = $"decimal128({precision}, {scale}) is not supported (scale must be 0..precision)";
            return null;
        }

        if (to is TimestampType toTimestamp && !TemporalMath.TryResolveZone(toTimestamp.Timezone, out _))
        {
            reason = $"the time zone '{toTimestamp.Timezone}' is not known on this machine";
            return null;
        }

        if (from is TimestampType fromTimestamp && !TemporalMath.TryResolveZone(fromTimestamp.Timezone, out _))
        {
            reason = $"the time zone '{fromTimestamp.Timezone}' is not known on this machine";
            return null;
        }

        if (SchemaComparer.TypesEqual(from, to))
        {
            return new IdentityCast(from, to);
        }

        var plan = BindNumeric(from, to) ?? BindText(from, to) ?? BindTemporal(from, to);
        if (plan is null)
        {
            reason = $"there is no cast from {SchemaText.Describe(from)} to {SchemaText.Describe(to)}";
        }

        return plan;
    }

    private static object Make(Type generic, Type[] arguments, params object[] constructorArguments)
        => Activator.CreateInstance(generic.MakeGenericType(arguments), constructorArguments)!;

    /// <summary>Same type (or types equal but for the zone of a timestamp): a new reference to the same buffers.</summary>
    private sealed class IdentityCast(IArrowType from, IArrowType to) : CastPlan(from, to)
    {
        public override IArrowArray Execute(IArrowArray input, CastRun run) => input.Retain();
    }

    /// <summary>Reinterprets buffers without copying (string ⇄ binary, timestamp zone change), optionally validating rows.</summary>
    private sealed class ReinterpretCast(IArrowType from, IArrowType to, bool validateUtf8) : CastPlan(from, to)
    {
        public override IArrowArray Execute(IArrowArray input, CastRun run)
        {
            var data = input.Data;
            if (validateUtf8)
            {
                var validity = new Validity(data);
                var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
                var bytes = data.Buffers[2].Span;
                for (var i = 0; i < data.Length; i++)
                {
                    if (validity.IsValid(i) && !System.Text.Unicode.Utf8.IsValid(bytes[offsets[i]..offsets[i + 1]]))
                    {
                        run.Fail(i, Convert.ToHexString(bytes[offsets[i]..offsets[i + 1]][..Math.Min(32, offsets[i + 1] - offsets[i])]), "the bytes are not valid UTF-8");
                    }
                }
            }

            var validityBuffer = run.BuildValidityAtOffset(data, out var nullCount);
            var buffers = new ArrowBuffer[data.Buffers.Length];
            buffers[0] = validityBuffer;
            for (var i = 1; i < buffers.Length; i++)
            {
                buffers[i] = data.Buffers[i].Retain();
            }

            return ArrowArrayFactory.BuildArray(new ArrayData(To, data.Length, nullCount, data.Offset, buffers));
        }
    }
}
