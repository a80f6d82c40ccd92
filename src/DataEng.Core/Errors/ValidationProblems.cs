namespace DataEng.Core;

/// <summary>
/// Collects the problems of options, a stage or a pipeline so that all of them are reported at once, as one
/// <see cref="DataEngValidationException"/>: the one way this library says "this is not valid".
/// </summary>
internal sealed class ValidationProblems
{
    private readonly List<string> _problems = [];

    /// <summary>Gets how many problems were found.</summary>
    public int Count => _problems.Count;

    /// <summary>Adds a problem.</summary>
    public void Add(string problem) => _problems.Add(problem);

    /// <summary>Adds <paramref name="problem"/> when <paramref name="failed"/> holds.</summary>
    public void AddIf(bool failed, string problem)
    {
        if (failed)
        {
            _problems.Add(problem);
        }
    }

    /// <summary>Adds problems, each prefixed (a nested option's path such as <c>Parquet.</c>).</summary>
    public void AddRange(IEnumerable<string> problems, string prefix = "")
    {
        foreach (var problem in problems)
        {
            _problems.Add(prefix + problem);
        }
    }

    /// <summary>Returns a copy of the problems found so far.</summary>
    public IReadOnlyList<string> ToList() => [.. _problems];

    /// <summary>Throws a <see cref="DataEngValidationException"/> listing every problem, if there is any.</summary>
    /// <param name="subject">What was validated, such as <c>CsvSourceOptions</c>.</param>
    public void ThrowIfAny(string subject) => ThrowIfAny(subject, _problems);

    /// <summary>Throws a <see cref="DataEngValidationException"/> listing <paramref name="problems"/>, if there is any.</summary>
    /// <param name="subject">What was validated, such as <c>CsvSourceOptions</c>.</param>
    /// <param name="problems">The problems, as an options class's <c>Validate()</c> returns them.</param>
    public static void ThrowIfAny(string subject, IReadOnlyList<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new DataEngValidationException(subject, [.. problems]);
        }
    }

    /// <summary>The message for a list of problems: a count, then one bullet per problem.</summary>
    public static string Describe(string subject, IReadOnlyList<string> problems)
    {
        var count = problems?.Count ?? 0;
        var head = $"{subject} is not valid ({count} problem{(count == 1 ? "" : "s")}):";
        return count == 0 ? head : head + Environment.NewLine + string.Join(Environment.NewLine, problems!.Select(static p => "  - " + p));
    }
}
