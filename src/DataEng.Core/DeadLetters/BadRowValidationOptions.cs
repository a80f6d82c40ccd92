namespace DataEng.Core;

/// <summary>Options of <see cref="BadRows.Validate"/>.</summary>
public sealed class BadRowValidationOptions
{
    /// <summary>Gets or sets the stage name used in errors, logs, dead letters and run results.</summary>
    /// <value>The default value is <c>validate</c>.</value>
    public string Name { get; set; } = "validate";

    /// <summary>Gets or sets what happens to a row the check rejects.</summary>
    /// <value>The default value is <see cref="BadRowPolicy.Fail"/>.</value>
    public BadRowPolicy Policy { get; set; } = BadRowPolicy.Fail;

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new ValidationProblems();
        problems.AddIf(string.IsNullOrWhiteSpace(Name), $"{nameof(Name)} must not be empty.");
        if (Policy is null)
        {
            problems.Add($"{nameof(Policy)} must not be null.");
        }
        else
        {
            problems.AddRange(Policy.Validate(), $"{nameof(Policy)}: ");
        }

        return problems.ToList();
    }
}
