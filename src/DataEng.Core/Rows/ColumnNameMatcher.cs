namespace DataEng.Core;

/// <summary>
/// The one rule that finds the column of a row type's member by name when rows are read: the column with exactly the
/// expected name; else (when loose matching is on) the one whose name differs only by case; else the one whose name
/// differs only by case and underscores, so <c>AmountEur</c> finds <c>amount_eur</c>. Two columns matching at the
/// same step are ambiguous. <see cref="Rows"/> and the testing kit's <c>TestBatch.Rows&lt;T&gt;()</c> both use this
/// code (the testing kit compiles this file in), so a type reads the same columns in a test as in a pipeline.
/// </summary>
internal static class ColumnNameMatcher
{
    /// <summary>Finds the column of <paramref name="name"/>.</summary>
    /// <param name="columns">The column names.</param>
    /// <param name="name">The expected column name (the member's name after its naming convention, or its attribute's).</param>
    /// <param name="loose">Whether names may differ by case and underscores.</param>
    /// <param name="ambiguous">The index of a second column that matches at the same step as the result (the name is
    /// then ambiguous and the caller must report it), or -1.</param>
    /// <returns>The column's index (the first of the two when ambiguous), or -1 when no column matches.</returns>
    public static int Find(IReadOnlyList<string> columns, string name, bool loose, out int ambiguous)
    {
        ambiguous = -1;
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        if (!loose)
        {
            return -1;
        }

        var found = FindUnique(columns, name, ignoreUnderscores: false, out ambiguous);
        return found >= 0 ? found : FindUnique(columns, name, ignoreUnderscores: true, out ambiguous);
    }

    /// <summary>Returns whether two names are equal ignoring case and, optionally, underscores.</summary>
    /// <param name="a">One name.</param>
    /// <param name="b">The other.</param>
    /// <param name="ignoreUnderscores">Whether <c>_</c> is left out of the comparison.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool LooselyEqual(string a, string b, bool ignoreUnderscores)
    {
        if (!ignoreUnderscores)
        {
            return string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        }

        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Length && a[i] == '_')
            {
                i++;
            }

            while (j < b.Length && b[j] == '_')
            {
                j++;
            }

            if (i == a.Length || j == b.Length)
            {
                return i == a.Length && j == b.Length;
            }

            if (char.ToUpperInvariant(a[i]) != char.ToUpperInvariant(b[j]))
            {
                return false;
            }

            i++;
            j++;
        }
    }

    private static int FindUnique(IReadOnlyList<string> columns, string name, bool ignoreUnderscores, out int ambiguous)
    {
        ambiguous = -1;
        var found = -1;
        for (var i = 0; i < columns.Count; i++)
        {
            if (!LooselyEqual(columns[i], name, ignoreUnderscores))
            {
                continue;
            }

            if (found >= 0)
            {
                ambiguous = i;
                return found;
            }

            found = i;
        }

        return found;
    }
}
