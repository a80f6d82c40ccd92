using Microsoft.Extensions.Options;

namespace DataEng.Core.Hosting;

/// <summary>Validates the options of every registered pipeline, listing every problem.</summary>
internal sealed class ScheduledPipelineOptionsValidator(IEnumerable<PipelineRegistration> registrations) : IValidateOptions<ScheduledPipelineOptions>
{
    private readonly HashSet<string> _names = [.. registrations.Select(static r => r.Name)];

    public ValidateOptionsResult Validate(string? name, ScheduledPipelineOptions options)
    {
        if (name is null || !_names.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = options.Validate(name);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
