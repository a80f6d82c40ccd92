using BenchmarkDotNet.Running;
using DataEng.Core.Benchmarks.Checks;
using DataEng.Core.Benchmarks.Compare;
using DataEng.Core.Benchmarks.Data;

namespace DataEng.Core.Benchmarks;

/// <summary>
/// Entry point. <c>selftest</c> checks the instruments (<see cref="SelfTest"/>); <c>profile …</c> loops one of our engines for a profiler (<see cref="ProfileCommand"/>); <c>compare …</c> runs the side-by-side table (see <see cref="CompareCommand"/>); anything else goes
/// to BenchmarkDotNet's <see cref="BenchmarkSwitcher"/>, after our own options are taken out:
/// <c>--rows N[,N…]</c> (dataset sizes of the [Params]) or <c>--small</c> (1,000,000 rows only).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "compare")
        {
            return await CompareCommand.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "profile")
        {
            return await ProfileCommand.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "selftest")
        {
            return await SelfTest.RunAsync().ConfigureAwait(false);
        }

        var rest = BenchmarkSizes.TakeArguments(args);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest);
        return summaries.Any(static s => s.HasCriticalValidationErrors || s.Reports.Any(static r => !r.Success)) ? 1 : 0;
    }
}
