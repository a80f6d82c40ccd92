namespace DataEng.Core.Checkpoints;

/// <summary>
/// The committed state of a pipeline: its last committed run and the key/values committed with that run's data
/// (watermarks, the boundary keys used for dedup, stats).
/// </summary>
/// <param name="RunNumber">The last committed run number.</param>
/// <param name="RunId">The id of that run.</param>
/// <param name="Properties">The key/values committed with the data (see <see cref="SinkCommit.Properties"/>).</param>
public sealed record CommittedRun(long RunNumber, string RunId, IReadOnlyDictionary<string, string> Properties)
{
    /// <summary>Gets a value of <see cref="Properties"/>, or <see langword="null"/> when absent.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public string? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Properties.TryGetValue(key, out var value) ? value : null;
    }
}
