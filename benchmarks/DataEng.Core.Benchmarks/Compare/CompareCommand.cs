using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks.Compare;

/// <summary>
/// <c>compare</c>: runs our writers and reader and the peers on the standard dataset, in turns, and prints one
/// table. Protocol: every engine gets a discarded warm-up turn, then <c>K</c> measured turns; the table shows the
/// median. Every output is verified by DuckDB (rows, distinct days, sum of ids) after each turn, outside the timing.
/// <para>
/// Memory is only comparable when no engine inherits another's leftovers (Arrow C++ and DuckDB keep freed memory
/// in their allocators), so by default each engine runs all its turns in a fresh child process of this program
/// (same dataset, generated the same way), and its peak is that process's own. <c>--in-process</c> runs every
/// engine in this process instead, interleaved (the engine order rotates every turn, so no engine always follows
/// the same neighbour): better against machine drift, worse for absolute memory peaks.
/// </para>
/// </summary>
internal static class CompareCommand
{
    public const string Usage = """
        compare [--rows N] [--turns K] [--cases lake,file,read,stream] [--stream-rows N] [--batch-rows N] [--row-group N]
                [--in-process] [--dir PATH] [--markdown PATH] [--keep] [--memory-breakdown]
                [--channel-capacity N]

          --rows N        rows of the standard dataset (default 10,000,000)
          --turns K       measured turns per engine, after one discarded warm-up turn (default 5)
          --cases LIST    which cases to run (default: lake,file,read; also: stream)
          --stream-rows N rows the stream case generates while writing (default 100,000,000)
          --batch-rows N  rows per input batch (default 1,000,000)
          --row-group N   maximum rows per row group, for every engine (default 1,000,000)
          --in-process    run every engine in this process, interleaved (default: one child process per engine)
          --dir PATH      where outputs are written (default: a new folder under the temp directory)
          --markdown PATH also write the table (and the run's conditions) to this markdown file
          --keep          keep the outputs of the last turn
          --channel-capacity N
                          PipelineOptions.ChannelCapacity of our lake pipelines (default: the pipeline's default, 4);
                          with --batch-rows it sets how much input is in flight
          --memory-breakdown
                          trace where the memory of each engine's last measured turn goes (managed allocation by
                          type, GCs, GC heap, native pools, resident set) and print it after the table; the traced
                          turns run slower, so their seconds are not comparable
        """;

    private const string ResultMarker = "##compare-result ";

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

        if (options.WorkerCase is not null)
        {
            return await RunWorkerAsync(options).ConfigureAwait(false);
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
        var settings = new WriteSettings(ParquetCodec.Snappy, options.RowGroupRows, WriteSettings.DefaultZstdLevel);
        var cases = CompareCases.All().Where(c => options.Cases.Contains(c.Key)).ToList();
        var readInput = Path.Combine(root, "read-input.parquet");
        var logicalBytes = 0L;
        var results = new List<EngineResult>();
        if (options.InProcess)
        {
            using var data = Generate(options);
            logicalBytes = data.LogicalBytes;
            using var duck = DuckDbPeer.Open();
            var context = new CompareContext { Data = data, Duck = duck, Settings = settings, ReadBatchRows = options.BatchRows, ReadInput = readInput, StreamRows = options.StreamRows, StreamBatchRows = options.BatchRows, ChannelCapacity = options.ChannelCapacity };
            LoadDuckTable(context);
            if (cases.Any(static c => c.Kind == CaseKind.Read))
            {
                WriteReadInput(context);
            }

            MemoryProbe.Settle();
            var baseline = MemoryProbe.CurrentResidentBytes();
            Console.WriteLine($"  resident set before the turns: {baseline / 1e6:N0} MB (runtime + dataset + DuckDB table)");
            foreach (var @case in cases)
            {
                var caseResults = await RunCaseAsync(@case, @case.Engines, context, options, root).ConfigureAwait(false);
                caseResults.ForEach(r => r.BaselineBytes = baseline);
                results.AddRange(caseResults);
            }
        }
        else
        {
            using (var data = Generate(options))
            {
                logicalBytes = data.LogicalBytes;
                if (cases.Any(static c => c.Kind == CaseKind.Read))
                {
                    using var duck = DuckDbPeer.Open();
                    WriteReadInput(new CompareContext { Data = data, Duck = duck, Settings = settings, ReadInput = readInput });
                }
            }

            MemoryProbe.Settle();
            foreach (var @case in cases)
            {
                Console.WriteLine($"== {@case.Title}");
                for (var e = 0; e < @case.Engines.Count; e++)
                {
                    results.Add(await RunChildAsync(@case, e, options, root, readInput).ConfigureAwait(false));
                }
            }
        }

        var report = Report(results, options, settings, logicalBytes);
        var breakdowns = string.Join(Environment.NewLine, results.Where(static r => r.Breakdown is not null).Select(static r => r.Breakdown));
        if (breakdowns.Length > 0)
        {
            report += Environment.NewLine + "```" + Environment.NewLine + breakdowns + "```" + Environment.NewLine;
        }

        Console.WriteLine();
        Console.WriteLine(report);
        if (options.Markdown is { } markdown)
        {
            await File.WriteAllTextAsync(markdown, report).ConfigureAwait(false);
            Console.WriteLine($"(written to {markdown})");
        }

        return results.Any(static r => r.Failure is not null) ? 1 : 0;
    }

    /// <summary>Child mode: one engine of one case, all its turns; prints its result as one JSON line.</summary>
    private static async Task<int> RunWorkerAsync(CompareOptions options)
    {
        var @case = CompareCases.All().Single(c => c.Key == options.WorkerCase);
        var engine = @case.Engines[options.WorkerEngine];
        using var data = @case.Streaming ? StandardDataset.Generate(1) : Generate(options, quiet: true);
        using var duck = DuckDbPeer.Open();
        var settings = new WriteSettings(ParquetCodec.Snappy, options.RowGroupRows, WriteSettings.DefaultZstdLevel);
        var context = new CompareContext { Data = data, Duck = duck, Settings = settings, ReadBatchRows = options.BatchRows, ReadInput = options.ReadInput ?? string.Empty, StreamRows = options.StreamRows, StreamBatchRows = options.BatchRows, ChannelCapacity = options.ChannelCapacity };
        if (engine.NeedsDuckTable)
        {
            LoadDuckTable(context);
        }

        MemoryProbe.Settle();
        var baseline = MemoryProbe.CurrentResidentBytes();
        var root = options.Directory ?? Path.GetTempPath();
        var result = (await RunCaseAsync(@case, [engine], context, options, root, printTitle: false).ConfigureAwait(false))[0];
        result.BaselineBytes = baseline;
        var dto = new WorkerResult(result.Seconds, result.CpuSeconds, result.LastWarmUp, result.BaselineBytes, result.OutputBytes, result.PeakBytes, result.PeakDeltaBytes, result.Failure, result.Breakdown);
        Console.WriteLine(ResultMarker + JsonSerializer.Serialize(dto));
        return 0;
    }

    private static async Task<EngineResult> RunChildAsync(CompareCase @case, int engineIndex, CompareOptions options, string root, string readInput)
    {
        var engine = @case.Engines[engineIndex];
        var result = new EngineResult(@case, engine);
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(CompareCommand).Assembly.Location);
        }

        foreach (var arg in (string[])["compare", "--worker", @case.Key, engineIndex.ToString(CultureInfo.InvariantCulture),
                     "--rows", options.Rows.ToString(CultureInfo.InvariantCulture), "--turns", options.Turns.ToString(CultureInfo.InvariantCulture),
                     "--batch-rows", options.BatchRows.ToString(CultureInfo.InvariantCulture), "--row-group", options.RowGroupRows.ToString(CultureInfo.InvariantCulture),
                     "--dir", root, "--read-input", readInput, "--stream-rows", options.StreamRows.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }

        if (options.Keep)
        {
            start.ArgumentList.Add("--keep");
        }

        if (options.MemoryBreakdown)
        {
            start.ArgumentList.Add("--memory-breakdown");
        }

        if (options.ChannelCapacity is { } capacity)
        {
            start.ArgumentList.Add("--channel-capacity");
            start.ArgumentList.Add(capacity.ToString(CultureInfo.InvariantCulture));
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the worker process.");
        WorkerResult? dto = null;
        while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(ResultMarker, StringComparison.Ordinal))
            {
                dto = JsonSerializer.Deserialize<WorkerResult>(line[ResultMarker.Length..]);
            }
            else
            {
                Console.WriteLine(line);
            }
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        if (dto is null || process.ExitCode != 0)
        {
            result.Failure = $"worker process exited with code {process.ExitCode} without a result";
            return result;
        }

        result.Seconds = [.. dto.Seconds];
        result.CpuSeconds = [.. dto.CpuSeconds];
        result.LastWarmUp = dto.WarmUpSeconds;
        result.BaselineBytes = dto.BaselineBytes;
        result.OutputBytes = dto.OutputBytes;
        result.PeakBytes = dto.PeakBytes;
        result.PeakDeltaBytes = dto.PeakDeltaBytes;
        result.Failure = dto.Failure;
        result.Breakdown = dto.Breakdown;
        return result;
    }

    private static StandardDataset Generate(CompareOptions options, bool quiet = false)
    {
        var clock = Stopwatch.StartNew();
        var data = StandardDataset.Generate(options.Rows, options.BatchRows);
        if (!quiet)
        {
            Console.WriteLine($"Standard dataset: {options.Rows:N0} rows in {data.Batches.Count} batches of ≤ {options.BatchRows:N0} rows, {data.LogicalBytes / 1e6:N1} MB of Arrow buffers (generated in {clock.Elapsed.TotalSeconds:N1} s)");
        }

        return data;
    }

    private static void LoadDuckTable(CompareContext context)
    {
        context.Duck.LoadTable(context.Data);
        context.DuckTableLoaded = true;
    }

    private static void WriteReadInput(CompareContext context)
    {
        ParquetSharpPeer.WriteFile(context.ReadInput, StandardDataset.Schema, context.Data.Batches, context.Settings);
        Console.WriteLine($"Read input: {new FileInfo(context.ReadInput).Length / 1e6:N1} MB written by ParquetSharp ({context.Settings}), not timed");
    }

    private static async Task<List<EngineResult>> RunCaseAsync(CompareCase @case, IReadOnlyList<CompareEngine> engines, CompareContext context, CompareOptions options, string root, bool printTitle = true)
    {
        if (printTitle)
        {
            Console.WriteLine($"== {@case.Title}");
        }

        var results = engines.Select(e => new EngineResult(@case, e)).ToList();
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

                if (result.Engine.NeedsDuckTable && !context.DuckTableLoaded)
                {
                    result.Failure = "DuckDB's table was not loaded";
                    continue;
                }

                var output = OutputPath(@case, result.Engine, caseDir);
                var keep = options.Keep && turn == options.Turns;
                var trace = options.MemoryBreakdown && turn == options.Turns;
                await RunTurnAsync(result, context, output, measured: turn > 0, keep, trace).ConfigureAwait(false);
                Console.WriteLine(result.Failure is null
                    ? $"  {label,-12} {result.Engine.Name,-44} {(turn > 0 ? result.Seconds[^1] : result.LastWarmUp),8:N3} s"
                    : $"  {label,-12} {result.Engine.Name,-44} FAILED: {result.Failure}");
            }
        }

        return results;
    }

    private static async Task RunTurnAsync(EngineResult result, CompareContext context, string output, bool measured, bool keep, bool trace)
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
        double cpuSeconds;
        long peak;
        long start;
        string? breakdown = null;
        var expected = result.Case.Streaming ? context.StreamRows : context.Data.Rows;
        try
        {
            using var process = Process.GetCurrentProcess();
            using var tracer = trace ? MemoryBreakdown.Start() : null;
            using var probe = MemoryProbe.Start();
            start = probe.StartBytes;
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            rows = await result.Engine.Run(context, output).ConfigureAwait(false);
            watch.Stop();
            process.Refresh();
            cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
            seconds = watch.Elapsed.TotalSeconds;
            peak = probe.StopAndGetPeak();
            breakdown = tracer?.Stop($"{result.Case.Title} / {result.Engine.Name}", expected, peak);
        }
        catch (Exception e)
        {
            result.Failure = $"{e.GetType().Name}: {e.Message}";
            return;
        }

        // Verification is not timed: DuckDB reads back what was written; readers must return every row.
        var problem = kind == CaseKind.Read
            ? rows == expected ? null : $"read {rows:N0} rows, expected {expected:N0}"
            : DuckDbPeer.Verify(output, expected);
        if (problem is not null)
        {
            result.Failure = $"verification failed: {problem}";
            return;
        }

        if (measured)
        {
            result.Seconds.Add(seconds);
            result.CpuSeconds.Add(cpuSeconds);
            result.PeakBytes = Math.Max(result.PeakBytes, peak);
            result.PeakDeltaBytes = Math.Max(result.PeakDeltaBytes, peak - start);
            result.OutputBytes = kind == CaseKind.Read ? new FileInfo(context.ReadInput).Length : SizeOf(output);
            result.Breakdown = breakdown ?? result.Breakdown;
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

    private static string Report(List<EngineResult> results, CompareOptions options, WriteSettings settings, long logicalBytes)
    {
        var rows = options.Rows;
        var invariant = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("| case | engine | median s | rows/s | MB/s | CPU s | output MB | peak WS MB | peak − baseline MB | spread | ours ÷ this |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in results.GroupBy(static r => r.Case))
        {
            var ours = group.FirstOrDefault(static r => r.Engine.IsOurs && r.Failure is null);
            foreach (var r in group)
            {
                if (r.Failure is not null)
                {
                    sb.AppendLine(invariant, $"| {group.Key.Title} | {r.Engine.Name} | FAILED | | | | | | | | {r.Failure.Replace("|", "/", StringComparison.Ordinal)} |");
                    continue;
                }

                var median = r.MedianSeconds;
                var caseRows = group.Key.Streaming ? options.StreamRows : rows;
                var caseBytes = group.Key.Streaming ? (long)(logicalBytes * ((double)options.StreamRows / rows)) : logicalBytes;
                var rowsPerSecond = caseRows / median;
                var mbPerSecond = caseBytes / 1e6 / median;
                var ratio = ours is null ? "n/a" : r == ours ? "**1.00×**" : $"{median / ours.MedianSeconds:N2}×";
                var name = r.Engine.IsOurs ? $"**{r.Engine.Name}**" : r.Engine.Name;
                sb.AppendLine(invariant,
                    $"| {group.Key.Title} | {name} | {median:N3} | {rowsPerSecond / 1e6:N2} M | {mbPerSecond:N0} | {r.MedianCpuSeconds:N2} | {r.OutputBytes / 1e6:N1} | {r.PeakBytes / 1e6:N0} | {(r.PeakBytes - r.BaselineBytes) / 1e6:N0} | {r.Spread:P0} | {ratio} |");
            }
        }

        sb.AppendLine();
        var mode = options.InProcess
            ? "all engines in one process, engine order rotated every turn"
            : "each engine in its own fresh process (same dataset, same generator)";
        sb.AppendLine(invariant, $"{rows:N0} rows ({logicalBytes / 1e6:N0} MB of Arrow buffers, batches of {options.BatchRows:N0} rows); {settings}; median of {options.Turns} turns after a discarded warm-up; {mode}.");
        if (results.Any(static r => r.Case.Streaming))
        {
            sb.AppendLine(invariant, $"The stream case writes {options.StreamRows:N0} rows generated batch by batch while they are written (never all in memory; its MB/s uses the same bytes per row).");
        }
        sb.AppendLine("MB/s = uncompressed logical Arrow size ÷ median time (MB = 10^6 bytes). \"ours ÷ this\" = our throughput ÷ this engine's (above 1: we are faster). Spread = (slowest − fastest) ÷ median. CPU s = median process CPU time (user + system, every thread) of a turn: when it is well above the wall time the engine used both cores; when the machine is shared, it is the steadier number.");
        var baselines = string.Join(", ", results.Where(static r => r.Failure is null).Select(static r => r.BaselineBytes / 1_000_000).Distinct().Order().Select(static b => b.ToString("N0", CultureInfo.InvariantCulture)));
        sb.AppendLine(invariant, $"Peak WS = highest resident set of the process during a measured turn ({MemoryProbe.Method}), after a full compacting GC and malloc_trim; it includes the runtime and the input dataset held in memory (resident before the turns: {baselines} MB; engines reading from DuckDB's table also hold that table). Baseline = the resident set after setup, before the engine's first turn (runtime, dataset, the engine's own input such as DuckDB's table); peak − baseline is the memory the engine needed for the work, including what it kept from its earlier turns (pools, caches).");
        sb.AppendLine("Every output was verified by DuckDB (row count, 30 distinct dt, sum of id) after each turn, outside the timing.");
        if (options.ChannelCapacity is { } capacity)
        {
            sb.AppendLine(invariant, $"Our lake pipelines ran with PipelineOptions.ChannelCapacity = {capacity} (--channel-capacity; the default is {new PipelineOptions().ChannelCapacity}).");
        }

        if (options.MemoryBreakdown)
        {
            sb.AppendLine("The last measured turn of every engine was traced (--memory-breakdown, below the table): its seconds include the tracing and are not comparable.");
        }
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

    public long StreamRows { get; private set; } = 100_000_000;

    public string? Directory { get; private set; }

    public string? Markdown { get; private set; }

    public bool Keep { get; private set; }

    public bool Help { get; private set; }

    public bool InProcess { get; private set; }

    public bool MemoryBreakdown { get; private set; }

    public int? ChannelCapacity { get; private set; }

    public string? WorkerCase { get; private set; }

    public int WorkerEngine { get; private set; }

    public string? ReadInput { get; private set; }

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
                case "--stream-rows":
                    options.StreamRows = ParsePositive(arg, Value());
                    break;
                case "--in-process":
                    options.InProcess = true;
                    break;
                case "--worker":
                    options.WorkerCase = Value();
                    options.WorkerEngine = checked((int)ParsePositiveOrZero(arg, Value()));
                    break;
                case "--read-input":
                    options.ReadInput = Value();
                    break;
                case "--keep":
                    options.Keep = true;
                    break;
                case "--memory-breakdown":
                    options.MemoryBreakdown = true;
                    break;
                case "--channel-capacity":
                    options.ChannelCapacity = checked((int)ParsePositive(arg, Value()));
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

    private static long ParsePositiveOrZero(string name, string text) => text == "0" ? 0 : ParsePositive(name, text);

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

/// <summary>What a worker process reports back.</summary>
internal sealed record WorkerResult(List<double> Seconds, List<double> CpuSeconds, double WarmUpSeconds, long BaselineBytes, long OutputBytes, long PeakBytes, long PeakDeltaBytes, string? Failure, string? Breakdown);
