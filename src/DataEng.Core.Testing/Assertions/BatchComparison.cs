namespace DataEng.Core.Testing;

/// <summary>Options of <see cref="BatchAssert"/>.</summary>
public sealed class BatchComparison
{
    /// <summary>Gets the default options: ordered rows, exact values, nullability compared.</summary>
    public static BatchComparison Default { get; } = new();

    /// <summary>Gets or sets a value indicating whether rows may come in any order (compared as multisets).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IgnoreRowOrder { get; init; }

    /// <summary>Gets or sets the absolute tolerance for float and double values (NaN equals NaN).</summary>
    /// <value>The default value is 0 (exact). Must not be negative.</value>
    public double FloatingTolerance { get; init; }

    /// <summary>Gets or sets a value indicating whether field nullability is ignored when schemas are compared.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IgnoreNullability { get; init; }

    /// <summary>Gets or sets how many differing rows the failure message shows.</summary>
    /// <value>The default value is 10. Must be at least 1.</value>
    public int MaxDifferencesShown { get; init; } = 10;

    internal void Validate()
    {
        var problems = new List<string>();
        if (!(FloatingTolerance >= 0))
        {
            problems.Add($"{nameof(FloatingTolerance)} must be zero or more (was {FloatingTolerance}).");
        }

        if (MaxDifferencesShown < 1)
        {
            problems.Add($"{nameof(MaxDifferencesShown)} must be at least 1 (was {MaxDifferencesShown}).");
        }

        if (problems.Count > 0)
        {
            throw new DataEngValidationException(nameof(BatchComparison), problems);
        }
    }
}
