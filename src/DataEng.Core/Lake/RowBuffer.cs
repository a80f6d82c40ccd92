using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>How an output column is produced from the input batch.</summary>
internal enum ColumnConversion
{
    /// <summary>Copied as-is.</summary>
    None,

    /// <summary>Input <c>int32</c> widened to <c>int64</c> (schema evolution).</summary>
    Int32ToInt64,

    /// <summary>Input <c>float</c> widened to <c>double</c> (schema evolution).</summary>
    FloatToDouble,

    /// <summary>The input has no such column: all nulls (schema evolution).</summary>
    AllNull,
}

internal enum ColumnKind
{
    Fixed,
    Boolean,
    Variable,
}

/// <summary>One column of the files: where its values come from and how they are laid out.</summary>
internal sealed class ColumnPlan
{
    public ColumnPlan(Field field, int source, ColumnConversion conversion)
    {
        Field = field;
        Source = source;
        Conversion = conversion;
        (Kind, Width) = Layout(field.DataType) ?? throw new NotSupportedException($"column '{field.Name}' has the type {SchemaText.Describe(field.DataType)}, which the lake writer does not support yet");
    }

    public Field Field { get; }

    public int Source { get; }

    public ColumnConversion Conversion { get; }

    public ColumnKind Kind { get; }

    /// <summary>Gets the byte width of a fixed-width value.</summary>
    public int Width { get; }

    /// <summary>Returns the physical layout of a type, or <see langword="null"/> when the writer cannot gather it.</summary>
    public static (ColumnKind Kind, int Width)? Layout(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Boolean => (ColumnKind.Boolean, 0),
        ArrowTypeId.Int8 or ArrowTypeId.UInt8 => (ColumnKind.Fixed, 1),
        ArrowTypeId.Int16 or ArrowTypeId.UInt16 or ArrowTypeId.HalfFloat => (ColumnKind.Fixed, 2),
        ArrowTypeId.Int32 or ArrowTypeId.UInt32 or ArrowTypeId.Float or ArrowTypeId.Date32 or ArrowTypeId.Time32 => (ColumnKind.Fixed, 4),
        ArrowTypeId.Int64 or ArrowTypeId.UInt64 or ArrowTypeId.Double or ArrowTypeId.Date64 or ArrowTypeId.Timestamp
            or ArrowTypeId.Time64 or ArrowTypeId.Duration => (ColumnKind.Fixed, 8),
        ArrowTypeId.Decimal128 => (ColumnKind.Fixed, 16),
        ArrowTypeId.Decimal256 => (ColumnKind.Fixed, 32),
        ArrowTypeId.FixedSizedBinary => (ColumnKind.Fixed, ((FixedSizeBinaryType)type).ByteWidth),
        ArrowTypeId.String or ArrowTypeId.Binary => (ColumnKind.Variable, 0),
        _ => null,
    };
}

/// <summary>
/// Rows of one partition accumulated column by column in native blocks from a <see cref="PooledMemoryAllocator"/>,
/// reused across batches and partitions (no fresh memory in steady state). The blocks live outside the managed heap,
/// so the writer's largest and longest-lived buffers neither sit on the large object heap nor feed the GC's growth
/// heuristics; <see cref="Release"/> returns them. <see cref="ToBatch"/> wraps the blocks without copying: the batch
/// is only valid until the buffer is reset.
/// </summary>
internal sealed class RowBuffer
{
    private readonly ColumnStore[] _columns;

    /// <summary>Creates an empty buffer.</summary>
    /// <param name="columnCount">The number of output columns.</param>
    /// <param name="allocator">Where the column blocks come from (and go back to on <see cref="Release"/>).</param>
    public RowBuffer(int columnCount, PooledMemoryAllocator allocator)
    {
        _columns = new ColumnStore[columnCount];
        for (var i = 0; i < columnCount; i++)
        {
            _columns[i] = new ColumnStore(allocator);
        }
    }

    /// <summary>Gets the number of rows held.</summary>
    public int Rows { get; private set; }

    /// <summary>Gets the logical size of the rows held, in bytes.</summary>
    public long Bytes { get; private set; }

    /// <summary>Gets the capacity of the arrays held, in bytes (memory kept by this buffer).</summary>
    public long CapacityBytes
    {
        get
        {
            long total = 0;
            foreach (var c in _columns)
            {
                total += c.Values.Length + c.Validity.Length + c.Data.Length;
            }

            return total;
        }
    }

    /// <summary>Appends the rows <paramref name="indices"/> of <paramref name="batch"/>.</summary>
    /// <param name="batch">The source batch.</param>
    /// <param name="plans">The output columns.</param>
    /// <param name="indices">The rows of <paramref name="batch"/> to append, in order.</param>
    /// <param name="targetRows">The rows this buffer is expected to hold before it is dispatched (0: unknown). Arrays
    /// grow straight to that size instead of by half again each time, so a buffer's capacity stays close to what its
    /// rows need (the writer's memory budget counts capacity).</param>
    public void Append(RecordBatch batch, ColumnPlan[] plans, ReadOnlySpan<int> indices, int targetRows = 0)
    {
        if (indices.IsEmpty)
        {
            return;
        }

        long bytes = 0;
        for (var c = 0; c < plans.Length; c++)
        {
            var plan = plans[c];
            var store = _columns[c];
            var source = plan.Source >= 0 ? batch.Column(plan.Source) : null;
            bytes += store.Append(plan, source, indices, Rows, targetRows);
        }

        Rows += indices.Length;
        Bytes += bytes;
    }

    /// <summary>Wraps the rows held as a record batch over the pooled blocks (no copy; valid until <see cref="Reset"/>).</summary>
    public RecordBatch ToBatch(Schema schema, ColumnPlan[] plans)
    {
        var arrays = new IArrowArray[plans.Length];
        for (var c = 0; c < plans.Length; c++)
        {
            arrays[c] = _columns[c].Build(plans[c], Rows);
        }

        return new RecordBatch(schema, arrays, Rows);
    }

    /// <summary>Forgets the rows, keeping the arrays for reuse.</summary>
    public void Reset()
    {
        Rows = 0;
        Bytes = 0;
        foreach (var column in _columns)
        {
            column.Reset();
        }
    }

    /// <summary>Returns the blocks to the allocator.</summary>
    public void Release()
    {
        Reset();
        foreach (var column in _columns)
        {
            column.Release();
        }
    }

    private sealed class ColumnStore(PooledMemoryAllocator allocator)
    {
        public Block Values;
        public Block Validity;
        public Block Data;
        private int _nullCount;
        private bool _hasValidity;
        private int _dataLength;

        public void Reset()
        {
            _nullCount = 0;
            _hasValidity = false;
            _dataLength = 0;
        }

        public void Release()
        {
            Values.Free();
            Validity.Free();
            Data.Free();
        }

        public IArrowArray Build(ColumnPlan plan, int rows)
        {
            var validity = _hasValidity && _nullCount > 0
                ? new ArrowBuffer(Validity.Memory[..BitBytes(rows)])
                : ArrowBuffer.Empty;
            ArrowBuffer[] buffers = plan.Kind switch
            {
                ColumnKind.Fixed => [validity, new ArrowBuffer(Values.Memory[..(rows * plan.Width)])],
                ColumnKind.Boolean => [validity, new ArrowBuffer(Values.Memory[..BitBytes(rows)])],
                _ => [validity, new ArrowBuffer(Values.Memory[..((rows + 1) * sizeof(int))]), new ArrowBuffer(Data.Memory[.._dataLength])],
            };
            var nullCount = validity.IsEmpty ? 0 : _nullCount;
            return ArrowArrayFactory.BuildArray(new ArrayData(plan.Field.DataType, rows, nullCount, 0, buffers));
        }

        public long Append(ColumnPlan plan, IArrowArray? source, ReadOnlySpan<int> indices, int rows, int targetRows)
        {
            var n = indices.Length;
            var total = rows + n;
            var target = targetRows <= 0 ? 0 : Math.Max(targetRows, total);

            // Validity first: only materialised once a null appears.
            if (plan.Conversion == ColumnConversion.AllNull || (source is not null && source.NullCount > 0))
            {
                EnsureValidity(rows, total, target);
                if (source is null || plan.Conversion == ColumnConversion.AllNull)
                {
                    ClearBits(Validity.Span, rows, n);
                    _nullCount += n;
                }
                else
                {
                    _nullCount += n - GatherBits(source.Data.Buffers[0].Span, source.Data.Offset, indices, Validity.Span, rows);
                }
            }
            else if (_hasValidity)
            {
                EnsureCapacity(ref Validity, BitBytes(total), BitBytes(target));
                SetBits(Validity.Span, rows, n);
            }

            long bytes = n * (long)Math.Max(plan.Width, 1);
            switch (plan.Kind)
            {
                case ColumnKind.Fixed:
                    EnsureCapacity(ref Values, total * plan.Width, (long)target * plan.Width);
                    if (source is null || plan.Conversion == ColumnConversion.AllNull)
                    {
                        Values.Span.Slice(rows * plan.Width, n * plan.Width).Clear();
                    }
                    else
                    {
                        GatherFixed(plan, source, indices, Values.Span.Slice(rows * plan.Width, n * plan.Width));
                    }

                    break;
                case ColumnKind.Boolean:
                    EnsureCapacity(ref Values, BitBytes(total), BitBytes(target));
                    if (source is null)
                    {
                        ClearBits(Values.Span, rows, n);
                    }
                    else
                    {
                        GatherBits(source.Data.Buffers[1].Span, source.Data.Offset, indices, Values.Span, rows);
                    }

                    break;
                default:
                    bytes += AppendVariable(source, indices, rows, target);
                    break;
            }

            return bytes;
        }

        private long AppendVariable(IArrowArray? source, ReadOnlySpan<int> indices, int rows, int target)
        {
            var n = indices.Length;
            EnsureCapacity(ref Values, (rows + n + 1) * sizeof(int), target <= 0 ? 0 : (target + 1L) * sizeof(int));
            var offsets = MemoryMarshal.Cast<byte, int>(Values.Span);
            if (rows == 0)
            {
                offsets[0] = 0;
            }

            if (source is null)
            {
                offsets.Slice(rows + 1, n).Fill(_dataLength);
                return 0;
            }

            var data = source.Data;
            var sourceOffsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span)[data.Offset..];
            var sourceBytes = data.Buffers[2].Span;
            long needed = 0;
            ref var so = ref MemoryMarshal.GetReference(sourceOffsets);
            ref var ix = ref MemoryMarshal.GetReference(indices);
            for (var k = 0; k < n; k++)
            {
                var i = Unsafe.Add(ref ix, k);
                needed += Unsafe.Add(ref so, i + 1) - Unsafe.Add(ref so, i);
            }

            if (_dataLength + needed > int.MaxValue - 64)
            {
                throw new DataEngException("A partition buffer would exceed 2 GB of string data; lower LakeWriteOptions.RowGroupSize or MaxBufferedBytes.");
            }

            // The string bytes of the target rows, extrapolated from the rows so far (an eighth more for variation).
            var dataNeeded = _dataLength + (int)needed;
            var dataTarget = target <= 0 ? 0 : (long)dataNeeded * target / (rows + n);
            EnsureCapacity(ref Data, dataNeeded, dataTarget + (dataTarget >> 3));
            var position = _dataLength;
            ref var destination = ref MemoryMarshal.GetReference(Data.Span);
            ref var sourceStart = ref MemoryMarshal.GetReference(sourceBytes);
            ref var dstOffsets = ref MemoryMarshal.GetReference(offsets);
            for (var k = 0; k < n; k++)
            {
                var i = Unsafe.Add(ref ix, k);
                var start = Unsafe.Add(ref so, i);
                var length = Unsafe.Add(ref so, i + 1) - start;
                Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref destination, position), ref Unsafe.Add(ref sourceStart, start), (uint)length);
                position += length;
                Unsafe.Add(ref dstOffsets, rows + k + 1) = position;
            }

            _dataLength = position;
            return needed + sizeof(int) * (long)n;
        }

        private void EnsureValidity(int rows, int total, int target)
        {
            EnsureCapacity(ref Validity, BitBytes(total), BitBytes(target));
            if (!_hasValidity)
            {
                _hasValidity = true;
                SetBits(Validity.Span, 0, rows);
            }
        }

        private static void GatherFixed(ColumnPlan plan, IArrowArray source, ReadOnlySpan<int> indices, Span<byte> destination)
        {
            var data = source.Data;
            var values = data.Buffers[1].Span;
            switch (plan.Conversion)
            {
                case ColumnConversion.Int32ToInt64:
                    Widen(MemoryMarshal.Cast<byte, int>(values)[data.Offset..], indices, MemoryMarshal.Cast<byte, long>(destination));
                    return;
                case ColumnConversion.FloatToDouble:
                    Widen(MemoryMarshal.Cast<byte, float>(values)[data.Offset..], indices, MemoryMarshal.Cast<byte, double>(destination));
                    return;
            }

            switch (plan.Width)
            {
                case 1:
                    Gather(values[data.Offset..], indices, destination);
                    break;
                case 2:
                    Gather(MemoryMarshal.Cast<byte, short>(values)[data.Offset..], indices, MemoryMarshal.Cast<byte, short>(destination));
                    break;
                case 4:
                    Gather(MemoryMarshal.Cast<byte, int>(values)[data.Offset..], indices, MemoryMarshal.Cast<byte, int>(destination));
                    break;
                case 8:
                    Gather(MemoryMarshal.Cast<byte, long>(values)[data.Offset..], indices, MemoryMarshal.Cast<byte, long>(destination));
                    break;
                case 16:
                    Gather(MemoryMarshal.Cast<byte, Int128>(values)[data.Offset..], indices, MemoryMarshal.Cast<byte, Int128>(destination));
                    break;
                default:
                    var width = plan.Width;
                    var start = data.Offset * width;
                    for (var k = 0; k < indices.Length; k++)
                    {
                        values.Slice(start + (indices[k] * width), width).CopyTo(destination.Slice(k * width, width));
                    }

                    break;
            }
        }

        private static void Gather<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> indices, Span<T> destination)
            where T : unmanaged
        {
            ref var s = ref MemoryMarshal.GetReference(source);
            ref var d = ref MemoryMarshal.GetReference(destination);
            ref var ix = ref MemoryMarshal.GetReference(indices);
            var n = indices.Length;
            var k = 0;
            for (; k + 4 <= n; k += 4)
            {
                Unsafe.Add(ref d, k) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k));
                Unsafe.Add(ref d, k + 1) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k + 1));
                Unsafe.Add(ref d, k + 2) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k + 2));
                Unsafe.Add(ref d, k + 3) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k + 3));
            }

            for (; k < n; k++)
            {
                Unsafe.Add(ref d, k) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k));
            }
        }

        private static void Widen(ReadOnlySpan<int> source, ReadOnlySpan<int> indices, Span<long> destination)
        {
            for (var k = 0; k < indices.Length; k++)
            {
                destination[k] = source[indices[k]];
            }
        }

        private static void Widen(ReadOnlySpan<float> source, ReadOnlySpan<int> indices, Span<double> destination)
        {
            for (var k = 0; k < indices.Length; k++)
            {
                destination[k] = source[indices[k]];
            }
        }

        /// <summary>Copies bits <c>sourceOffset + indices[k]</c> to <c>destinationStart + k</c>; returns the number of set bits.</summary>
        private static int GatherBits(ReadOnlySpan<byte> source, int sourceOffset, ReadOnlySpan<int> indices, Span<byte> destination, int destinationStart)
        {
            var set = 0;
            var k = 0;
            var n = indices.Length;
            var position = destinationStart;

            // Head: up to the next byte boundary, bit by bit.
            for (; k < n && (position & 7) != 0; k++, position++)
            {
                var bit = GetBit(source, sourceOffset + indices[k]);
                set += bit;
                if (bit != 0)
                {
                    destination[position >> 3] |= (byte)(1 << (position & 7));
                }
                else
                {
                    destination[position >> 3] &= (byte)~(1 << (position & 7));
                }
            }

            // Whole bytes.
            for (; k + 8 <= n; k += 8, position += 8)
            {
                var b = 0;
                for (var j = 0; j < 8; j++)
                {
                    b |= GetBit(source, sourceOffset + indices[k + j]) << j;
                }

                destination[position >> 3] = (byte)b;
                set += System.Numerics.BitOperations.PopCount((uint)b);
            }

            // Tail.
            for (; k < n; k++, position++)
            {
                var bit = GetBit(source, sourceOffset + indices[k]);
                set += bit;
                if (bit != 0)
                {
                    destination[position >> 3] |= (byte)(1 << (position & 7));
                }
                else
                {
                    destination[position >> 3] &= (byte)~(1 << (position & 7));
                }
            }

            return set;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int GetBit(ReadOnlySpan<byte> bits, int index) => (bits[index >> 3] >> (index & 7)) & 1;

        private static void SetBits(Span<byte> bits, int start, int count)
        {
            for (var i = start; i < start + count; i++)
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        private static void ClearBits(Span<byte> bits, int start, int count)
        {
            for (var i = start; i < start + count; i++)
            {
                bits[i >> 3] &= (byte)~(1 << (i & 7));
            }
        }

        private static int BitBytes(int bits) => (bits + 7) >> 3;

        private void EnsureCapacity(ref Block block, int needed, long target)
        {
            if (block.Length >= needed)
            {
                return;
            }

            // Below the target the block grows straight to it (one allocation, no slack beyond it); past it, by an
            // eighth. Sizes are rounded up to the allocator's size class, so the capacity counted is the memory held.
            long size = target > needed
                ? target
                : target > 0 ? needed + (long)(needed >> 3) : Math.Max(needed, block.Length + (long)(block.Length >> 1));

            size = Math.Min(size, int.MaxValue - 64);
            if (size <= Block.LargestClass)
            {
                size = PooledMemoryAllocator.ClassSize(PooledMemoryAllocator.ClassIndex((int)size));
            }

            IMemoryOwner<byte> owner;
            using (PooledMemoryAllocator.SkipZeroing())
            {
                owner = allocator.Allocate((int)size);
            }

            block.Span.CopyTo(owner.Memory.Span);
            block.Free();
            block = new Block(owner);
        }
    }

    /// <summary>A native block of a column (empty until the first append).</summary>
    private struct Block(IMemoryOwner<byte> owner)
    {
        /// <summary>The largest request rounded to a size class (the default pooled maximum).</summary>
        public const int LargestClass = 64 * 1024 * 1024;

        private IMemoryOwner<byte>? _owner = owner;
        private Memory<byte> _memory = owner.Memory;

        public readonly int Length => _memory.Length;

        public readonly Memory<byte> Memory => _memory;

        public readonly Span<byte> Span => _memory.Span;

        public void Free()
        {
            _owner?.Dispose();
            _owner = null;
            _memory = default;
        }
    }
}
