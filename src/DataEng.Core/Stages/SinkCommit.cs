namespace DataEng.Core.Stages;

/// <summary>Describes what a sink commits: the run and extra key/values committed atomically with the data.</summary>
/// <param name="PipelineName">The stable pipeline name.</param>
/// <param name="RunNumber">The run number, increasing per pipeline.</param>
/// <param name="RunId">The run id.</param>
/// <param name="Properties">Key/values committed with the data (for example a watermark), possibly empty.</param>
public sealed record SinkCommit(string PipelineName, long RunNumber, string RunId, IReadOnlyDictionary<string, string> Properties);
