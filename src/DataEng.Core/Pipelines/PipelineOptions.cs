using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core;

/// <summary>Options of a pipeline, fixed when it is built.</summary>
public sealed class PipelineOptions
{
    /// <summary>Gets or sets how many batches may wait between two stages before the upstream stage is paused (backpressure).</summary>
    /// <value>The default value is 4. Must be at least 1.</value>
    public int ChannelCapacity { get; set; } = 4;

    /// <summary>Gets or sets how many batches stateless transforms may process at once. Output order is always kept.</summary>
    /// <value>The default value is <see cref="Environment.ProcessorCount"/>. Must be at least 1.</value>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Gets or sets the logger factory.</summary>
    /// <value>The default value is <see cref="NullLoggerFactory.Instance"/>.</value>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Gets or sets the clock used for durations, progress and time-based logic.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the allocator stages use for the Arrow buffers they create (see <see cref="RunContext.Allocator"/>).</summary>
    /// <value>The default value is <see langword="null"/>: the library's shared allocator.</value>
    public Apache.Arrow.Memory.MemoryAllocator? Allocator { get; set; }

    /// <summary>The default <see cref="MemoryBudget"/>: 256 MiB.</summary>
    public const long DefaultMemoryBudget = 256L * 1024 * 1024;

    /// <summary>Gets the default <see cref="SpillDirectory"/>: <c>dataeng-spill</c> under the system's temporary folder.</summary>
    public static string DefaultSpillDirectory { get; } = Path.Combine(Path.GetTempPath(), "dataeng-spill");

    /// <summary>Gets or sets the memory budget of each stateful operator (aggregate, join build side, dedup, sort,
    /// windows) that does not set its own. Past it an operator spills to <see cref="SpillDirectory"/> and finishes
    /// partition by partition, so memory stays bounded whatever the input size.</summary>
    /// <value>The default value is <see cref="DefaultMemoryBudget"/>. Must be at least 4 KiB.</value>
    public long MemoryBudget { get; set; } = DefaultMemoryBudget;

    /// <summary>Gets or sets the folder under which operators spill. Each run writes into its own sub-folder and
    /// removes it when the run ends, on success, failure and cancellation; sub-folders left by a killed process are
    /// removed by the next run that spills under the same folder.</summary>
    /// <value>The default value is <see cref="DefaultSpillDirectory"/>.</value>
    public string SpillDirectory { get; set; } = DefaultSpillDirectory;

    /// <summary>Gets or sets the minimum time between two progress reports.</summary>
    /// <value>The default value is one second. Must not be negative.</value>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ChannelCapacity < 1)
        {
            problems.Add($"{nameof(ChannelCapacity)} must be at least 1 (was {ChannelCapacity}).");
        }

        if (MaxDegreeOfParallelism < 1)
        {
            problems.Add($"{nameof(MaxDegreeOfParallelism)} must be at least 1 (was {MaxDegreeOfParallelism}).");
        }

        if (LoggerFactory is null)
        {
            problems.Add($"{nameof(LoggerFactory)} must not be null.");
        }

        if (TimeProvider is null)
        {
            problems.Add($"{nameof(TimeProvider)} must not be null.");
        }

        if (MemoryBudget < OperatorMemory.MinimumBudget)
        {
            problems.Add($"{nameof(MemoryBudget)} must be at least {OperatorMemory.MinimumBudget} bytes (was {MemoryBudget}).");
        }

        if (string.IsNullOrWhiteSpace(SpillDirectory))
        {
            problems.Add($"{nameof(SpillDirectory)} must name a folder.");
        }

        if (ProgressInterval < TimeSpan.Zero)
        {
            problems.Add($"{nameof(ProgressInterval)} must not be negative (was {ProgressInterval}).");
        }

        return problems;
    }

    internal PipelineOptions Clone() => (PipelineOptions)MemberwiseClone();
}
