using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks.Compare;

/// <summary>
/// <c>compare</c>: runs our writers and reader and the peers on the standard dataset in one process, in turns, and
/// prints one table. Protocol: the dataset (and DuckDB's copy of it) is built before any turn and stays resident for
/// every engine; turn 0 of every engine is a discarded warm-up; then <c>K</c> measured turns, each running every
/// engine once, in an order rotated by one engine per turn (so no engine always follows the same neighbour); the
/// table shows the median. Every output is verified by DuckDB (rows, distinct days, sum of ids) after the turn.
/// </summary>
internal static class CompareCommand
{
    public const string Usage = """
        compare [--rows N] [--turns K] [--cases lake,file,read] [--batch-rows N] [--row-group N]
                [--dir PATH] [--markdown PATH] [--keep]

          --rows N        rows of the standard dataset (default 10,000,000)
          --turns K       measured turns per engine, after one discarded warm-up turn (default 5)
          --cases LIST    which cases to run (default: lake,file,read)
          --batch-rows N  rows per input batch (default 1,000,000)
          --row-group N   maximum rows per row group, for every engine (default 1,000,000)
          --dir PATH      where outputs are written (default: a new folder under the temp directory)
          --markdown PATH also write the table (and the run's conditions) to this markdown file
          --keep          keep the outputs of the last turn
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        CompareOptions options;
        try
        {
            options = CompareOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        var root = options.Directory ?? Path.Combine(Path.GetTempPath(), $"dataeng-compare-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        try
        {
            return await RunCoreAsync(options, root).ConfigureAwait(false);
        }
        finally
        {
            if (!options.Keep && options.Directory is null)
            {
                TryDelete(root);
            }
        }
    }

    private static async Task<int> RunCoreAsync(CompareOptions options, string root)
    {
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"Generating the standard dataset: {options.Rows:N0} rows in batches of {options.BatchRows:N0} …");
        using var data = StandardDataset.Generate(options.Rows, options.BatchRows);
        Console.WriteLine($"  {data.Batches.Count} batches, {data.LogicalBytes / 1e6:N1} MB of Arrow buffers ({clock.Elapsed.TotalSeconds:N1} s)");

        clock.Restart();
        using var duck = DuckDbPeer.Open();
        duck.LoadTable(data);
        Console.WriteLine($"  DuckDB table loaded through its Arrow scan ({clock.Elapsed.TotalSeconds:N1} s, not timed)");

        var settings = new WriteSettings(ParquetCodec.Snappy, options.RowGroupRows, WriteSettings.DefaultZstdLevel);
        var context = new CompareContext { Data = data, Duck = duck, Settings = settings, ReadBatchRows = options.BatchRows };
        var cases = CompareCases.All().Where(c => options.Cases.Contains(c.Key)).ToList();
        if (cases.Any(static c => c.Kind == CaseKind.Read))
        {
            context.ReadInput = Path.Combine(root, "read-input.parquet");
            ParquetSharpPeer.WriteFile(context.ReadInput, StandardDataset.Schema, data.Batches, settings);
            Console.WriteLine($"  read input: {new FileInfo(context.ReadInput).Length / 1e6:N1} MB written by ParquetSharp ({settings})");
        }

        MemoryProbe.Settle();
        var baseline = MemoryProbe.CurrentResidentBytes();
        Console.WriteLine($"  resident set before the turns: {baseline / 1e6:N0} MB (dataset + DuckDB table + runtime)");
        Console.WriteLine();

        var results = new List<EngineResult>();
        foreach (var @case in cases)
        {
            results.AddRange(await RunCaseAsync(@case, context, options, root).ConfigureAwait(false));
        }

        var report = Report(results, options, settings, data, baseline);
        Console.WriteLine();
        Console.WriteLine(report);
        if (options.Markdown is { } markdown)
        {
            await File.WriteAllTextAsync(markdown, report).ConfigureAwait(false);
            Console.WriteLine($"(written to {markdown})");
        }

        return results.Any(static r => r.Failure is not null) ? 1 : 0;
    }

    private static async Task<List<EngineResult>> RunCaseAsync(CompareCase @case, CompareContext context, CompareOptions options, string root)
    {
        Console.WriteLine($"== {@case.Title}");
        var results = @case.Engines.Select(e => new EngineResult(@case, e)).ToList();
        var caseDir = Path.Combine(root, @case.Key);
        Directory.CreateDirectory(caseDir);
        for (var turn = 0; turn <= options.Turns; turn++)
        {
            var label = turn == 0 ? "warm-up" : $"turn {turn}/{options.Turns}";
            for (var k = 0; k < results.Count; k++)
            {
                var result = results[(k + turn) % results.Count];
                if (result.Failure is not null)
                {
                    continue;
                }

                var output = OutputPath(@case, result.Engine, caseDir);
                var keep = options.Keep && turn == options.Turns;
                await RunTurnAsync(result, context, output, measured: turn > 0, keep).ConfigureAwait(false);
                Console.WriteLine(result.Failure is null
                    ? $"  {label,-12} {result.Engine.Name,-44} {(turn > 0 ? result.Seconds[^1] : result.LastWarmUp),8:N3} s"
                    : $"  {label,-12} {result.Engine.Name,-44} FAILED: {result.Failure}");
            }
        }

        return results;
    }

    private static async Task RunTurnAsync(EngineResult result, CompareContext context, string output, bool measured, bool keep)
    {
        var kind = result.Case.Kind;
        TryDelete(output);
        if (kind == CaseKind.WriteDataset)
        {
            Directory.CreateDirectory(output);
        }

        MemoryProbe.Settle();
        long rows;
        double seconds;
        long peak;
        long start;
        try
        {
            using var probe = MemoryProbe.Start();
            start = probe.StartBytes;
            var watch = Stopwatch.StartNew();
            rows = await result.Engine.Run(context, output).ConfigureAwait(false);
            watch.Stop();
            seconds = watch.Elapsed.TotalSeconds;
            peak = probe.StopAndGetPeak();
        }
        catch (Exception e)
        {
            result.Failure = $"{e.GetType().Name}: {e.Message}";
            return;
        }

        // Verification is not timed: DuckDB reads back what was written; readers must return every row.
        var problem = kind == CaseKind.Read
            ? rows == context.Data.Rows ? null : $"read {rows:N0} rows, expected {context.Data.Rows:N0}"
            : DuckDbPeer.Verify(output, context.Data.Rows);
        if (problem is not null)
        {
            result.Failure = $"verification failed: {problem}";
            return;
        }

        if (measured)
        {
            result.Seconds.Add(seconds);
            result.PeakBytes = Math.Max(result.PeakBytes, peak);
            result.PeakDeltaBytes = Math.Max(result.PeakDeltaBytes, peak - start);
            result.OutputBytes = kind == CaseKind.Read ? new FileInfo(context.ReadInput).Length : SizeOf(output);
        }
        else
        {
            result.LastWarmUp = seconds;
        }

        if (!keep && kind != CaseKind.Read)
        {
            TryDelete(output);
        }
    }

    private static string Report(List<EngineResult> results, CompareOptions options, WriteSettings settings, StandardDataset data, long baseline)
    {
        var invariant = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("| case | engine | median s | rows/s | MB/s | output MB | peak WS MB | Δ WS MB | spread | ours ÷ this |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in results.GroupBy(static r => r.Case))
        {
            var ours = group.FirstOrDefault(static r => r.Engine.IsOurs && r.Failure is null);
            foreach (var r in group)
            {
                if (r.Failure is not null)
                {
                    sb.AppendLine(invariant, $"| {group.Key.Title} | {r.Engine.Name} | FAILED | | | | | | | {r.Failure.Replace("|", "/", StringComparison.Ordinal)} |");
                    continue;
                }

                var median = r.MedianSeconds;
                var rowsPerSecond = data.Rows / median;
                var mbPerSecond = data.LogicalBytes / 1e6 / median;
                var ratio = ours is null ? "n/a" : r == ours ? "**1.00×**" : $"{median / ours.MedianSeconds:N2}×";
                var name = r.Engine.IsOurs ? $"**{r.Engine.Name}**" : r.Engine.Name;
                sb.AppendLine(invariant,
                    $"| {group.Key.Title} | {name} | {median:N3} | {rowsPerSecond / 1e6:N2} M | {mbPerSecond:N0} | {r.OutputBytes / 1e6:N1} | {r.PeakBytes / 1e6:N0} | {r.PeakDeltaBytes / 1e6:N0} | {r.Spread:P0} | {ratio} |");
            }
        }

        sb.AppendLine();
        sb.AppendLine(invariant, $"{data.Rows:N0} rows ({data.LogicalBytes / 1e6:N0} MB of Arrow buffers, batches of {options.BatchRows:N0} rows); {settings}; median of {options.Turns} turns after a discarded warm-up, engine order rotated every turn.");
        sb.AppendLine("MB/s = uncompressed logical Arrow size ÷ median time (MB = 10^6 bytes). \"ours ÷ this\" = our throughput ÷ this engine's (above 1: we are faster). Spread = (slowest − fastest) ÷ median.");
        sb.AppendLine(invariant, $"Peak WS = highest resident set during a turn ({MemoryProbe.Method}), after a full compacting GC and malloc_trim; the dataset and DuckDB's table ({baseline / 1e6:N0} MB with the runtime) are resident for every engine. Δ WS = peak − resident set at the start of the turn.");
        sb.AppendLine("Every output was verified by DuckDB (row count, 30 distinct dt, sum of id) after each turn, outside the timing.");
        foreach (var note in results.Where(static r => r.Engine.Note is not null).Select(static r => $"{r.Engine.Name}: {r.Engine.Note}").Distinct())
        {
            sb.AppendLine(invariant, $"- {note}");
        }

        sb.AppendLine();
        sb.AppendLine(invariant, $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC; DuckDB {DuckVersion()}, ParquetSharp {VersionOf(typeof(ParquetSharp.Arrow.FileWriter))}, Parquet.Net {VersionOf(typeof(Parquet.ParquetWriter))}, Apache.Arrow {VersionOf(typeof(Apache.Arrow.RecordBatch))}.");
        return sb.ToString();
    }

    private static string DuckVersion()
    {
        using var duck = DuckDbPeer.Open();
        using var command = duck.Connection.CreateCommand();
        command.CommandText = "SELECT version()";
        return command.ExecuteScalar()?.ToString() ?? "?";
    }

    private static string VersionOf(Type type)
    {
        var info = type.Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion;
        return info?.Split('+')[0] ?? type.Assembly.GetName().Version?.ToString() ?? "?";
    }

    private static string OutputPath(CompareCase @case, CompareEngine engine, string caseDir)
    {
        var slug = new string([.. engine.Name.ToLowerInvariant().Select(static c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        return @case.Kind switch
        {
            CaseKind.WriteFile => Path.Combine(caseDir, slug + ".parquet"),
            _ => Path.Combine(caseDir, slug),
        };
    }

    private static long SizeOf(string path)
    {
        if (File.Exists(path))
        {
            return new FileInfo(path).Length;
        }

        return Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(static f => f.EndsWith(".parquet", StringComparison.Ordinal)).Sum(static f => new FileInfo(f).Length)
            : 0;
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The parsed arguments of <c>compare</c>.</summary>
internal sealed class CompareOptions
{
    public long Rows { get; private set; } = 10_000_000;

    public int Turns { get; private set; } = 5;

    public int BatchRows { get; private set; } = StandardDataset.DefaultBatchRows;

    public int RowGroupRows { get; private set; } = WriteSettings.DefaultRowGroupRows;

    public HashSet<string> Cases { get; private set; } = ["lake", "file", "read"];

    public string? Directory { get; private set; }

    public string? Markdown { get; private set; }

    public bool Keep { get; private set; }

    public bool Help { get; private set; }

    public static CompareOptions Parse(string[] args)
    {
        var options = new CompareOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            switch (arg)
            {
                case "--rows":
                    options.Rows = ParsePositive(arg, Value());
                    break;
                case "--turns":
                    options.Turns = checked((int)ParsePositive(arg, Value()));
                    break;
                case "--batch-rows":
                    options.BatchRows = checked((int)ParsePositive(arg, Value()));
                    break;
                case "--row-group":
                    options.RowGroupRows = checked((int)ParsePositive(arg, Value()));
                    break;
                case "--cases":
                    options.Cases = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    var unknown = options.Cases.Except(CompareCases.Keys).ToArray();
                    if (unknown.Length > 0)
                    {
                        throw new ArgumentException($"Unknown case(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", CompareCases.Keys)}.");
                    }

                    break;
                case "--dir":
                    options.Directory = Path.GetFullPath(Value());
                    break;
                case "--markdown":
                    options.Markdown = Path.GetFullPath(Value());
                    break;
                case "--keep":
                    options.Keep = true;
                    break;
                case "--help" or "-h":
                    options.Help = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{arg}'.");
            }
        }

        return options;
    }

    private static long ParsePositive(string name, string text)
    {
        var cleaned = text.Replace("_", string.Empty, StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal);
        if (!long.TryParse(cleaned, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw new ArgumentException($"{name} must be a positive integer (was '{text}').");
        }

        return value;
    }
}
