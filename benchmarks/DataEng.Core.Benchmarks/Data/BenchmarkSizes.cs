using System.Globalization;

namespace DataEng.Core.Benchmarks.Data;

/// <summary>
/// The dataset sizes the BenchmarkDotNet classes use as <c>[ParamsSource]</c>. Default: 1,000,000 and 10,000,000
/// rows. <c>--small</c> selects 1,000,000 only; <c>--rows N[,N…]</c> any list (the CI dry job uses a tiny one). The
/// choice travels in the <see cref="RowsVariable"/> environment variable, so BenchmarkDotNet's child processes see it.
/// </summary>
internal static class BenchmarkSizes
{
    public const string RowsVariable = "DATAENG_BENCH_ROWS";

    public const int Small = 1_000_000;

    public const int Standard = 10_000_000;

    /// <summary>Gets the dataset sizes (rows).</summary>
    public static IEnumerable<int> Rows()
    {
        var text = Environment.GetEnvironmentVariable(RowsVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [Small, Standard];
        }

        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(static t => int.Parse(t.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture))];
    }

    /// <summary>Gets the batch sizes for per-batch benchmarks (kernels, splits): the sizes, capped at one batch.</summary>
    public static IEnumerable<int> BatchRows() => Rows().Select(static r => Math.Min(r, StandardDataset.DefaultBatchRows)).Distinct();

    /// <summary>Removes <c>--small</c> and <c>--rows …</c> from the arguments and records the choice.</summary>
    public static string[] TakeArguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rest = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--small")
            {
                Environment.SetEnvironmentVariable(RowsVariable, Small.ToString(CultureInfo.InvariantCulture));
            }
            else if (args[i] == "--rows" && i + 1 < args.Length)
            {
                Environment.SetEnvironmentVariable(RowsVariable, args[++i]);
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return [.. rest];
    }
}
