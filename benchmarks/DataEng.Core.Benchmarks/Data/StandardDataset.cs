using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core.Benchmarks.Data;

/// <summary>
/// The standard benchmark dataset, generated in memory, deterministically from a seed:
/// <c>id</c> int64 sequential; <c>ts</c> timestamp(us, UTC) uniform over 30 days; <c>dt</c> date32 of <c>ts</c>
/// (30 values, every batch touches all of them); <c>customer_id</c> int32 uniform in [0, 100000);
/// <c>amount</c> double (whole cents, 0..99,999.99); <c>currency</c> string of 5 values;
/// <c>note</c> ASCII string of 8–24 characters, 20% nulls. Batches of <see cref="DefaultBatchRows"/> rows.
/// </summary>
/// <remarks>
/// Every batch is generated from <c>(seed, batch index)</c> alone, so a batch can be regenerated on its own
/// (streaming sources) and batches can be generated in parallel. Buffers live in native memory
/// (<see cref="MemoryAllocator.Default"/>), as batches read by an Arrow reader would.
/// </remarks>
internal sealed class StandardDataset : IDisposable
{
    public const int DefaultBatchRows = 1_000_000;
    public const int Days = 30;
    public const int Customers = 100_000;
    public const ulong DefaultSeed = 0x5EED_2024_0101UL;

    public static readonly string[] Currencies = ["EUR", "USD", "GBP", "CHF", "JPY"];

    /// <summary>2024-01-01T00:00:00Z in microseconds since the Unix epoch.</summary>
    public const long StartMicros = 1_704_067_200_000_000L;

    public const long MicrosPerDay = 86_400_000_000L;

    private static readonly byte[] NoteAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "u8.ToArray();

    private readonly RecordBatch[] _batches;

    private StandardDataset(RecordBatch[] batches, long rows, long logicalBytes)
    {
        _batches = batches;
        Rows = rows;
        LogicalBytes = logicalBytes;
    }

    public static Schema Schema { get; } = new Schema.Builder()
        .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
        .Field(f => f.Name("ts").DataType(new TimestampType(TimeUnit.Microsecond, "UTC")).Nullable(false))
        .Field(f => f.Name("dt").DataType(Date32Type.Default).Nullable(false))
        .Field(f => f.Name("customer_id").DataType(Int32Type.Default).Nullable(false))
        .Field(f => f.Name("amount").DataType(DoubleType.Default).Nullable(false))
        .Field(f => f.Name("currency").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("note").DataType(StringType.Default).Nullable(true))
        .Build();

    /// <summary>Gets the first day (date32 value: days since the Unix epoch).</summary>
    public static int FirstDay => (int)(StartMicros / MicrosPerDay);

    public IReadOnlyList<RecordBatch> Batches => _batches;

    public long Rows { get; }

    /// <summary>Gets the uncompressed logical size: the bytes of every Arrow buffer of every batch.</summary>
    public long LogicalBytes { get; }

    /// <summary>Generates <paramref name="rows"/> rows in batches of <paramref name="batchRows"/> (the last may be shorter).</summary>
    public static StandardDataset Generate(long rows, int batchRows = DefaultBatchRows, ulong seed = DefaultSeed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchRows);
        var count = (int)((rows + batchRows - 1) / batchRows);
        var batches = new RecordBatch[count];
        Parallel.For(0, count, i =>
        {
            var first = (long)i * batchRows;
            batches[i] = GenerateBatch(i, first, (int)Math.Min(batchRows, rows - first), seed);
        });
        long bytes = 0;
        foreach (var batch in batches)
        {
            bytes += batch.GetBufferSize();
        }

        return new StandardDataset(batches, rows, bytes);
    }

    /// <summary>Generates one batch: rows <paramref name="firstId"/> .. <paramref name="firstId"/> + <paramref name="length"/> - 1.</summary>
    /// <remarks>Every buffer is written in place in memory from <paramref name="allocator"/> (as a reader of ours
    /// fills its batches): nothing is staged in managed arrays, so a streaming run's managed allocation is the
    /// writer's, not the generator's.</remarks>
    public static RecordBatch GenerateBatch(int batchIndex, long firstId, int length, ulong seed = DefaultSeed, MemoryAllocator? allocator = null)
    {
        allocator ??= MemoryAllocator.Default.Value;
        var columnSeed = SplitMix64.Mix(seed ^ SplitMix64.Mix((ulong)batchIndex + 1));

        var id = OwnedBuffer.Allocate(allocator, length * sizeof(long), zeroed: false);
        var idSpan = id.As<long>();
        for (var i = 0; i < length; i++)
        {
            idSpan[i] = firstId + i;
        }

        var ts = OwnedBuffer.Allocate(allocator, length * sizeof(long), zeroed: false);
        var dt = OwnedBuffer.Allocate(allocator, length * sizeof(int), zeroed: false);
        var tsSpan = ts.As<long>();
        var dtSpan = dt.As<int>();
        var rng = new SplitMix64(columnSeed + 1);
        const ulong span = (ulong)(Days * MicrosPerDay);
        for (var i = 0; i < length; i++)
        {
            var micros = StartMicros + (long)rng.NextBelow(span);
            tsSpan[i] = micros;
            dtSpan[i] = (int)(micros / MicrosPerDay);
        }

        var customer = OwnedBuffer.Allocate(allocator, length * sizeof(int), zeroed: false);
        var customerSpan = customer.As<int>();
        rng = new SplitMix64(columnSeed + 2);
        for (var i = 0; i < length; i++)
        {
            customerSpan[i] = (int)rng.NextBelow(Customers);
        }

        var amount = OwnedBuffer.Allocate(allocator, length * sizeof(double), zeroed: false);
        var amountSpan = amount.As<double>();
        rng = new SplitMix64(columnSeed + 3);
        for (var i = 0; i < length; i++)
        {
            amountSpan[i] = rng.NextBelow(10_000_000) / 100.0;
        }

        var currency = BuildCurrency(length, new SplitMix64(columnSeed + 4), allocator);
        var note = BuildNote(length, new SplitMix64(columnSeed + 5), allocator);

        IArrowArray[] columns =
        [
            new Int64Array(id.Build(), ArrowBuffer.Empty, length, 0, 0),
            new TimestampArray((TimestampType)Schema.FieldsList[1].DataType, ts.Build(), ArrowBuffer.Empty, length, 0, 0),
            new Date32Array(dt.Build(), ArrowBuffer.Empty, length, 0, 0),
            new Int32Array(customer.Build(), ArrowBuffer.Empty, length, 0, 0),
            new DoubleArray(amount.Build(), ArrowBuffer.Empty, length, 0, 0),
            currency,
            note,
        ];
        return new RecordBatch(Schema, columns, length);
    }

    public void Dispose()
    {
        foreach (var batch in _batches)
        {
            batch.Dispose();
        }
    }

    /// <summary>Returns shared references to the batches (the caller disposes them).</summary>
    public RecordBatch[] ShareBatches()
    {
        var shared = new RecordBatch[_batches.Length];
        for (var i = 0; i < shared.Length; i++)
        {
            shared[i] = _batches[i].Share();
        }

        return shared;
    }

    private static StringArray BuildCurrency(int length, SplitMix64 rng, MemoryAllocator allocator)
    {
        var offsets = OwnedBuffer.Allocate(allocator, (length + 1) * sizeof(int), zeroed: false);
        var offsetSpan = offsets.As<int>();
        var data = OwnedBuffer.Allocate(allocator, length * 3, zeroed: false);
        var dataSpan = data.Span;
        for (var i = 0; i < length; i++)
        {
            var code = Currencies[rng.NextBelow((ulong)Currencies.Length)];
            offsetSpan[i] = i * 3;
            dataSpan[i * 3] = (byte)code[0];
            dataSpan[(i * 3) + 1] = (byte)code[1];
            dataSpan[(i * 3) + 2] = (byte)code[2];
        }

        offsetSpan[length] = length * 3;
        return new StringArray(length, offsets.Build(), data.Build(), ArrowBuffer.Empty, 0, 0);
    }

    private static StringArray BuildNote(int length, SplitMix64 rng, MemoryAllocator allocator)
    {
        // Pass 1: nulls and lengths (so the data buffer has its exact size); pass 2: characters.
        var offsets = OwnedBuffer.Allocate(allocator, (length + 1) * sizeof(int), zeroed: false);
        var offsetSpan = offsets.As<int>();
        var validity = OwnedBuffer.Allocate(allocator, (length + 7) / 8, zeroed: true);
        var validitySpan = validity.Span;
        var total = 0;
        var nullCount = 0;
        for (var i = 0; i < length; i++)
        {
            offsetSpan[i] = total;
            var draw = rng.Next();
            if (draw % 5 == 0)
            {
                nullCount++;
            }
            else
            {
                validitySpan[i >> 3] |= (byte)(1 << (i & 7));
                total += 8 + (int)((draw >> 8) % 17);
            }
        }

        offsetSpan[length] = total;
        var data = OwnedBuffer.Allocate(allocator, total, zeroed: false);
        var dataSpan = data.Span;
        for (var i = 0; i < total; i++)
        {
            dataSpan[i] = NoteAlphabet[rng.NextBelow((ulong)NoteAlphabet.Length)];
        }

        return new StringArray(length, offsets.Build(), data.Build(), validity.Build(), nullCount, 0);
    }
}

/// <summary>SplitMix64: a tiny, fast, well-mixed PRNG whose output never changes between .NET versions.</summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A value in [0, bound): multiply-shift (Lemire), unbiased enough for benchmark data.</summary>
    public ulong NextBelow(ulong bound) => (ulong)(((UInt128)Next() * bound) >> 64);
}
