using System.Diagnostics;
using System.Globalization;
using DataEng.Core.Benchmarks.Compare;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks.Checks;

/// <summary>
/// <c>profile CASE [--rows N] [--repeat R]</c>: runs one of our engines of <c>compare</c> R times on the standard
/// dataset, in this process, printing each run's time: a steady target for a profiler, e.g.
/// <c>DOTNET_PerfMapEnabled=1 perf record -F 999 -g -- dotnet run -c Release --project … -- profile lake</c>.
/// </summary>
internal static class ProfileCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            Console.Error.WriteLine($"profile CASE [--rows N] [--repeat R]   (CASE: {string.Join(", ", CompareCases.Keys)})");
            return 2;
        }

        var key = args[0];
        long rows = 10_000_000;
        var repeat = 5;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--rows":
                    rows = long.Parse(args[i + 1].Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
                    break;
                case "--repeat":
                    repeat = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'.");
                    return 2;
            }
        }

        var @case = CompareCases.All().SingleOrDefault(c => c.Key == key);
        var engine = @case?.Engines.FirstOrDefault(static e => e.IsOurs);
        if (@case is null || engine is null)
        {
            Console.Error.WriteLine($"No engine of ours for case '{key}'.");
            return 2;
        }

        using var data = StandardDataset.Generate(rows);
        using var duck = DuckDbPeer.Open();
        using var scratch = new ScratchDirectory("profile");
        var context = new CompareContext { Data = data, Duck = duck, Settings = WriteSettings.Snappy, ReadInput = scratch["input.parquet"] };
        if (@case.Kind == CaseKind.Read)
        {
            ParquetSharpPeer.WriteFile(context.ReadInput, StandardDataset.Schema, data.Batches, context.Settings);
        }

        for (var i = 0; i < repeat; i++)
        {
            var output = scratch[$"out-{i}" + (@case.Kind == CaseKind.WriteFile ? ".parquet" : string.Empty)];
            if (@case.Kind == CaseKind.WriteDataset)
            {
                Directory.CreateDirectory(output);
            }

            var watch = Stopwatch.StartNew();
            await engine.Run(context, output).ConfigureAwait(false);
            var seconds = watch.Elapsed.TotalSeconds;
            ScratchDirectory.Clear(output);
            MemoryProbe.Settle();
            var gc = GC.GetGCMemoryInfo(GCKind.Any);
            Console.WriteLine($"run {i + 1}/{repeat}: {seconds:N3} s; after a full GC: resident {MemoryProbe.CurrentResidentBytes() / 1e6:N0} MB, GC heap {gc.HeapSizeBytes / 1e6:N0} MB (committed {gc.TotalCommittedBytes / 1e6:N0} MB), pooled native retained {PooledMemoryAllocator.Shared.RetainedBytes / 1e6:N0} MB");
        }

        return 0;
    }
}
