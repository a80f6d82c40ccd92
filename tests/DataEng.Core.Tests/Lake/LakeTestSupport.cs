using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.Lake;

/// <summary>A folder for one test: <see cref="Root"/> is the lake, <see cref="Parent"/> is scanned for escapes.</summary>
internal sealed class TempLake : IDisposable
{
    public TempLake()
    {
        Parent = Path.Combine(Path.GetTempPath(), "dataeng-lake-tests", Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Parent, "lake");
        Directory.CreateDirectory(Parent);
    }

    public string Parent { get; }

    public string Root { get; }

    /// <summary>Files and folders created under <see cref="Parent"/> but outside <see cref="Root"/>.</summary>
    public List<string> EntriesOutsideRoot()
        => Directory.EnumerateFileSystemEntries(Parent, "*", SearchOption.AllDirectories)
            .Where(p => p != Root && !p.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToList();

    /// <summary>Data files visible to a glob reader.</summary>
    public List<string> ParquetFiles()
        => Directory.Exists(Root)
            ? Directory.EnumerateFiles(Root, "*.parquet", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(Root, p)).Order(StringComparer.Ordinal).ToList()
            : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Parent, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class LakeTestData
{
    public static readonly Schema Orders = new Schema.Builder()
        .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
        .Field(f => f.Name("ts").DataType(new TimestampType(TimeUnit.Microsecond, "UTC")).Nullable(false))
        .Field(f => f.Name("dt").DataType(Date32Type.Default).Nullable(false))
        .Field(f => f.Name("customer").DataType(Int32Type.Default).Nullable(false))
        .Field(f => f.Name("amount").DataType(DoubleType.Default).Nullable(true))
        .Field(f => f.Name("currency").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("note").DataType(StringType.Default).Nullable(true))
        .Build();

    public static readonly DateOnly FirstDay = new(2024, 3, 1);
    public static readonly string[] Currencies = ["EUR", "USD", "GBP", "CHF", "JPY"];

    /// <summary>Orders <paramref name="firstId"/>… spread over <paramref name="days"/> days (id % days), deterministic.</summary>
    public static RecordBatch OrdersBatch(long firstId, int rows, int days = 30)
    {
        var ids = new Int64Array.Builder().Reserve(rows);
        var ts = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, "UTC")).Reserve(rows);
        var dt = new Date32Array.Builder().Reserve(rows);
        var customers = new Int32Array.Builder().Reserve(rows);
        var amounts = new DoubleArray.Builder().Reserve(rows);
        var currencies = new StringArray.Builder();
        var notes = new StringArray.Builder();
        var start = new DateTimeOffset(FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        for (var i = 0; i < rows; i++)
        {
            var id = firstId + i;
            var day = (int)(id % days);
            var instant = start.AddDays(day).AddSeconds(id % 86_399);
            ids.Append(id);
            ts.Append(instant);
            dt.Append(FirstDay.AddDays(day).ToDateTime(TimeOnly.MinValue));
            customers.Append((int)(id * 7919 % 100_000));
            if (id % 11 == 0)
            {
                amounts.AppendNull();
            }
            else
            {
                amounts.Append(id * 0.25);
            }

            currencies.Append(Currencies[id % 5]);
            if (id % 5 == 0)
            {
                notes.AppendNull();
            }
            else
            {
                notes.Append("note-" + id.ToString(CultureInfo.InvariantCulture));
            }
        }

        return new RecordBatch(Orders, [ids.Build(), ts.Build(), dt.Build(), customers.Build(), amounts.Build(), currencies.Build(), notes.Build()], rows);
    }

    public static RecordBatch KeyValue(Schema schema, IReadOnlyList<string?> keys, long firstId)
    {
        var k = new StringArray.Builder();
        var ids = new Int64Array.Builder();
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i] is null)
            {
                k.AppendNull();
            }
            else
            {
                k.Append(keys[i]);
            }

            ids.Append(firstId + i);
        }

        return new RecordBatch(schema, [k.Build(), ids.Build()], keys.Count);
    }

    public static Schema KeyValueSchema(string keyColumn = "k")
        => new Schema.Builder()
            .Field(f => f.Name(keyColumn).DataType(StringType.Default).Nullable(true))
            .Field(f => f.Name("id").DataType(Int64Type.Default).Nullable(false))
            .Build();

    public static RunContext Context(string pipeline = "test", long run = 1, string? runId = null)
        => new(pipeline, run, runId ?? Guid.NewGuid().ToString("N"), NullLogger.Instance, TimeProvider.System, CancellationToken.None);

    /// <summary>Writes batches as one run and commits; disposes the batches.</summary>
    public static async Task<LakeSinkWriter> WriteAsync(string root, LakeWriteOptions? options, Schema schema, IEnumerable<RecordBatch> batches, string pipeline = "test", long run = 1, IReadOnlyDictionary<string, string>? properties = null)
    {
        var sink = Core.Lake.Write(root, options);
        var context = Context(pipeline, run);
        var writer = (LakeSinkWriter)await sink.OpenAsync(schema, context);
        await using (writer)
        {
            foreach (var batch in batches)
            {
                using (batch)
                {
                    await writer.WriteAsync(batch);
                }
            }

            await writer.PrepareAsync(new SinkCommit(pipeline, run, context.RunId, properties ?? new Dictionary<string, string>()));
            await writer.CommitAsync();
        }

        return writer;
    }

    public static LakeWriteOptions Options(params PartitionSpec[] partitionBy)
    {
        var options = new LakeWriteOptions();
        foreach (var spec in partitionBy)
        {
            options.PartitionBy.Add(spec);
        }

        return options;
    }

    /// <summary>Reads a lake with our reader into (column → values) lists.</summary>
    public static async Task<List<RecordBatch>> ReadAllAsync(ISource source)
    {
        var batches = new List<RecordBatch>();
        await foreach (var batch in source.ReadAsync(RunContext.CreateStandalone()))
        {
            batches.Add(batch);
        }

        return batches;
    }
}
