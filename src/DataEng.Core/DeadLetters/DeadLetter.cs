namespace DataEng.Core.Stages;

/// <summary>One dead-lettered row.</summary>
/// <param name="PipelineName">The pipeline.</param>
/// <param name="RunNumber">The run.</param>
/// <param name="RunId">The run id.</param>
/// <param name="Stage">The stage that rejected the row.</param>
/// <param name="Position">Where the row was in the source (file and line, page and row…).</param>
/// <param name="Error">Why it was rejected.</param>
/// <param name="RawValues">The row's raw values by column, as text (null for a null value).</param>
public sealed record DeadLetter(string PipelineName, long RunNumber, string RunId, string Stage, string Position, string Error, IReadOnlyDictionary<string, string?> RawValues);
