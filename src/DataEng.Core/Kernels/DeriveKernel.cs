using System.Buffers;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Computes one new column from input columns of a batch; bound once per schema.</summary>
internal abstract class DerivePlan
{
    /// <summary>Rows converted per chunk for lambdas.</summary>
    protected const int Chunk = 4096;

    protected DerivePlan(string source, string output, int[] inputs, string[] inputNames, IArrowType writeType, CastPlan? cast)
    {
        Source = source;
        Output = output;
        Inputs = inputs;
        InputNames = inputNames;
        WriteType = writeType;
        Cast = cast;
    }

    protected string Source { get; }

    protected string Output { get; }

    protected int[] Inputs { get; }

    protected string[] InputNames { get; }

    protected IArrowType WriteType { get; }

    protected CastPlan? Cast { get; }

    /// <summary>Computes the column for a batch (borrowed); the result owns its buffers.</summary>
    public IArrowArray Compute(RecordBatch batch, MemoryAllocator allocator)
    {
        var result = ComputeWritten(batch, allocator);
        if (Cast is null)
        {
            return result;
        }

        try
        {
            return Cast.Execute(result, new CastRun(allocator, CastOptions.Default, Source, Output, Cast.From, Cast.To));
        }
        finally
        {
            result.Dispose();
        }
    }

    protected abstract IArrowArray ComputeWritten(RecordBatch batch, MemoryAllocator allocator);

    /// <summary>Wraps an exception thrown by user code with the row and columns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    protected Exception LambdaFailed(int row, Exception exception)
        => exception is DataEngException
            ? exception
            : new DataEngException($"{Source}: the lambda computing '{Output}' from {string.Join(", ", InputNames.Select(static n => $"'{n}'"))} threw at row {row + 1} of the batch: {exception.Message}", exception);

    protected static bool IsNull<T>(T value) => value is null;

    protected static void Return<T>(T[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<T>.Shared.Return(buffer, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }

    /// <summary>Whether a lambda result of this type can be null (then the writer decides validity row by row).</summary>
    protected static bool ResultMayBeNull<T>() => !typeof(T).IsValueType || Nullable.GetUnderlyingType(typeof(T)) is not null;
}

/// <summary>Binds derive lambdas: checks types and chooses how the output is written.</summary>
internal static class DeriveBinding
{
    /// <summary>Validates a derive and returns its output field, or null after adding problems.</summary>
    public static Field? Validate(Schema input, string output, string[] inputs, Type[] parameterTypes, Type resultType, IArrowType? outputType, bool span, List<string> problems, out int[] indices, out IArrowType writeType, out CastPlan? cast)
    {
        indices = new int[inputs.Length];
        writeType = NullType.Default;
        cast = null;
        var count = problems.Count;
        if (string.IsNullOrWhiteSpace(output))
        {
            problems.Add("the output column name must not be empty");
        }

        var outputNullable = false;
        for (var k = 0; k < inputs.Length; k++)
        {
            indices[k] = ColumnLookup.Find(input, inputs[k], problems);
            var parameter = ClrTypes.Underlying(parameterTypes[k], out var parameterNullable);
            if (span && (parameterNullable || parameterTypes[k] == typeof(string) || parameterTypes[k] == typeof(byte[])))
            {
                problems.Add($"span lambdas take non-nullable value types; '{inputs[k]}' is read as {ClrTypes.Describe(parameterTypes[k])} (use a row lambda)");
                continue;
            }

            if (indices[k] < 0)
            {
                continue;
            }

            var field = input.FieldsList[indices[k]];
            if (!ClrTypes.CanRead(field.DataType, parameter))
            {
                problems.Add($"column '{field.Name}' has type {SchemaText.Describe(field.DataType)} and cannot be read as {ClrTypes.Describe(parameterTypes[k])} (it can be read as {ClrTypes.ReadableAs(field.DataType)})");
            }

            outputNullable |= field.IsNullable && !parameterNullable;
        }

        var resultUnderlying = ClrTypes.Underlying(resultType, out var resultNullable);
        outputNullable |= resultNullable || !resultType.IsValueType;
        if (span && resultNullable)
        {
            problems.Add($"span lambdas produce non-nullable values; '{output}' is {ClrTypes.Describe(resultType)}");
        }

        var natural = ClrTypes.NaturalArrowType(resultUnderlying);
        if (natural is null)
        {
            problems.Add($"the lambda computing '{output}' returns {ClrTypes.Describe(resultType)}, which has no Arrow type (supported: bool, sbyte..long, byte..ulong, float, double, decimal, string, byte[], DateOnly, DateTime, DateTimeOffset and their nullable forms)");
        }
        else if (outputType is null || ValueWriters.CanWrite(resultUnderlying, outputType))
        {
            writeType = outputType ?? natural;
            if (outputType is not null && CastKernel.Bind(outputType, outputType, out var reason) is null)
            {
                problems.Add($"output type of '{output}': {reason}");
            }
        }
        else
        {
            writeType = natural;
            cast = CastKernel.Bind(natural, outputType, out var reason);
            if (cast is null)
            {
                problems.Add($"'{output}' is computed as {ClrTypes.Describe(resultType)} ({SchemaText.Describe(natural)}) and cannot be converted to {SchemaText.Describe(outputType)}: {reason}");
            }
        }

        return problems.Count > count ? null : new Field(output, outputType ?? natural!, outputNullable);
    }
}

internal sealed class RowDerive<TIn, TOut>(string source, string output, int[] inputs, string[] names, IArrowType writeType, CastPlan? cast, Func<ArrayData, ValueReader<TIn>> readers, Func<TIn, TOut> function, bool seesNulls)
    : DerivePlan(source, output, inputs, names, writeType, cast)
{
    protected override IArrowArray ComputeWritten(RecordBatch batch, MemoryAllocator allocator)
    {
        var data = batch.Column(Inputs[0]).Data;
        var n = data.Length;
        var reader = readers(data);
        var own = seesNulls || ResultMayBeNull<TOut>();
        var writer = ValueWriters.Create<TOut>(allocator, n, WriteType, own, Source, Output);
        var buffer = ArrayPool<TIn>.Shared.Rent(Math.Min(Math.Max(n, 1), Chunk));
        var row = 0;
        try
        {
            var validity = new Validity(data);
            for (var start = 0; start < n; start += Chunk)
            {
                var values = buffer.AsSpan(0, Math.Min(Chunk, n - start));
                reader.Read(start, values);
                for (var i = 0; i < values.Length; i++)
                {
                    row = start + i;
                    if (!seesNulls && validity.IsNull(row))
                    {
                        writer.SetNull(row);
                        continue;
                    }

                    var result = function(values[i]);
                    if (IsNull(result))
                    {
                        writer.SetNull(row);
                    }
                    else
                    {
                        writer.Set(row, result);
                    }
                }
            }

            if (own)
            {
                return writer.Build(ArrowBuffer.Empty, 0);
            }

            var validityBuffer = Bitmaps.CopyValidity(data, allocator, out var nullCount);
            return writer.Build(validityBuffer, nullCount);
        }
        catch (Exception e)
        {
            writer.Dispose();
            throw LambdaFailed(row, e);
        }
        finally
        {
            Return(buffer);
        }
    }
}

internal sealed class RowDerive<T1, T2, TOut>(string source, string output, int[] inputs, string[] names, IArrowType writeType, CastPlan? cast, Func<ArrayData, ValueReader<T1>> firstReaders, Func<ArrayData, ValueReader<T2>> secondReaders, Func<T1, T2, TOut> function, bool firstSeesNulls, bool secondSeesNulls)
    : DerivePlan(source, output, inputs, names, writeType, cast)
{
    protected override IArrowArray ComputeWritten(RecordBatch batch, MemoryAllocator allocator)
    {
        var first = batch.Column(Inputs[0]).Data;
        var second = batch.Column(Inputs[1]).Data;
        var n = first.Length;
        var firstReader = firstReaders(first);
        var secondReader = secondReaders(second);
        var own = firstSeesNulls || secondSeesNulls || ResultMayBeNull<TOut>();
        var writer = ValueWriters.Create<TOut>(allocator, n, WriteType, own, Source, Output);
        var size = Math.Min(Math.Max(n, 1), Chunk);
        var firstBuffer = ArrayPool<T1>.Shared.Rent(size);
        var secondBuffer = ArrayPool<T2>.Shared.Rent(size);
        var row = 0;
        try
        {
            var firstValidity = new Validity(first);
            var secondValidity = new Validity(second);
            for (var start = 0; start < n; start += Chunk)
            {
                var count = Math.Min(Chunk, n - start);
                var a = firstBuffer.AsSpan(0, count);
                var b = secondBuffer.AsSpan(0, count);
                firstReader.Read(start, a);
                secondReader.Read(start, b);
                for (var i = 0; i < count; i++)
                {
                    row = start + i;
                    if ((!firstSeesNulls && firstValidity.IsNull(row)) || (!secondSeesNulls && secondValidity.IsNull(row)))
                    {
                        writer.SetNull(row);
                        continue;
                    }

                    var result = function(a[i], b[i]);
                    if (IsNull(result))
                    {
                        writer.SetNull(row);
                    }
                    else
                    {
                        writer.Set(row, result);
                    }
                }
            }

            if (own)
            {
                return writer.Build(ArrowBuffer.Empty, 0);
            }

            var validity = Bitmaps.AndValidity(first, second, allocator, out var nullCount);
            return writer.Build(validity, nullCount);
        }
        catch (Exception e)
        {
            writer.Dispose();
            throw LambdaFailed(row, e);
        }
        finally
        {
            Return(firstBuffer);
            Return(secondBuffer);
        }
    }
}

internal sealed class SpanDerive<TIn, TOut>(string source, string output, int[] inputs, string[] names, IArrowType writeType, CastPlan? cast, Func<ArrayData, ValueReader<TIn>> readers, SpanFunc<TIn, TOut> function)
    : DerivePlan(source, output, inputs, names, writeType, cast)
{
    protected override IArrowArray ComputeWritten(RecordBatch batch, MemoryAllocator allocator)
    {
        var data = batch.Column(Inputs[0]).Data;
        var n = data.Length;
        var reader = readers(data);
        var writer = ValueWriters.Create<TOut>(allocator, n, WriteType, ownValidity: false, Source, Output);
        var inputBuffer = reader.TryGetSpan(out _) ? null : ArrayPool<TIn>.Shared.Rent(Math.Min(Math.Max(n, 1), Chunk));
        var outputBuffer = writer.TryGetSpan(out _) ? null : ArrayPool<TOut>.Shared.Rent(Math.Min(Math.Max(n, 1), Chunk));
        var start = 0;
        try
        {
            var validity = new Validity(data);
            for (; start < n; start += Chunk)
            {
                var count = Math.Min(Chunk, n - start);
                ReadOnlySpan<TIn> values;
                if (inputBuffer is null)
                {
                    reader.TryGetSpan(out var all);
                    values = all.Slice(start, count);
                }
                else
                {
                    reader.Read(start, inputBuffer.AsSpan(0, count));
                    values = inputBuffer.AsSpan(0, count);
                }

                if (outputBuffer is null)
                {
                    writer.TryGetSpan(out var target);
                    function(values, target.Slice(start, count));
                    continue;
                }

                var results = outputBuffer.AsSpan(0, count);
                function(values, results);
                for (var i = 0; i < count; i++)
                {
                    if (validity.IsValid(start + i))
                    {
                        writer.Set(start + i, results[i]);
                    }
                    else
                    {
                        writer.SetNull(start + i);
                    }
                }
            }

            var validityBuffer = Bitmaps.CopyValidity(data, allocator, out var nullCount);
            return writer.Build(validityBuffer, nullCount);
        }
        catch (Exception e)
        {
            writer.Dispose();
            throw LambdaFailed(start, e);
        }
        finally
        {
            Return(inputBuffer);
            Return(outputBuffer);
        }
    }
}

internal sealed class SpanDerive<T1, T2, TOut>(string source, string output, int[] inputs, string[] names, IArrowType writeType, CastPlan? cast, Func<ArrayData, ValueReader<T1>> firstReaders, Func<ArrayData, ValueReader<T2>> secondReaders, SpanFunc<T1, T2, TOut> function)
    : DerivePlan(source, output, inputs, names, writeType, cast)
{
    protected override IArrowArray ComputeWritten(RecordBatch batch, MemoryAllocator allocator)
    {
        var first = batch.Column(Inputs[0]).Data;
        var second = batch.Column(Inputs[1]).Data;
        var n = first.Length;
        var firstReader = firstReaders(first);
        var secondReader = secondReaders(second);
        var writer = ValueWriters.Create<TOut>(allocator, n, WriteType, ownValidity: false, Source, Output);
        var size = Math.Min(Math.Max(n, 1), Chunk);
        var firstBuffer = firstReader.TryGetSpan(out _) ? null : ArrayPool<T1>.Shared.Rent(size);
        var secondBuffer = secondReader.TryGetSpan(out _) ? null : ArrayPool<T2>.Shared.Rent(size);
        var outputBuffer = writer.TryGetSpan(out _) ? null : ArrayPool<TOut>.Shared.Rent(size);
        var start = 0;
        var validityBuffer = ArrowBuffer.Empty;
        try
        {
            validityBuffer = Bitmaps.AndValidity(first, second, allocator, out var nullCount);
            for (; start < n; start += Chunk)
            {
                var count = Math.Min(Chunk, n - start);
                var a = Values(firstReader, firstBuffer, start, count);
                var b = Values(secondReader, secondBuffer, start, count);
                if (outputBuffer is null)
                {
                    writer.TryGetSpan(out var target);
                    function(a, b, target.Slice(start, count));
                    continue;
                }

                var results = outputBuffer.AsSpan(0, count);
                function(a, b, results);
                var validity = new Validity(first);
                var otherValidity = new Validity(second);
                for (var i = 0; i < count; i++)
                {
                    if (validity.IsValid(start + i) && otherValidity.IsValid(start + i))
                    {
                        writer.Set(start + i, results[i]);
                    }
                    else
                    {
                        writer.SetNull(start + i);
                    }
                }
            }

            var built = writer.Build(validityBuffer, nullCount);
            validityBuffer = ArrowBuffer.Empty;
            return built;
        }
        catch (Exception e)
        {
            validityBuffer.Dispose();
            writer.Dispose();
            throw LambdaFailed(start, e);
        }
        finally
        {
            Return(firstBuffer);
            Return(secondBuffer);
            Return(outputBuffer);
        }
    }

    private static ReadOnlySpan<T> Values<T>(ValueReader<T> reader, T[]? buffer, int start, int count)
    {
        if (buffer is null)
        {
            reader.TryGetSpan(out var all);
            return all.Slice(start, count);
        }

        reader.Read(start, buffer.AsSpan(0, count));
        return buffer.AsSpan(0, count);
    }
}
