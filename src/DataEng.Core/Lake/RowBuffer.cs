using System.Buffers;
using System.Runtime.InteropServices;
using Apache.Arrow;

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

/// <summary>One column of the files: where its values come from and how they are laid out.</summary>
internal sealed class ColumnPlan
{
    public ColumnPlan(Field field, int source, ColumnConversion conversion)
    {
        Field = field;
        Source = source;
        Conversion = conversion;
        Layout = KernelTypes.GetLayout(field.DataType, out var width);
        Width = width;
        if (Layout == Layout.Unsupported)
        {
            throw new NotSupportedException($"column '{field.Name}' has the type {SchemaText.Describe(field.DataType)}, which the lake writer does not support yet");
        }
    }

    public Field Field { get; }

    public int Source { get; }

    public ColumnConversion Conversion { get; }

    /// <summary>Gets the physical layout (the kernels' table, so the lake gathers every type the kernels copy).</summary>
    public Layout Layout { get; }

    /// <summary>Gets the byte width of a fixed-width value.</summary>
    public int Width { get; }
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
            ArrowBuffer[] buffers = plan.Layout switch
            {
                Layout.FixedWidth => [validity, new ArrowBuffer(Values.Memory[..(rows * plan.Width)])],
                Layout.Bitmap => [validity, new ArrowBuffer(Values.Memory[..BitBytes(rows)])],
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
                    Bitmaps.ClearRange(Validity.Span, rows, n);
                    _nullCount += n;
                }
                else
                {
                    _nullCount += n - Bitmaps.Gather(source.Data.Buffers[0].Span, source.Data.Offset, indices, Validity.Span, rows);
                }
            }
            else if (_hasValidity)
            {
                EnsureCapacity(ref Validity, BitBytes(total), BitBytes(target));
                Bitmaps.SetRange(Validity.Span, rows, n);
            }

            long bytes = n * (long)Math.Max(plan.Width, 1);
            switch (plan.Layout)
            {
                case Layout.FixedWidth:
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
                case Layout.Bitmap:
                    EnsureCapacity(ref Values, BitBytes(total), BitBytes(target));
                    if (source is null)
                    {
                        Bitmaps.ClearRange(Values.Span, rows, n);
                    }
                    else
                    {
                        Bitmaps.Gather(source.Data.Buffers[1].Span, source.Data.Offset, indices, Values.Span, rows);
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
            var needed = ArrayKernels.GatherLength(sourceOffsets, indices);

            if (_dataLength + needed > int.MaxValue - 64)
            {
                throw new DataEngException("A partition buffer would exceed 2 GB of string data; lower LakeWriteOptions.RowGroupSize or MaxBufferedBytes.");
            }

            // The string bytes of the target rows, extrapolated from the rows so far (an eighth more for variation).
            var dataNeeded = _dataLength + (int)needed;
            var dataTarget = target <= 0 ? 0 : (long)dataNeeded * target / (rows + n);
            EnsureCapacity(ref Data, dataNeeded, dataTarget + (dataTarget >> 3));
            var position = ArrayKernels.GatherVariable(sourceOffsets, sourceBytes, indices, offsets.Slice(rows + 1, n), Data.Span, _dataLength);
            _dataLength = position;
            return needed + sizeof(int) * (long)n;
        }

        private void EnsureValidity(int rows, int total, int target)
        {
            EnsureCapacity(ref Validity, BitBytes(total), BitBytes(target));
            if (!_hasValidity)
            {
                _hasValidity = true;
                Bitmaps.SetRange(Validity.Span, 0, rows);
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

            ArrayKernels.GatherFixed(values, data.Offset, plan.Width, indices, destination);
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
