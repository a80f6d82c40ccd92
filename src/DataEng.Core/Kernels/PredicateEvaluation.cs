using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// The result of a predicate over the rows of a batch in SQL three-valued logic: one bit per row in
/// <see cref="True"/> (holds) and one in <see cref="False"/> (does not hold); neither means unknown. Words are pooled.
/// </summary>
internal sealed class Mask : IDisposable
{
    private ulong[]? _true;
    private ulong[]? _false;

    private Mask(int rows)
    {
        Rows = rows;
        Words = Bitmaps.WordCount(rows);
        _true = ArrayPool<ulong>.Shared.Rent(Math.Max(1, Words));
        _false = ArrayPool<ulong>.Shared.Rent(Math.Max(1, Words));
    }

    public int Rows { get; }

    public int Words { get; }

    public Span<ulong> True => _true.AsSpan(0, Words);

    public Span<ulong> False => _false.AsSpan(0, Words);

    public static Mask Rent(int rows) => new(rows);

    /// <summary>Sets the mask from per-row results (garbage allowed for null rows) and the column's validity.</summary>
    public void SetFrom(ReadOnlySpan<ulong> results, ArrayData column)
    {
        var t = True;
        var f = False;
        LoadValidity(column, f);
        for (var i = 0; i < Words; i++)
        {
            var valid = f[i];
            t[i] = results[i] & valid;
            f[i] = ~results[i] & valid;
        }
    }

    /// <summary>Writes the validity of <paramref name="column"/> as words (bits past the last row are zero).</summary>
    public void LoadValidity(ArrayData column, Span<ulong> words)
    {
        if (column.GetNullCount() == 0)
        {
            words.Fill(ulong.MaxValue);
        }
        else
        {
            words.Clear();
            var bytes = MemoryMarshal.AsBytes(words);
            Bitmaps.Copy(column.Buffers[0].Span, column.Offset, bytes, 0, Rows);
        }

        ClearTail(words);
    }

    public void ClearTail(Span<ulong> words)
    {
        var tail = Rows & 63;
        if (tail != 0)
        {
            words[^1] &= (1UL << tail) - 1;
        }
    }

    public void Dispose()
    {
        if (_true is not null)
        {
            ArrayPool<ulong>.Shared.Return(_true);
            ArrayPool<ulong>.Shared.Return(_false!);
            _true = null;
            _false = null;
        }
    }
}

/// <summary>A predicate bound to column positions, evaluated batch by batch.</summary>
internal abstract class BoundPredicate
{
    /// <summary>Evaluates the predicate over every row of <paramref name="batch"/> into <paramref name="mask"/>.</summary>
    public abstract void Evaluate(RecordBatch batch, Mask mask);
}

internal sealed class BoundAnd(BoundPredicate left, BoundPredicate right) : BoundPredicate
{
    public override void Evaluate(RecordBatch batch, Mask mask)
    {
        left.Evaluate(batch, mask);
        using var other = Mask.Rent(mask.Rows);
        right.Evaluate(batch, other);
        var t = mask.True;
        var f = mask.False;
        var ot = other.True;
        var of = other.False;
        for (var i = 0; i < t.Length; i++)
        {
            t[i] &= ot[i];
            f[i] |= of[i];
        }
    }
}

internal sealed class BoundOr(BoundPredicate left, BoundPredicate right) : BoundPredicate
{
    public override void Evaluate(RecordBatch batch, Mask mask)
    {
        left.Evaluate(batch, mask);
        using var other = Mask.Rent(mask.Rows);
        right.Evaluate(batch, other);
        var t = mask.True;
        var f = mask.False;
        var ot = other.True;
        var of = other.False;
        for (var i = 0; i < t.Length; i++)
        {
            t[i] |= ot[i];
            f[i] &= of[i];
        }
    }
}

internal sealed class BoundNot(BoundPredicate inner) : BoundPredicate
{
    public override void Evaluate(RecordBatch batch, Mask mask)
    {
        inner.Evaluate(batch, mask);
        var t = mask.True;
        var f = mask.False;
        for (var i = 0; i < t.Length; i++)
        {
            (t[i], f[i]) = (f[i], t[i]);
        }
    }
}

internal sealed class BoundNullCheck(int column, bool wantNull) : BoundPredicate
{
    public override void Evaluate(RecordBatch batch, Mask mask)
    {
        var valid = wantNull ? mask.False : mask.True;
        var invalid = wantNull ? mask.True : mask.False;
        mask.LoadValidity(batch.Column(column).Data, valid);
        for (var i = 0; i < valid.Length; i++)
        {
            invalid[i] = ~valid[i];
        }

        mask.ClearTail(invalid);
    }
}

/// <summary>Per-row results packed into words, then combined with validity.</summary>
internal abstract class RowResultPredicate(int column) : BoundPredicate
{
    protected int Column { get; } = column;

    public override void Evaluate(RecordBatch batch, Mask mask)
    {
        var data = batch.Column(Column).Data;
        var words = ArrayPool<ulong>.Shared.Rent(Math.Max(1, mask.Words));
        try
        {
            var results = words.AsSpan(0, mask.Words);
            results.Clear();
            Fill(data, results);
            mask.SetFrom(results, data);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(words);
        }
    }

    /// <summary>Sets bit i of <paramref name="results"/> (zeroed) where row i passes; null rows may be anything.</summary>
    protected abstract void Fill(ArrayData data, Span<ulong> results);
}

internal sealed class BoundRowLambda<T>(int column, Func<ArrayData, ValueReader<T>> readers, Func<T, bool> predicate) : RowResultPredicate(column)
{
    private const int Chunk = 4096;

    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var reader = readers(data);
        var validity = new Validity(data);
        var n = data.Length;
        var buffer = ArrayPool<T>.Shared.Rent(Math.Min(Math.Max(n, 1), Chunk));
        try
        {
            for (var start = 0; start < n; start += Chunk)
            {
                var count = Math.Min(Chunk, n - start);
                var values = buffer.AsSpan(0, count);
                reader.Read(start, values);
                for (var i = 0; i < count; i++)
                {
                    var row = start + i;
                    if (validity.IsValid(row) && predicate(values[i]))
                    {
                        results[row >> 6] |= 1UL << (row & 63);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer, System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }
}

internal sealed class BoundSpanLambda<T>(int column, Func<ArrayData, ValueReader<T>> readers, SpanPredicate<T> predicate) : RowResultPredicate(column)
{
    private const int Chunk = 4096;

    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var reader = readers(data);
        var n = data.Length;
        var flags = ArrayPool<bool>.Shared.Rent(Math.Min(Math.Max(n, 1), Chunk));
        var buffer = reader.TryGetSpan(out _) ? null : ArrayPool<T>.Shared.Rent(Math.Min(Math.Max(n, 1), Chunk));
        try
        {
            for (var start = 0; start < n; start += Chunk)
            {
                var count = Math.Min(Chunk, n - start);
                ReadOnlySpan<T> values;
                if (buffer is null)
                {
                    reader.TryGetSpan(out var all);
                    values = all.Slice(start, count);
                }
                else
                {
                    reader.Read(start, buffer.AsSpan(0, count));
                    values = buffer.AsSpan(0, count);
                }

                var chunk = flags.AsSpan(0, count);
                chunk.Clear();
                predicate(values, chunk);
                for (var i = 0; i < count; i++)
                {
                    if (chunk[i])
                    {
                        var row = start + i;
                        results[row >> 6] |= 1UL << (row & 63);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(flags);
            if (buffer is not null)
            {
                ArrayPool<T>.Shared.Return(buffer, clearArray: RuntimeHelpersIsReference());
            }
        }
    }

    private static bool RuntimeHelpersIsReference() => System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>();
}

internal sealed class BoundUtf8Lambda(int column, Utf8Predicate predicate) : RowResultPredicate(column)
{
    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var validity = new Validity(data);
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
        var bytes = data.Buffers[2].Span;
        for (var i = 0; i < data.Length; i++)
        {
            if (validity.IsValid(i) && predicate(bytes[offsets[i]..offsets[i + 1]]))
            {
                results[i >> 6] |= 1UL << (i & 63);
            }
        }
    }
}

/// <summary>Creates bound comparisons and set lookups for each column type.</summary>
internal static class BoundComparisons
{
    public static BoundPredicate Create(int column, IArrowType type, ComparisonOperator op, object value)
    {
        switch (type.TypeId)
        {
            case ArrowTypeId.Boolean:
                return new BoundCompare<byte>(column, op, (byte)((bool)value ? 1 : 0), boolean: true);
            case ArrowTypeId.String:
            case ArrowTypeId.Binary:
                return new BoundBytesCompare(column, op, ScalarConversion.ToBytes(value));
            case ArrowTypeId.Float:
                return new BoundCompare<float>(column, op, (float)ScalarConversion.ToDouble(value));
            case ArrowTypeId.Double:
                return new BoundCompare<double>(column, op, ScalarConversion.ToDouble(value));
        }

        ScalarConversion.TryOrdered(type, value, out var scalar, out _);
        var (normalized, threshold) = Normalize(op, scalar);
        var storage = Storage(type.TypeId);
        return (BoundPredicate)typeof(BoundComparisons).GetMethod(nameof(MakeOrdered), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(storage).Invoke(null, [column, normalized, threshold])!;
    }

    public static BoundPredicate CreateIn(int column, IArrowType type, object[] values)
    {
        switch (type.TypeId)
        {
            case ArrowTypeId.Boolean:
                return new BoundBooleanIn(column, values.Contains(true), values.Contains(false));
            case ArrowTypeId.String:
            case ArrowTypeId.Binary:
                return new BoundBytesIn(column, values.Select(ScalarConversion.ToBytes));
            case ArrowTypeId.Float:
                return new BoundIn<float>(column, values.Select(v => (float)ScalarConversion.ToDouble(v)));
            case ArrowTypeId.Double:
                return new BoundIn<double>(column, values.Select(ScalarConversion.ToDouble));
        }

        var members = new List<Int128>();
        foreach (var value in values)
        {
            ScalarConversion.TryOrdered(type, value, out var scalar, out _);
            if (scalar.Clamp == 0 && scalar.Exact)
            {
                members.Add(scalar.Floor);
            }
        }

        return (BoundPredicate)typeof(BoundComparisons).GetMethod(nameof(MakeIn), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(Storage(type.TypeId)).Invoke(null, [column, members])!;
    }

    /// <summary>Rewrites a comparison with a scalar the column cannot hold exactly into one with its floor.</summary>
    internal static (ComparisonOperator Op, Int128 Threshold) Normalize(ComparisonOperator op, OrderedScalar scalar)
    {
        var below = scalar.Clamp == -1;
        return scalar.Clamp switch
        {
            -1 or 1 => (op switch
            {
                ComparisonOperator.Equal => ComparisonOperator.AlwaysFalse,
                ComparisonOperator.NotEqual => ComparisonOperator.AlwaysTrue,
                ComparisonOperator.LessThan or ComparisonOperator.LessThanOrEqual => below ? ComparisonOperator.AlwaysFalse : ComparisonOperator.AlwaysTrue,
                _ => below ? ComparisonOperator.AlwaysTrue : ComparisonOperator.AlwaysFalse,
            }, 0),
            2 => (op == ComparisonOperator.NotEqual ? ComparisonOperator.AlwaysTrue : ComparisonOperator.AlwaysFalse, 0),
            _ when scalar.Exact => (op, scalar.Floor),
            _ => (op switch
            {
                ComparisonOperator.Equal => ComparisonOperator.AlwaysFalse,
                ComparisonOperator.NotEqual => ComparisonOperator.AlwaysTrue,
                ComparisonOperator.LessThan or ComparisonOperator.LessThanOrEqual => ComparisonOperator.LessThanOrEqual,
                _ => ComparisonOperator.GreaterThan,
            }, scalar.Floor),
        };
    }

    private static Type Storage(ArrowTypeId id) => id switch
    {
        ArrowTypeId.Decimal128 => typeof(Int128),
        ArrowTypeId.Date32 => typeof(int),
        ArrowTypeId.Timestamp => typeof(long),
        _ => ClrTypes.PhysicalNumeric(id)!,
    };

    private static BoundCompare<T> MakeOrdered<T>(int column, ComparisonOperator op, Int128 threshold)
        where T : unmanaged, INumber<T> => new BoundCompare<T>(column, op, T.CreateTruncating(threshold));

    private static BoundIn<T> MakeIn<T>(int column, List<Int128> members)
        where T : unmanaged, INumber<T> => new BoundIn<T>(column, members.Select(static m => T.CreateTruncating(m)));
}

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

/// <summary>Compares string or binary values with a scalar byte by byte.</summary>
internal sealed class BoundBytesCompare(int column, ComparisonOperator op, byte[] scalar) : RowResultPredicate(column)
{
    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
        var bytes = data.Buffers[2].Span;
        for (var i = 0; i < data.Length; i++)
        {
            var value = bytes[offsets[i]..offsets[i + 1]];
            var pass = op switch
            {
                ComparisonOperator.Equal => value.SequenceEqual(scalar),
                ComparisonOperator.NotEqual => !value.SequenceEqual(scalar),
                ComparisonOperator.LessThan => value.SequenceCompareTo(scalar) < 0,
                ComparisonOperator.LessThanOrEqual => value.SequenceCompareTo(scalar) <= 0,
                ComparisonOperator.GreaterThan => value.SequenceCompareTo(scalar) > 0,
                ComparisonOperator.GreaterThanOrEqual => value.SequenceCompareTo(scalar) >= 0,
                ComparisonOperator.AlwaysTrue => true,
                _ => false,
            };
            if (pass)
            {
                results[i >> 6] |= 1UL << (i & 63);
            }
        }
    }
}

internal sealed class BoundIn<T>(int column, IEnumerable<T> members) : RowResultPredicate(column)
    where T : unmanaged, INumber<T>
{
    private readonly HashSet<T> _members = [.. members];

    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var values = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
        for (var i = 0; i < values.Length; i++)
        {
            if (_members.Contains(values[i]))
            {
                results[i >> 6] |= 1UL << (i & 63);
            }
        }
    }
}

internal sealed class BoundBooleanIn(int column, bool hasTrue, bool hasFalse) : RowResultPredicate(column)
{
    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var bits = data.Buffers[1].Span;
        for (var i = 0; i < data.Length; i++)
        {
            if (Bitmaps.Get(bits, data.Offset + i) ? hasTrue : hasFalse)
            {
                results[i >> 6] |= 1UL << (i & 63);
            }
        }
    }
}

/// <summary>Looks string or binary values up in a set without creating strings: a linear scan for small sets,
/// buckets by a 64-bit hash for larger ones.</summary>
internal sealed class BoundBytesIn : RowResultPredicate
{
    private const int LinearLimit = 8;
    private readonly Dictionary<ulong, byte[][]> _buckets = [];
    private readonly byte[][] _members;

    public BoundBytesIn(int column, IEnumerable<byte[]> members)
        : base(column)
    {
        _members = [.. members.Distinct(ByteArrayComparer.Instance)];
        foreach (var group in _members.GroupBy(static m => StableHash.XxHash64(m)))
        {
            _buckets[group.Key] = [.. group];
        }
    }

    protected override void Fill(ArrayData data, Span<ulong> results)
    {
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
        var bytes = data.Buffers[2].Span;
        if (_members.Length <= LinearLimit)
        {
            for (var i = 0; i < data.Length; i++)
            {
                var value = bytes[offsets[i]..offsets[i + 1]];
                foreach (var member in _members)
                {
                    if (member.Length == value.Length && value.SequenceEqual(member))
                    {
                        results[i >> 6] |= 1UL << (i & 63);
                        break;
                    }
                }
            }

            return;
        }

        for (var i = 0; i < data.Length; i++)
        {
            var value = bytes[offsets[i]..offsets[i + 1]];
            if (_buckets.TryGetValue(StableHash.XxHash64(value), out var candidates))
            {
                foreach (var candidate in candidates)
                {
                    if (value.SequenceEqual(candidate))
                    {
                        results[i >> 6] |= 1UL << (i & 63);
                        break;
                    }
                }
            }
        }
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => (int)StableHash.XxHash64(obj);
    }
}
