namespace DataEng.Core.Checkpoints;

/// <summary>
/// A source that reads only what is new since the last committed run. Before each run,
/// <see cref="IncrementalPipelineExtensions.RunIncrementalAsync"/> calls <see cref="PlanAsync"/> with the committed
/// state; the source fixes its range, reads it in <see cref="ISource.ReadAsync"/> for that run, and adds its next
/// state to <see cref="RunContext.CommitProperties"/> so that the sink commits it atomically with the data.
/// </summary>
public interface IIncrementalSource : ISource
{
    /// <summary>Plans one run: fixes the range to read (for example the upper bound) before anything is read.</summary>
    /// <param name="context">The run being planned and the committed state.</param>
    /// <param name="cancellationToken">Cancels the planning.</param>
    /// <returns>The plan; disposing it forgets the plan if the run never read it.</returns>
    ValueTask<IncrementalPlan> PlanAsync(IncrementalPlanContext context, CancellationToken cancellationToken = default);
}
