using Microsoft.Extensions.Logging;

namespace DataEng.Core.Checkpoints;

/// <summary>What an incremental source gets to plan one run.</summary>
/// <param name="PipelineName">The pipeline.</param>
/// <param name="RunNumber">The number of the run being planned.</param>
/// <param name="RunId">The id of the run being planned: <see cref="ISource.ReadAsync"/> receives a context with this id.</param>
/// <param name="LastCommit">The last committed run with its properties, or <see langword="null"/> for the first run.</param>
/// <param name="TimeProvider">The pipeline's clock.</param>
/// <param name="Logger">The pipeline's logger.</param>
public sealed record IncrementalPlanContext(string PipelineName, long RunNumber, string RunId, CommittedRun? LastCommit, TimeProvider TimeProvider, ILogger Logger);
