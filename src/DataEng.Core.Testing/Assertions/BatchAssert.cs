using System.Text;
using Apache.Arrow;

namespace DataEng.Core.Testing;

/// <summary>
/// Asserts that record batches are equal — schemas (names, types, nullability) and contents — and otherwise throws a
/// <see cref="BatchAssertionException"/> whose message shows the first differing rows and columns, nulls as
/// <c>null</c>. Works in any test framework. Batches are only read, never disposed.
/// </summary>
public static class BatchAssert
{
    /// <summary>Asserts that two batches are equal.</summary>
    /// <param name="expected">The expected batch.</param>
    /// <param name="actual">The actual batch.</param>
    /// <param name="options">Comparison options, or <see langword="null"/> for <see cref="BatchComparison.Default"/>.</param>
    /// <exception cref="BatchAssertionException">The batches differ.</exception>
    public static void Equal(RecordBatch expected, RecordBatch actual, BatchComparison? options = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Compare(expected.Schema, [expected], actual.Schema, [actual], options);
    }

    /// <summary>Asserts that the rows of several batches (for example a run's output), taken in order, equal one batch.</summary>
    /// <param name="expected">The expected rows.</param>
    /// <param name="actual">The actual batches; their schema is that of the first batch (an empty list has no rows).</param>
    /// <exception cref="BatchAssertionException">The rows differ, or a batch has another schema.</exception>
    public static void Equal(RecordBatch expected, IEnumerable<RecordBatch> actual) => Equal(expected, actual, null);

    /// <summary>Asserts that the rows of several batches, taken in order, equal one batch.</summary>
    /// <param name="expected">The expected rows.</param>
    /// <param name="actual">The actual batches; their schema is that of the first batch (an empty list has no rows).</param>
    /// <param name="options">Comparison options, or <see langword="null"/> for <see cref="BatchComparison.Default"/>.</param>
    /// <exception cref="BatchAssertionException">The rows differ, or a batch has another schema.</exception>
    public static void Equal(RecordBatch expected, IEnumerable<RecordBatch> actual, BatchComparison? options)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var list = actual.ToList();
        Compare(expected.Schema, [expected], list.Count == 0 ? null : list[0].Schema, list, options);
    }

    /// <summary>Asserts that the rows of two lists of batches, each taken in order, are equal (batch boundaries are ignored).</summary>
    /// <param name="expected">The expected batches.</param>
    /// <param name="actual">The actual batches.</param>
    /// <exception cref="BatchAssertionException">The rows or schemas differ.</exception>
    public static void Equal(IEnumerable<RecordBatch> expected, IEnumerable<RecordBatch> actual) => Equal(expected, actual, null);

    /// <summary>Asserts that the rows of two lists of batches, each taken in order, are equal (batch boundaries are ignored).</summary>
    /// <param name="expected">The expected batches.</param>
    /// <param name="actual">The actual batches.</param>
    /// <param name="options">Comparison options, or <see langword="null"/> for <see cref="BatchComparison.Default"/>.</param>
    /// <exception cref="BatchAssertionException">The rows or schemas differ.</exception>
    public static void Equal(IEnumerable<RecordBatch> expected, IEnumerable<RecordBatch> actual, BatchComparison? options)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var e = expected.ToList();
        var a = actual.ToList();
        Compare(e.Count == 0 ? null : e[0].Schema, e, a.Count == 0 ? null : a[0].Schema, a, options);
    }

    /// <summary>Asserts that the output of a test run equals the expected rows (compared with the run's output schema).</summary>
    /// <param name="expected">The expected rows.</param>
    /// <param name="actual">The test run.</param>
    /// <exception cref="BatchAssertionException">The rows or schemas differ.</exception>
    public static void Equal(RecordBatch expected, TestRunResult actual) => Equal(expected, actual, null);

    /// <summary>Asserts that the output of a test run equals the expected rows (compared with the run's output schema).</summary>
    /// <param name="expected">The expected rows.</param>
    /// <param name="actual">The test run.</param>
    /// <param name="options">Comparison options, or <see langword="null"/> for <see cref="BatchComparison.Default"/>.</param>
    /// <exception cref="BatchAssertionException">The rows or schemas differ.</exception>
    public static void Equal(RecordBatch expected, TestRunResult actual, BatchComparison? options)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Compare(expected.Schema, [expected], actual.Schema, actual.Batches, options);
    }

    /// <summary>Asserts that two schemas are equal: field names, order, types (with units, zones, precision) and nullability.</summary>
    /// <param name="expected">The expected schema.</param>
    /// <param name="actual">The actual schema.</param>
    /// <param name="options">Comparison options (only <see cref="BatchComparison.IgnoreNullability"/> applies).</param>
    /// <exception cref="BatchAssertionException">The schemas differ; every difference is listed.</exception>
    public static void SchemaEqual(Schema expected, Schema actual, BatchComparison? options = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        CompareSchemas(expected, actual, options ?? BatchComparison.Default);
    }

    private static void CompareSchemas(Schema expected, Schema actual, BatchComparison options)
    {
        var differences = SchemaComparer.Differences(expected, actual, compareNullability: !options.IgnoreNullability);
        if (differences.Count > 0)
        {
            var text = new StringBuilder("Record batch schemas differ:\n");
            foreach (var d in differences)
            {
                text.Append("  - ").Append(d).Append('\n');
            }

            text.Append("expected: ").Append(SchemaText.Describe(expected)).Append('\n');
            text.Append("actual:   ").Append(SchemaText.Describe(actual));
            throw new BatchAssertionException(text.ToString());
        }
    }

    private static void Compare(Schema? expectedSchema, IReadOnlyList<RecordBatch> expected, Schema? actualSchema, IReadOnlyList<RecordBatch> actual, BatchComparison? options)
    {
        options ??= BatchComparison.Default;
        options.Validate();
        CheckUniform(expected, "expected");
        CheckUniform(actual, "actual");
        if (expectedSchema is not null && actualSchema is not null)
        {
            CompareSchemas(expectedSchema, actualSchema, options);
        }

        var schema = expectedSchema ?? actualSchema;
        var e = BatchTable.ReadRows(expected);
        var a = BatchTable.ReadRows(actual);
        var message = options.IgnoreRowOrder ? DiffUnordered(schema, e, a, options) : DiffOrdered(schema, e, a, options);
        if (message is not null)
        {
            throw new BatchAssertionException(message);
        }
    }

    private static void CheckUniform(IReadOnlyList<RecordBatch> batches, string side)
    {
        for (var i = 1; i < batches.Count; i++)
        {
            if (!SchemaComparer.Equivalent(batches[0].Schema, batches[i].Schema, compareNullability: true))
            {
                throw new BatchAssertionException($"The {side} batches do not share one schema: batch 0 has {SchemaText.Describe(batches[0].Schema)}, batch {i} has {SchemaText.Describe(batches[i].Schema)}.");
            }
        }
    }

    private static string? DiffOrdered(Schema? schema, List<object?[]> expected, List<object?[]> actual, BatchComparison options)
    {
        var differing = new List<int>();
        var columns = new SortedSet<int>();
        var common = Math.Min(expected.Count, actual.Count);
        for (var r = 0; r < common; r++)
        {
            var same = true;
            for (var c = 0; c < expected[r].Length; c++)
            {
                if (!ArrowValues.ValuesEqual(expected[r][c], actual[r][c], options.FloatingTolerance))
                {
                    columns.Add(c);
                    same = false;
                }
            }

            if (!same)
            {
                differing.Add(r);
            }
        }

        if (differing.Count == 0 && expected.Count == actual.Count)
        {
            return null;
        }

        var names = Names(schema, expected, actual);
        var text = new StringBuilder();
        text.Append("Record batches differ: ");
        var parts = new List<string>();
        if (differing.Count > 0)
        {
            parts.Add($"{differing.Count} of {common} rows differ");
        }

        if (expected.Count > actual.Count)
        {
            parts.Add($"{expected.Count - actual.Count} expected row{(expected.Count - actual.Count == 1 ? " is" : "s are")} missing");
        }
        else if (actual.Count > expected.Count)
        {
            parts.Add($"{actual.Count - expected.Count} unexpected row{(actual.Count - expected.Count == 1 ? "" : "s")}");
        }

        text.Append(string.Join(", ", parts)).Append($" (expected {expected.Count} rows, actual {actual.Count}).\n");
        if (columns.Count > 0)
        {
            text.Append("Differing columns: ").Append(string.Join(", ", columns.Select(c => names[c]))).Append('\n');
            var shown = differing.Take(options.MaxDifferencesShown).ToList();
            foreach (var r in shown)
            {
                foreach (var c in Enumerable.Range(0, expected[r].Length).Where(c => !ArrowValues.ValuesEqual(expected[r][c], actual[r][c], options.FloatingTolerance)))
                {
                    text.Append($"  row {r + 1}, column '{names[c]}': expected {ArrowValues.Format(expected[r][c])}, actual {ArrowValues.Format(actual[r][c])}\n");
                }
            }

            var prefix = new List<string[]>();
            var rows = new List<string[]>();
            foreach (var r in shown)
            {
                prefix.Add([(r + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "expected"]);
                rows.Add([.. expected[r].Select(ArrowValues.Format)]);
                prefix.Add(["", "actual"]);
                rows.Add([.. actual[r].Select((v, c) => ArrowValues.Format(v) + (ArrowValues.ValuesEqual(expected[r][c], v, options.FloatingTolerance) ? "" : " *"))]);
            }

            BatchTable.Render(text, names, rows, ["row", ""], prefix);
            if (differing.Count > shown.Count)
            {
                text.Append($"  … and {differing.Count - shown.Count} more differing rows\n");
            }
        }

        AppendExtra(text, "missing (expected, not in actual)", expected, common, names, options);
        AppendExtra(text, "unexpected (in actual, not expected)", actual, common, names, options);
        return text.ToString().TrimEnd();
    }

    private static void AppendExtra(StringBuilder text, string title, List<object?[]> rows, int from, string[] names, BatchComparison options)
    {
        if (rows.Count <= from)
        {
            return;
        }

        text.Append("Rows ").Append(title).Append(":\n");
        var shown = Enumerable.Range(from, Math.Min(rows.Count - from, options.MaxDifferencesShown)).ToList();
        BatchTable.Render(text, names, [.. shown.Select(r => rows[r].Select(ArrowValues.Format).ToArray())], ["row"], [.. shown.Select(static r => new[] { (r + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) })]);
        if (rows.Count - from > shown.Count)
        {
            text.Append($"  … and {rows.Count - from - shown.Count} more\n");
        }
    }

    private static string? DiffUnordered(Schema? schema, List<object?[]> expected, List<object?[]> actual, BatchComparison options)
    {
        var order = Comparer<object?[]>.Create(static (x, y) =>
        {
            for (var c = 0; c < x.Length; c++)
            {
                var d = ArrowValues.Compare(x[c], y[c]);
                if (d != 0)
                {
                    return d;
                }
            }

            return 0;
        });
        var e = expected.OrderBy(static r => r, order).ToList();
        var a = actual.OrderBy(static r => r, order).ToList();
        var missing = new List<object?[]>();
        var unexpected = new List<object?[]>();
        int i = 0, j = 0;
        while (i < e.Count && j < a.Count)
        {
            if (RowsEqual(e[i], a[j], options.FloatingTolerance))
            {
                i++;
                j++;
            }
            else if (order.Compare(e[i], a[j]) < 0)
            {
                missing.Add(e[i++]);
            }
            else
            {
                unexpected.Add(a[j++]);
            }
        }

        missing.AddRange(e.Skip(i));
        unexpected.AddRange(a.Skip(j));
        if (missing.Count == 0 && unexpected.Count == 0)
        {
            return null;
        }

        var names = Names(schema, expected, actual);
        var text = new StringBuilder();
        text.Append($"Record batches differ (row order ignored): {missing.Count} expected row{(missing.Count == 1 ? " is" : "s are")} missing, {unexpected.Count} row{(unexpected.Count == 1 ? " is" : "s are")} unexpected (expected {expected.Count} rows, actual {actual.Count}).\n");
        var rows = new List<string[]>();
        var prefix = new List<string[]>();
        foreach (var row in missing.Take(options.MaxDifferencesShown))
        {
            prefix.Add(["missing"]);
            rows.Add([.. row.Select(ArrowValues.Format)]);
        }

        foreach (var row in unexpected.Take(options.MaxDifferencesShown))
        {
            prefix.Add(["unexpected"]);
            rows.Add([.. row.Select(ArrowValues.Format)]);
        }

        BatchTable.Render(text, names, rows, [""], prefix);
        var hidden = Math.Max(0, missing.Count - options.MaxDifferencesShown) + Math.Max(0, unexpected.Count - options.MaxDifferencesShown);
        if (hidden > 0)
        {
            text.Append($"  … and {hidden} more\n");
        }

        return text.ToString().TrimEnd();
    }

    private static bool RowsEqual(object?[] expected, object?[] actual, double tolerance)
    {
        for (var c = 0; c < expected.Length; c++)
        {
            if (!ArrowValues.ValuesEqual(expected[c], actual[c], tolerance))
            {
                return false;
            }
        }

        return true;
    }

    private static string[] Names(Schema? schema, List<object?[]> expected, List<object?[]> actual)
        => schema is not null
            ? [.. schema.FieldsList.Select(static f => f.Name)]
            : [.. Enumerable.Range(0, (expected.FirstOrDefault() ?? actual.FirstOrDefault())?.Length ?? 0).Select(static i => $"column {i}")];
}
