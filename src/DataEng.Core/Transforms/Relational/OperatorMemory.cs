namespace DataEng.Core;

/// <summary>Resolves and checks the memory budget of a stateful operator: its own option, else the pipeline's default
/// (<see cref="PipelineOptions.MemoryBudget"/>, carried by <see cref="RunContext.MemoryBudget"/>).</summary>
internal static class OperatorMemory
{
    /// <summary>The smallest budget an operator accepts (tests force spilling with it).</summary>
    public const long MinimumBudget = 4 * 1024;

    /// <summary>Returns the budget an operator works within in a run.</summary>
    /// <param name="optionBudget">The operator's own budget, or <see langword="null"/>.</param>
    /// <param name="context">The run.</param>
    /// <returns>The budget in bytes.</returns>
    public static long Resolve(long? optionBudget, RunContext context) => optionBudget ?? context.MemoryBudget;

    /// <summary>Adds a problem when a budget is set below <see cref="MinimumBudget"/>.</summary>
    /// <param name="budget">The budget option.</param>
    /// <param name="name">The option's name in the message.</param>
    /// <param name="problems">Receives the problem.</param>
    public static void Validate(long? budget, string name, List<string> problems)
    {
        if (budget is { } value && value < MinimumBudget)
        {
            problems.Add($"{name} must be at least {MinimumBudget} bytes (was {value}).");
        }
    }
}
