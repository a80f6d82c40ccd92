namespace DataEng.Core.Memory;

/// <summary>Options of a <see cref="PooledMemoryAllocator"/>.</summary>
public sealed class PooledMemoryAllocatorOptions
{
    /// <summary>Gets or sets the most bytes the pools keep for reuse; released buffers beyond it are freed.</summary>
    /// <value>The default value is 256 MiB. Must not be negative (0 disables retention).</value>
    public long MaxRetainedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Gets or sets the largest buffer that is pooled; larger requests are allocated and freed directly.</summary>
    /// <value>The default value is 64 MiB. Must be between 64 bytes and 1 GiB.</value>
    public int MaxPooledBufferSize { get; set; } = 64 * 1024 * 1024;

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxRetainedBytes < 0)
        {
            problems.Add($"{nameof(MaxRetainedBytes)} must not be negative (was {MaxRetainedBytes}).");
        }

        if (MaxPooledBufferSize is < 64 or > 1024 * 1024 * 1024)
        {
            problems.Add($"{nameof(MaxPooledBufferSize)} must be between 64 and 1073741824 (was {MaxPooledBufferSize}).");
        }

        return problems;
    }
}
