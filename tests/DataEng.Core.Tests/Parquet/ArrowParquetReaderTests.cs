using System.Buffers;
using System.Buffers.Binary;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;
using CsCheck;
using DataEng.Core.ParquetFormat;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Parquet;

public sealed class ArrowParquetReaderTests : IDisposable
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);
    private static readonly Lazy<byte[]> SmallFile = new(() => WriteToBytes(ParquetTestData.AllTypesBatch(rows: 12), new ParquetWriteOptions { RowGroupSize = 5 }));

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dataeng-pqr-" + Guid.NewGuid().ToString("N"));

    public ArrowParquetReaderTests()
    {
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public async Task ReadAsync_Projection_ReturnsOnlyRequestedColumnsInRequestedOrder()
    {
        using var batch = ParquetTestData.AllTypesBatch();
        var path = await ParquetTestData.WriteFileAsync(PathOf("p.parquet"), [batch], batch.Schema);

        var read = await ParquetTestData.ReadAllAsync(path, columns: ["s", "i8", "tz_ns"]);
        try
        {
            var only = Assert.Single(read);
            Assert.Equal(["s", "i8", "tz_ns"], only.Schema.FieldsList.Select(f => f.Name));
            Assert.Equal(ParquetTestData.StringValue(0), ((StringArray)only.Column(0)).GetString(0));
            Assert.Equal(new TimestampType(TimeUnit.Nanosecond, "+01:00").Timezone, ((TimestampType)only.Column(2).Data.DataType).Timezone);
        }
        finally
        {
            read.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task ReadAsync_UnknownColumn_ThrowsArgumentException()
    {
        using var batch = ParquetTestData.AllTypesBatch();
        var path = await ParquetTestData.WriteFileAsync(PathOf("p.parquet"), [batch], batch.Schema);

        await Assert.ThrowsAsync<ArgumentException>(() => ParquetTestData.ReadAllAsync(path, columns: ["nope"]));
    }

    [Fact]
    public async Task ReadAsync_OneBatchPerRowGroup_OrSplitByBatchSize()
    {
        using var batch = ParquetTestData.AllTypesBatch(rows: 25);
        var path = await ParquetTestData.WriteFileAsync(PathOf("rg.parquet"), [batch], batch.Schema, new ParquetWriteOptions { RowGroupSize = 10 });

        await using (var reader = await ArrowParquetReader.OpenAsync(path, null, default))
        {
            Assert.Equal(25, reader.RowCount);
            Assert.Equal(3, reader.RowGroupCount);
        }

        var perGroup = await ParquetTestData.ReadAllAsync(path);
        var split = await ParquetTestData.ReadAllAsync(path, new ParquetReadOptions { BatchSize = 4 });
        try
        {
            Assert.Equal([10, 10, 5], perGroup.Select(b => b.Length));
            Assert.Equal([4, 4, 2, 4, 4, 2, 4, 1], split.Select(b => b.Length));
            ArrowValues.AssertBatchesEqual([batch], split);
        }
        finally
        {
            perGroup.ForEach(b => b.Dispose());
            split.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task ReadAsync_BatchesComeFromTheGivenAllocator_AndAllAreReleased()
    {
        using var batch = ParquetTestData.AllTypesBatch(rows: 25);
        var path = await ParquetTestData.WriteFileAsync(PathOf("alloc.parquet"), [batch], batch.Schema, new ParquetWriteOptions { RowGroupSize = 10 });
        var allocator = new CountingMemoryAllocator();

        var read = await ParquetTestData.ReadAllAsync(path, new ParquetReadOptions { Allocator = allocator, BatchSize = 3 });
        Assert.True(allocator.LiveAllocations > 0);
        read.ForEach(b => b.Dispose());

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task ReadAsync_StoppedEarly_ReleasesEverything()
    {
        using var batch = ParquetTestData.AllTypesBatch(rows: 25);
        var path = await ParquetTestData.WriteFileAsync(PathOf("early.parquet"), [batch], batch.Schema, new ParquetWriteOptions { RowGroupSize = 10 });
        var allocator = new CountingMemoryAllocator();

        await using (var reader = await ArrowParquetReader.OpenAsync(path, new ParquetReadOptions { Allocator = allocator, BatchSize = 3 }, default))
        {
            await foreach (var b in reader.ReadAsync())
            {
                b.Dispose();
                break;
            }
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task OpenAsync_Metadata_IsExposed()
    {
        using var batch = ParquetTestData.AllTypesBatch();
        var path = await ParquetTestData.WriteFileAsync(PathOf("m.parquet"), [batch], batch.Schema, metadata: new Dictionary<string, string> { ["k"] = "v" });

        await using var reader = await ArrowParquetReader.OpenAsync(path, null, default);

        Assert.Equal("v", reader.Metadata["k"]);
    }

    [Fact]
    public async Task OpenAsync_FileWrittenByDuckDb_ReadsTypesAndValues()
    {
        var path = PathOf("duck.parquet");
        Duck.Query($"""
            COPY (SELECT * FROM (VALUES
                (true, 1::TINYINT, 2::SMALLINT, 3, 4::BIGINT, 5::UTINYINT, 6::USMALLINT, 7::UINTEGER, 8::UBIGINT, 1.5::FLOAT, 2.5::DOUBLE,
                 12.34::DECIMAL(4,2), 123456789012.345::DECIMAL(18,3), 1234567890123456789012345.6789::DECIMAL(38,4), 'a', '\x01\x02'::BLOB,
                 DATE '2024-02-29', TIMESTAMP '2024-02-29 12:34:56.789012', TIMESTAMPTZ '2024-02-29 12:34:56.789012+00', TIMESTAMP_MS '2024-02-29 12:34:56.789', TIMESTAMP_NS '2024-02-29 12:34:56.789012345'),
                (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
                t(b, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, d4, d18, d38, s, bin, d, ts, tstz, tsms, tsns))
            TO '{path}' (FORMAT parquet)
            """);

        await using var reader = await ArrowParquetReader.OpenAsync(path, null, default);
        var types = reader.Schema.FieldsList.ToDictionary(f => f.Name, f => SchemaText.Describe(f.DataType));
        Assert.Equal("bool", types["b"]);
        Assert.Equal("int8", types["i8"]);
        Assert.Equal("uint64", types["u64"]);
        Assert.Equal("decimal128(4, 2)", types["d4"]);
        Assert.Equal("decimal128(18, 3)", types["d18"]);
        Assert.Equal("decimal128(38, 4)", types["d38"]);
        Assert.Equal("utf8", types["s"]);
        Assert.Equal("binary", types["bin"]);
        Assert.Equal("date32", types["d"]);
        Assert.Equal("timestamp[microsecond]", types["ts"]);
        Assert.Equal("timestamp[microsecond, UTC]", types["tstz"]);
        Assert.Equal("timestamp[nanosecond]", types["tsns"]);

        var batches = new List<RecordBatch>();
        await foreach (var b in reader.ReadAsync())
        {
            batches.Add(b);
        }

        try
        {
            var rows = ArrowValues.Rows(batches);
            Assert.Equal(2, rows.Count);
            Assert.All(rows[1], Assert.Null);
            var row = reader.Schema.FieldsList.Select((f, i) => (f.Name, Value: rows[0][i])).ToDictionary(x => x.Name, x => x.Value);
            Assert.Equal("true", row["b"]);
            Assert.Equal("8", row["u64"]);
            Assert.Equal("12.34", row["d4"]);
            Assert.Equal("123456789012.345", row["d18"]);
            Assert.Equal("1234567890123456789012345.6789", row["d38"]);
            Assert.Equal("0102", row["bin"]);
            Assert.Equal("2024-02-29", row["d"]);
            Assert.Equal("1709210096789012000", row["ts"]);
            Assert.Equal("1709210096789012000", row["tstz"]);
            Assert.Equal("1709210096789012345", row["tsns"]);
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task OpenAsync_NestedColumns_AreReportedAndCanBeProjectedAway()
    {
        var path = PathOf("nested.parquet");
        Duck.Query($"COPY (SELECT 1 AS id, [1, 2] AS list, {{'a': 1}} AS st) TO '{path}' (FORMAT parquet)");

        await using var reader = await ArrowParquetReader.OpenAsync(path, null, default);

        Assert.Equal(["list", "st"], reader.UnsupportedColumns.Keys.Order());
        Assert.Equal(["id"], reader.Schema.FieldsList.Select(f => f.Name));
        var all = await Assert.ThrowsAsync<ParquetFileException>(async () =>
        {
            await foreach (var b in reader.ReadAsync())
            {
                b.Dispose();
            }
        });
        Assert.Contains("'list'", all.Message, StringComparison.Ordinal);
        await foreach (var b in reader.ReadAsync(["id"]))
        {
            using (b)
            {
                Assert.Equal(1, ((Int32Array)b.Column(0)).GetValue(0));
            }
        }
    }

    public static TheoryData<string, byte[]> HostileFiles()
    {
        var tooLong = new byte[64];
        "PAR1"u8.CopyTo(tooLong);
        BinaryPrimitives.WriteInt32LittleEndian(tooLong.AsSpan(56), int.MaxValue);
        "PAR1"u8.CopyTo(tooLong.AsSpan(60));
        var beforeStart = (byte[])tooLong.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(beforeStart.AsSpan(56), 64 - 12 + 1);
        var negative = (byte[])tooLong.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(negative.AsSpan(56), -5);
        var garbageFooter = (byte[])tooLong.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(garbageFooter.AsSpan(56), 40);
        for (var i = 16; i < 56; i++)
        {
            garbageFooter[i] = 0xFF;
        }

        var valid = SmallFile.Value;
        var badHead = (byte[])valid.Clone();
        badHead[0] = (byte)'X';
        var badTail = (byte[])valid.Clone();
        badTail[^1] = (byte)'X';
        var endlessVarint = (byte[])valid.Clone();
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(valid.AsSpan(valid.Length - 8));
        endlessVarint.AsSpan(valid.Length - 8 - footerLength, footerLength).Fill(0x96);

        return new TheoryData<string, byte[]>
        {
            { "zero bytes", [] },
            { "four bytes", "PAR1"u8.ToArray() },
            { "PAR1PAR1", "PAR1PAR1"u8.ToArray() },
            { "footer length int.MaxValue", tooLong },
            { "footer length before start", beforeStart },
            { "negative footer length", negative },
            { "garbage footer", garbageFooter },
            { "bad head magic", badHead },
            { "bad tail magic", badTail },
            { "footer of endless varints", endlessVarint },
            { "truncated to half", valid[..(valid.Length / 2)] },
        };
    }

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public async Task OpenAsync_HostileFile_ThrowsParquetFileExceptionNamingTheFile(string name, byte[] content)
    {
        var path = PathOf(name.Replace(' ', '-') + ".parquet");
        await File.WriteAllBytesAsync(path, content);

        var e = await Assert.ThrowsAsync<ParquetFileException>(() => ReadEverythingAsync(path).WaitAsync(HangLimit));

        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_MissingFile_ThrowsParquetFileException()
    {
        var e = await Assert.ThrowsAsync<ParquetFileException>(() => ReadEverythingAsync(PathOf("missing.parquet")));

        Assert.IsType<FileNotFoundException>(e.InnerException);
    }

    [Fact]
    public async Task OpenAsync_FooterLargerThanAllowed_IsRejectedBeforeReading()
    {
        var valid = SmallFile.Value;
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(valid.AsSpan(valid.Length - 8));
        using var stream = new MemoryStream(valid);

        var e = await Assert.ThrowsAsync<ParquetFileException>(async () => await ArrowParquetReader.OpenAsync(stream, "small-limit", new ParquetReadOptions { MaxFooterBytes = 1024 }, ownsStream: false, default));

        Assert.True(footerLength > 1024);
        Assert.Contains("MaxFooterBytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_RowGroupLargerThanAllowed_IsRejectedBeforeAllocating()
    {
        using var stream = new MemoryStream(SmallFile.Value);

        var e = await Assert.ThrowsAsync<ParquetFileException>(async () => await ArrowParquetReader.OpenAsync(stream, "rows-limit", new ParquetReadOptions { MaxRowGroupRows = 4 }, ownsStream: false, default));

        Assert.Equal(0, e.RowGroup);
        Assert.Contains("MaxRowGroupRows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileFile_RandomBitFlipsAndTruncations_FailCleanlyWithBoundedMemory()
    {
        var valid = SmallFile.Value;
        var mutation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, valid.Length - 1], Gen.Int[0, 7], Gen.Byte);
        var outcomes = new int[2];
        mutation.Sample((kind, position, bit, value) =>
        {
            var content = Mutate(valid, kind, position, bit, value);
            var allocator = new BoundedAllocator(maxBytes: 1 << 20);
            var name = $"fuzz-{kind}-{position}-{bit}-{value}.parquet";
            var before = GC.GetAllocatedBytesForCurrentThread();
            var task = ReadEverythingAsync(new MemoryStream(content), name, new ParquetReadOptions { Allocator = allocator, MaxRowGroupRows = 10_000 });
            try
            {
                task.WaitAsync(HangLimit).GetAwaiter().GetResult();
                outcomes[0]++;
            }
            catch (ParquetFileException e)
            {
                Assert.Equal(name, e.FilePath);
                outcomes[1]++;
            }

            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, $"{name} made the reader allocate {GC.GetAllocatedBytesForCurrentThread() - before} bytes");
            Assert.Equal(0, allocator.Live);
        }, iter: 1500, threads: 1, seed: "90b7KCLl5fu1");

        Assert.True(outcomes[1] > 0, "some mutations must be detected");
    }

    [Fact]
    public async Task HostileFile_EveryTruncation_FailsCleanly()
    {
        var valid = SmallFile.Value;
        for (var length = 0; length < valid.Length; length += Math.Max(1, valid.Length / 300))
        {
            var name = $"truncated-{length}.parquet";
            var e = await Assert.ThrowsAsync<ParquetFileException>(() => ReadEverythingAsync(new MemoryStream(valid[..length]), name, null).WaitAsync(HangLimit));
            Assert.Equal(name, e.FilePath);
        }
    }

    private static byte[] Mutate(byte[] valid, int kind, int position, int bit, byte value)
    {
        var content = (byte[])valid.Clone();
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(valid.AsSpan(valid.Length - 8));
        var footerStart = valid.Length - 8 - footerLength;
        switch (kind)
        {
            case 0:
                content[position] ^= (byte)(1 << bit);
                return content;
            case 1:
                // Bias towards the footer, where the metadata that steers everything lives.
                content[footerStart + (position % (footerLength + 8))] ^= (byte)(1 << bit);
                return content;
            case 2:
                content[footerStart + (position % (footerLength + 8))] = value;
                return content;
            default:
                return content[..position];
        }
    }

    private static async Task ReadEverythingAsync(string path)
    {
        await using var reader = await ArrowParquetReader.OpenAsync(path, null, default);
        await foreach (var batch in reader.ReadAsync())
        {
            batch.Dispose();
        }
    }

    private static async Task ReadEverythingAsync(Stream stream, string name, ParquetReadOptions? options)
    {
        await using var reader = await ArrowParquetReader.OpenAsync(stream, name, options, ownsStream: true, default);
        await foreach (var batch in reader.ReadAsync())
        {
            batch.Dispose();
        }
    }

    private static byte[] WriteToBytes(RecordBatch batch, ParquetWriteOptions options)
    {
        using (batch)
        {
            using var stream = new MemoryStream();
            var writer = ArrowParquetWriter.CreateAsync(stream, batch.Schema, options, null, default).AsTask().GetAwaiter().GetResult();
            writer.WriteAsync(batch).AsTask().GetAwaiter().GetResult();
            writer.CompleteAsync().AsTask().GetAwaiter().GetResult();
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return stream.ToArray();
        }
    }

    /// <summary>Fails any single allocation above a limit and counts live ones.</summary>
    private sealed class BoundedAllocator(int maxBytes) : MemoryAllocator
    {
        private long _live;

        public long Live => Interlocked.Read(ref _live);

        protected override IMemoryOwner<byte> AllocateInternal(int length, out int bytesAllocated)
        {
            Assert.True(length <= maxBytes, $"an Arrow buffer of {length} bytes was requested");
            bytesAllocated = length;
            Interlocked.Increment(ref _live);
            return new Owner(this, new byte[length]);
        }

        private sealed class Owner(BoundedAllocator allocator, byte[] array) : IMemoryOwner<byte>
        {
            private int _disposed;

            public Memory<byte> Memory => array;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    Interlocked.Decrement(ref allocator._live);
                }
            }
        }
    }
}
