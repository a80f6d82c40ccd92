using System.Globalization;
using Apache.Arrow;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Lake;

public class LakeSourceTests
{
    [Fact]
    public async Task ReadAsync_Manifest_RebuildsPartitionColumnsWithTheirTypes()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, LakeTestData.Options(PartitionSpec.Identity("dt"), PartitionSpec.Identity("currency")), LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 1500)]);
        var source = Core.Lake.Read(temp.Root);

        Assert.Equal("(id: int64, ts: timestamp[microsecond, UTC], customer: int32, amount: double?, note: utf8?, dt: date32?, currency: utf8?)", SchemaText.Describe(source.Schema));
        var batches = await LakeTestData.ReadAllAsync(source);
        var rows = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => (
            Id: ((Int64Array)b.Column("id")).GetValue(i)!.Value,
            Dt: ((Date32Array)b.Column("dt")).GetDateOnly(i)!.Value,
            Currency: ((StringArray)b.Column("currency")).GetString(i),
            Note: ((StringArray)b.Column("note")).GetString(i)))).OrderBy(r => r.Id).ToList();
        Assert.Equal(1500, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(LakeTestData.FirstDay.AddDays((int)(r.Id % 30)), r.Dt);
            Assert.Equal(LakeTestData.Currencies[r.Id % 5], r.Currency);
            Assert.Equal(r.Id % 5 == 0 ? null : "note-" + r.Id.ToString(CultureInfo.InvariantCulture), r.Note);
        });
        batches.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task Read_OptionsChangedAfterTheCall_DoNotReachTheSource()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, LakeTestData.Options(), LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 10)]);
        var columns = new List<string> { "id" };
        var options = new LakeReadOptions { Name = "orders", Columns = columns, Parquet = new ParquetReadOptions { BatchSize = 3 } };

        var source = Core.Lake.Read(temp.Root, options);
        options.Name = "changed";
        columns.Add("amount");
        options.Parquet.BatchSize = 1000;
        options.SnapshotVersion = 99;

        Assert.Equal("orders", source.Name);
        Assert.Equal("(id: int64)", SchemaText.Describe(source.Schema));
        var batches = await LakeTestData.ReadAllAsync(source);
        Assert.Equal(10, batches.Sum(b => b.Length));
        Assert.All(batches, b => Assert.InRange(b.Length, 1, 3));
        batches.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task ReadAsync_TransformedPartitions_RebuildsTheirColumns()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Month("ts"), PartitionSpec.Bucket("customer", 4), PartitionSpec.Truncate("currency", 1).As("c1"));
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 200)]);
        var source = Core.Lake.Read(temp.Root, new LakeReadOptions { Columns = ["id", "ts_month", "customer_bucket", "c1", "currency"] });
        Assert.Equal("(id: int64, ts_month: utf8?, customer_bucket: int32?, c1: utf8?, currency: utf8)", SchemaText.Describe(source.Schema));
        var batches = await LakeTestData.ReadAllAsync(source);
        foreach (var batch in batches)
        {
            for (var i = 0; i < batch.Length; i++)
            {
                Assert.Equal("2024-03", ((StringArray)batch.Column(1)).GetString(i));
                Assert.InRange(((Int32Array)batch.Column(2)).GetValue(i)!.Value, 0, 3);
                Assert.Equal(((StringArray)batch.Column(4)).GetString(i)![..1], ((StringArray)batch.Column(3)).GetString(i));
            }
        }

        Assert.Equal(200, batches.Sum(b => b.Length));
        batches.ForEach(b => b.Dispose());
        Assert.Equal(200, Duck.Count(temp.Root));
    }

    [Fact]
    public async Task ReadAsync_PartitionFilter_SkipsPartitionsWithoutOpeningTheirFiles()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, LakeTestData.Options(PartitionSpec.Identity("dt")), LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 300)]);

        // Damage every file except the wanted day's: a pruned partition is never opened.
        var wanted = LakeTestData.FirstDay.AddDays(3);
        foreach (var file in Directory.EnumerateFiles(temp.Root, "*.parquet", SearchOption.AllDirectories).Where(f => !f.Contains("2024-03-04", StringComparison.Ordinal)))
        {
            File.WriteAllBytes(file, [1, 2, 3]);
        }

        var seen = new List<string>();
        var source = Core.Lake.Read(temp.Root, new LakeReadOptions
        {
            PartitionFilter = p =>
            {
                seen.Add(p.ToString());
                return (DateOnly)p["dt"]! == wanted;
            },
            Columns = ["id", "dt"],
        });
        var batches = await LakeTestData.ReadAllAsync(source);
        Assert.Equal(10, batches.Sum(b => b.Length));
        Assert.All(batches.SelectMany(b => ((Int64Array)b.Column(0)).Values.ToArray()), id => Assert.Equal(3, id % 30));
        Assert.Equal(30, seen.Count);
        Assert.Contains("dt=2024-03-04", seen);
        batches.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task ReadAsync_Projection_OnlyPartitionColumns_UsesFileRowCounts()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, LakeTestData.Options(PartitionSpec.Identity("currency")), LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 500)]);
        var batches = await LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root, new LakeReadOptions { Columns = ["currency"] }));
        Assert.Equal(500, batches.Sum(b => b.Length));
        Assert.Equal(100, batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((StringArray)b.Column(0)).GetString(i))).Count(c => c == "USD"));
        batches.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task ReadAsync_UnknownColumn_FailsListingIt()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 5)]);
        var e = Assert.Throws<SchemaMismatchException>(() => Core.Lake.Read(temp.Root, new LakeReadOptions { Columns = ["id", "nope"] }).Schema);
        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NamedSnapshot_SeesOnlyThatVersion()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 100)], run: 1);
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(100, 50)], run: 2);

        var first = await LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root, new LakeReadOptions { SnapshotVersion = 1 }));
        Assert.Equal(100, first.Sum(b => b.Length));
        var latest = await LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root));
        Assert.Equal(150, latest.Sum(b => b.Length));
        first.Concat(latest).ToList().ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task ReadAsync_WhileAnotherCommitIsPrepared_SeesOnlyCommittedData()
    {
        using var temp = new TempLake();
        var options = LakeTestData.Options(PartitionSpec.Identity("dt"));
        await LakeTestData.WriteAsync(temp.Root, options, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 100)], run: 1);

        var source = Core.Lake.Read(temp.Root);
        var context = LakeTestData.Context(run: 2);
        await using var writer = await Core.Lake.Write(temp.Root, options).OpenAsync(LakeTestData.Orders, context);
        using (var batch = LakeTestData.OrdersBatch(100, 500))
        {
            await writer.WriteAsync(batch);
        }

        await writer.PrepareAsync(new SinkCommit("test", 2, context.RunId, new Dictionary<string, string>()));

        var during = await LakeTestData.ReadAllAsync(source);
        Assert.Equal(100, during.Sum(b => b.Length));
        Assert.Equal(100, Duck.Count(temp.Root));

        // Recovery of another writer opening now leaves the prepared commit alone (its lock is held).
        var recovery = await (await Core.Lake.OpenAsync(temp.Root)).RecoverAsync();
        Assert.Equal(0, recovery.StagingFolders);

        await writer.CommitAsync();
        var after = await LakeTestData.ReadAllAsync(source);
        Assert.Equal(600, after.Sum(b => b.Length));
        Assert.Equal(600, Duck.Count(temp.Root));
        during.Concat(after).ToList().ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task ReadAsync_HiveDatasetWrittenByDuckDb_InfersPartitionTypes()
    {
        using var temp = new TempLake();
        Directory.CreateDirectory(temp.Root);
        Duck.Query($"""
            COPY (SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE 'r/' || (i % 3) END AS region, i % 4 AS n, DATE '2024-01-01' + CAST(i % 2 AS INTEGER) AS d, i * 1.5 AS v
                  FROM range(1000) t(i))
            TO '{temp.Root}' (FORMAT PARQUET, PARTITION_BY (region, n, d), OVERWRITE_OR_IGNORE)
            """);

        var source = Core.Lake.Read(temp.Root);
        Assert.Equal("(id: int64?, v: decimal128(21, 1)?, region: utf8?, n: int64?, d: date32?)", SchemaText.Describe(source.Schema));
        var batches = await LakeTestData.ReadAllAsync(source);
        var rows = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => (
            Id: ((Int64Array)b.Column("id")).GetValue(i)!.Value,
            Region: ((StringArray)b.Column("region")).GetString(i),
            N: ((Int64Array)b.Column("n")).GetValue(i),
            D: ((Date32Array)b.Column("d")).GetDateOnly(i)))).OrderBy(r => r.Id).ToList();
        Assert.Equal(1000, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(r.Id % 7 == 0 ? null : "r/" + (r.Id % 3).ToString(CultureInfo.InvariantCulture), r.Region);
            Assert.Equal(r.Id % 4, r.N);
            Assert.Equal(new DateOnly(2024, 1, 1).AddDays((int)(r.Id % 2)), r.D);
        });
        batches.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task ReadAsync_BatchesBelongToTheCaller_AllocatorReturnsToZero()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, LakeTestData.Options(PartitionSpec.Identity("currency")), LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 2000)]);
        var allocator = new CountingMemoryAllocator();
        var source = Core.Lake.Read(temp.Root, new LakeReadOptions { Parquet = new ParquetReadOptions { Allocator = allocator, BatchSize = 100 } });
        var batches = await LakeTestData.ReadAllAsync(source);
        Assert.Equal(2000, batches.Sum(b => b.Length));
        Assert.True(allocator.LiveAllocations > 0);
        batches.ForEach(b => b.Dispose());
        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task RunAsync_LakeToLakeCopy_ThroughAPipeline()
    {
        using var temp = new TempLake();
        var allocator = new CountingMemoryAllocator();
        await LakeTestData.WriteAsync(temp.Root, LakeTestData.Options(PartitionSpec.Identity("dt")), LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 3000)]);
        var copy = Path.Combine(temp.Parent, "copy");
        var pipeline = Pipeline.Create("copy")
            .Extract(Core.Lake.Read(temp.Root, new LakeReadOptions { Parquet = new ParquetReadOptions { Allocator = allocator }, PartitionFilter = p => ((DateOnly)p["dt"]!).Day <= 10 }))
            .Load(Core.Lake.Write(copy, LakeTestData.Options(PartitionSpec.Month("ts"))))
            .Build();

        var result = await pipeline.RunAsync();

        Assert.Equal(1000, result.RowsWritten);
        Assert.Equal(1000, Duck.Count(copy));
        Assert.Equal("2024-03", Duck.Scalar($"SELECT DISTINCT ts_month FROM {Duck.Glob(copy)}"));
        Assert.Equal(0, allocator.LiveAllocations);
    }

    public static TheoryData<string> Damage => ["truncated", "footer-length", "magic", "tiny", "empty", "magic-only", "huge-footer-length", "footer-garbage"];

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task ReadAsync_HostileFile_FailsOnceNamingTheFileWithoutHanging(string damage)
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 5000)]);
        var file = Directory.EnumerateFiles(temp.Root, "*.parquet", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(file);
        var footerLength = BitConverter.ToInt32(bytes, bytes.Length - 8);
        byte[] damaged = damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "footer-length" => Flip(bytes, bytes.Length - 7),
            "magic" => Flip(bytes, bytes.Length - 2),
            "tiny" => [0x50, 0x41],
            "empty" => [],
            "magic-only" => "PAR1PAR1"u8.ToArray(),
            "huge-footer-length" => [.. "PAR1"u8, .. new byte[16], .. BitConverter.GetBytes(int.MaxValue - 1), .. "PAR1"u8],
            _ => [.. bytes[..(bytes.Length - 8 - footerLength)], .. Enumerable.Repeat((byte)0xFF, footerLength), .. bytes[^8..]],
        };
        File.WriteAllBytes(file, damaged);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var read = LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root));
        var e = await Assert.ThrowsAnyAsync<DataFormatException>(() => read.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 256L * 1024 * 1024, "a hostile file must not cause a huge allocation");
    }

    [Fact]
    public async Task ReadAsync_BitFlipsAnywhere_ReadOrFailWithOneClearExceptionNeverHang()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 2000)]);
        var file = Directory.EnumerateFiles(temp.Root, "*.parquet", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(file);
        var failures = 0;
        for (var k = 0; k < 48; k++)
        {
            // Positions spread over the file, denser in the footer where the structure lives.
            var position = k < 24 ? (int)((long)bytes.Length * k / 24) : bytes.Length - 8 - ((k - 24) * 37 % Math.Min(bytes.Length - 8, 4000));
            File.WriteAllBytes(file, Flip(bytes, Math.Clamp(position, 0, bytes.Length - 2)));
            try
            {
                var batches = await LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root)).WaitAsync(TimeSpan.FromSeconds(60));
                batches.ForEach(b => b.Dispose());
            }
            catch (DataFormatException e)
            {
                failures++;
                Assert.Contains(file, e.Message, StringComparison.Ordinal);
            }
        }

        Assert.True(failures > 0, "damaged footers must be detected");
    }

    [Fact]
    public async Task ReadAsync_FileReplacedAfterCommit_FailsOnTheRowCount()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 100)]);
        var file = Directory.EnumerateFiles(temp.Root, "*.parquet", SearchOption.AllDirectories).Single();
        using var other = new TempLake();
        await LakeTestData.WriteAsync(other.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 99)]);
        File.Copy(Directory.EnumerateFiles(other.Root, "*.parquet", SearchOption.AllDirectories).Single(), file, overwrite: true);

        var e = await Assert.ThrowsAnyAsync<DataFormatException>(() => LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root)));
        Assert.Contains("99 rows", e.Message, StringComparison.Ordinal);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_MissingFile_FailsNamingIt()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 100)]);
        var file = Directory.EnumerateFiles(temp.Root, "*.parquet", SearchOption.AllDirectories).Single();
        File.Delete(file);
        var e = await Assert.ThrowsAnyAsync<DataFormatException>(() => LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root)));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_CorruptManifest_FailsNamingIt()
    {
        using var temp = new TempLake();
        await LakeTestData.WriteAsync(temp.Root, null, LakeTestData.Orders, [LakeTestData.OrdersBatch(0, 10)]);
        var manifest = Path.Combine(temp.Root, "_dataeng", "commits", "00000000000000000001.json");
        File.WriteAllText(manifest, "{\"formatVersion\":1,\"version\":1,\"added\":[{\"path\":\"../../etc/passwd\"}]}");
        var e = Assert.Throws<DataFormatException>(() => Core.Lake.Read(temp.Root).Schema);
        Assert.Contains(manifest, e.Message, StringComparison.Ordinal);
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= 0xFF;
        copy[index + 1] ^= 0x5A;
        return copy;
    }
}
