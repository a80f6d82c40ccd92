using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Incremental;

public sealed class IncrementalFilesTests : IDisposable
{
    private static readonly Schema IdSchema = new([new Field("id", Int64Type.Default, false)], null);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dataeng-files-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private long _nextId;

    public IncrementalFilesTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes a file of ids, one per line, modified at the given time.</summary>
    private List<long> Write(string name, int rows, DateTimeOffset? modified = null)
    {
        var ids = Enumerable.Range(0, rows).Select(_ => ++_nextId).ToList();
        var path = Path.Combine(_folder, name);
        File.WriteAllLines(path, ids.Select(static i => i.ToString(CultureInfo.InvariantCulture)));
        File.SetLastWriteTimeUtc(path, (modified ?? _time.GetUtcNow() - TimeSpan.FromHours(1)).UtcDateTime);
        return ids;
    }

    private static InMemorySource Open(string path)
    {
        var builder = new Int64Array.Builder();
        foreach (var line in File.ReadAllLines(path))
        {
            builder.Append(long.Parse(line, CultureInfo.InvariantCulture));
        }

        var array = builder.Build();
        return new InMemorySource(IdSchema, [new RecordBatch(IdSchema, [array], array.Length)], Path.GetFileName(path));
    }

    private Pipeline Build(LedgerSink sink, FileOrder order, IncrementalOptions? options = null)
        => Pipeline.Create("files")
            .Extract(IncrementalFiles.Source(_folder, "*.txt", IdSchema, Open, order, options))
            .Load(sink)
            .Configure(o => o.TimeProvider = _time)
            .Build();

    [Fact]
    public async Task RunIncrementalAsync_ByName_LoadsEachNewFileOnce()
    {
        var sink = new LedgerSink();
        var pipeline = Build(sink, FileOrder.Name);
        var expected = Write("2026-03-01.txt", 3).Concat(Write("2026-03-02.txt", 2)).ToList();
        File.WriteAllText(Path.Combine(_folder, "ignored.csv"), "999");

        var first = await pipeline.RunIncrementalAsync();
        expected.AddRange(Write("2026-03-03.txt", 4));
        var second = await pipeline.RunIncrementalAsync();
        var third = await pipeline.RunIncrementalAsync();

        Assert.Equal(5, first.Run.RowsWritten);
        Assert.Equal(4, second.Run.RowsWritten);
        Assert.Equal(0, third.Run.RowsWritten);
        Assert.Equal("str:2026-03-03.txt", third.EncodedWatermark);
        Assert.Equal(expected, sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_ByModifiedTime_LeavesFilesYoungerThanTheLagAndCatchesLateOnesInTheLookback()
    {
        var sink = new LedgerSink();
        var pipeline = Build(sink, FileOrder.ModifiedTime, new IncrementalOptions { Lag = TimeSpan.FromMinutes(1), Lookback = TimeSpan.FromMinutes(30) });
        var now = _time.GetUtcNow();
        var expected = Write("b.txt", 2, now - TimeSpan.FromMinutes(10));
        var young = Write("a.txt", 3, now - TimeSpan.FromSeconds(10));

        var first = await pipeline.RunIncrementalAsync();
        Assert.Equal(2, first.Run.RowsWritten);

        _time.Advance(TimeSpan.FromMinutes(2));
        expected.AddRange(young);
        expected.AddRange(Write("late.txt", 1, now - TimeSpan.FromMinutes(20)));
        var second = await pipeline.RunIncrementalAsync();
        var third = await pipeline.RunIncrementalAsync();

        Assert.Equal(4, second.Run.RowsWritten);
        Assert.Equal(0, third.Run.RowsWritten);
        Assert.Equal(expected.Order(), sink.Ids.Order());
    }

    [Fact]
    public async Task RunIncrementalAsync_CsvFiles_AreLoadedOnceThroughTheCsvSource()
    {
        var sink = new LedgerSink();
        var options = new CsvSourceOptions { Schema = IdSchema };
        var pipeline = Pipeline.Create("csv-files")
            .Extract(IncrementalFiles.Source(_folder, "*.csv", IdSchema, path => DataEng.Core.Csv.File(path, options), FileOrder.Name))
            .Load(sink)
            .Configure(o => o.TimeProvider = _time)
            .Build();
        File.WriteAllLines(Path.Combine(_folder, "001.csv"), ["id", "1", "2"]);
        await pipeline.RunIncrementalAsync();
        File.WriteAllLines(Path.Combine(_folder, "002.csv"), ["id", "3"]);

        var second = await pipeline.RunIncrementalAsync();

        Assert.Equal(1, second.Run.RowsWritten);
        Assert.Equal([1L, 2, 3], sink.Ids);
    }

    [Fact]
    public async Task RunIncrementalAsync_CrashWhileLoadingFiles_ReloadsThemOnceOnTheRerun()
    {
        var crash = true;
        var sink = new LedgerSink { Crash = s => s == "write:2" && crash };
        var pipeline = Build(sink, FileOrder.Name);
        var expected = Write("1.txt", 2).Concat(Write("2.txt", 2)).Concat(Write("3.txt", 2)).ToList();

        await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunIncrementalAsync());
        crash = false;
        await pipeline.RunIncrementalAsync();

        Assert.Equal(expected, sink.Ids);
    }
}
