using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DataEng.Core.Diagnostics;

/// <summary>Names of the library's <see cref="Meter"/> and <see cref="ActivitySource"/>, for OpenTelemetry registration.</summary>
public static class DataEngTelemetry
{
    /// <summary>The name of the meter and the activity source: <c>DataEng.Core</c>.</summary>
    public const string Name = "DataEng.Core";

    internal static readonly ActivitySource ActivitySource = new(Name, typeof(DataEngTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(Name, typeof(DataEngTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> Rows = Meter.CreateCounter<long>("dataeng.stage.rows", "{row}", "Rows produced by a stage.");

    internal static readonly Counter<long> Batches = Meter.CreateCounter<long>("dataeng.stage.batches", "{batch}", "Batches produced by a stage.");

    internal static readonly Counter<long> Bytes = Meter.CreateCounter<long>("dataeng.stage.bytes", "By", "Arrow buffer bytes produced by a stage.");

    internal static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("dataeng.run.duration", "s", "Duration of pipeline runs.");

    internal static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>("dataeng.commit.duration", "s", "Duration of sink prepare and commit.");

    internal static readonly Counter<long> RejectedRows = Meter.CreateCounter<long>("dataeng.stage.rejected_rows", "{row}", "Bad rows a stage skipped or dead-lettered under its bad-row policy (tag dataeng.action: skip or dead-letter).");

    internal static readonly Counter<long> LateRows = Meter.CreateCounter<long>("dataeng.incremental.late_rows", "{row}", "Rows an incremental source skipped because they arrived after their range was loaded (cursor below watermark − lookback).");

    internal static readonly Counter<long> RunFailures = Meter.CreateCounter<long>("dataeng.run.failures", "{run}", "Runs that failed.");
}
