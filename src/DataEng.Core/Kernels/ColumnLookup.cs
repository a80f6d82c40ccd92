using Apache.Arrow;

namespace DataEng.Core;

/// <summary>Finds columns by name for validation and binding, with "did you mean" hints.</summary>
internal static class ColumnLookup
{
    /// <summary>Returns the index of the column, or -1 after adding a problem (unknown or ambiguous name).</summary>
    public static int Find(Schema schema, string name, List<string> problems)
    {
        var index = -1;
        var count = 0;
        for (var i = 0; i < schema.FieldsList.Count; i++)
        {
            if (string.Equals(schema.FieldsList[i].Name, name, StringComparison.Ordinal))
            {
                index = index < 0 ? i : index;
                count++;
            }
        }

        if (count == 1)
        {
            return index;
        }

        problems.Add(count == 0 ? Unknown(schema, name) : $"column name '{name}' is ambiguous: the input has {count} columns with that name");
        return -1;
    }

    /// <summary>Returns the index of the column or throws; for binding after validation.</summary>
    public static int Require(Schema schema, string name)
    {
        var problems = new List<string>();
        var index = Find(schema, name, problems);
        SchemaMismatchException.ThrowIfAny("The batch does not have the columns the transform was built for.", problems);
        return index;
    }

    /// <summary>"unknown column 'x' (did you mean 'y'?)" with the input's columns.</summary>
    public static string Unknown(Schema schema, string name)
    {
        var suggestion = Suggest(schema, name);
        var hint = suggestion is null ? "" : $" (did you mean '{suggestion}'?)";
        var columns = string.Join(", ", schema.FieldsList.Select(static f => f.Name));
        return $"unknown column '{name}'{hint}; the input has: {columns}";
    }

    /// <summary>The closest column name: same name ignoring case, else the smallest edit distance up to a third of the length.</summary>
    public static string? Suggest(Schema schema, string name)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var field in schema.FieldsList)
        {
            if (string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return field.Name;
            }

            var distance = Distance(field.Name.ToLowerInvariant(), name.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = field.Name;
            }
        }

        return bestDistance <= Math.Max(1, name.Length / 3) ? best : null;
    }

    /// <summary>Problems for names that occur more than once in an output.</summary>
    public static void CheckDuplicates(IEnumerable<string> names, List<string> problems, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!seen.Add(name) && reported.Add(name))
            {
                problems.Add($"duplicate column name '{name}' in the {what}");
            }
        }
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
