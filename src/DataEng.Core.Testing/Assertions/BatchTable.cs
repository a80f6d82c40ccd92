using System.Text;
using Apache.Arrow;

namespace DataEng.Core.Testing;

/// <summary>Renders rows as aligned text tables for previews and assertion messages.</summary>
internal static class BatchTable
{
    public static List<object?[]> ReadRows(IEnumerable<RecordBatch> batches)
    {
        var rows = new List<object?[]>();
        foreach (var batch in batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                var row = new object?[batch.ColumnCount];
                for (var c = 0; c < row.Length; c++)
                {
                    row[c] = ArrowValues.Get(batch.Column(c), r);
                }

                rows.Add(row);
            }
        }

        return rows;
    }

    public static string Format(IReadOnlyList<RecordBatch> batches, int maxRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        if (batches.Count == 0)
        {
            return "(no batches)";
        }

        var schema = batches[0].Schema;
        var total = batches.Sum(static b => (long)b.Length);
        var rows = ReadRows(Take(batches, maxRows));
        var header = schema.FieldsList.Select(static f => $"{f.Name}: {SchemaText.Describe(f.DataType)}{(f.IsNullable ? "?" : "")}").ToArray();
        var cells = rows.Select(static r => r.Select(ArrowValues.Format).ToArray()).ToList();
        var text = new StringBuilder();
        Render(text, header, cells);
        if (total > rows.Count)
        {
            text.Append("… ").Append(total - rows.Count).Append(" more row").Append(total - rows.Count == 1 ? "" : "s").Append('\n');
        }

        text.Append(total).Append(total == 1 ? " row" : " rows").Append(" in ").Append(batches.Count).Append(batches.Count == 1 ? " batch" : " batches");
        return text.ToString();
    }

    private static IEnumerable<RecordBatch> Take(IReadOnlyList<RecordBatch> batches, int maxRows)
    {
        var left = maxRows;
        foreach (var batch in batches)
        {
            if (left <= 0)
            {
                yield break;
            }

            if (batch.Length <= left)
            {
                left -= batch.Length;
                yield return batch;
            }
            else
            {
                using var slice = batch.Slice(0, left);
                left = 0;
                yield return slice;
            }
        }
    }

    /// <summary>Appends an aligned table; <paramref name="prefix"/> adds leading label columns per row.</summary>
    public static void Render(StringBuilder text, string[] header, List<string[]> rows, string[]? prefixHeader = null, List<string[]>? prefix = null)
    {
        var all = new List<string[]>();
        all.Add([.. prefixHeader ?? System.Array.Empty<string>(), .. header]);
        for (var i = 0; i < rows.Count; i++)
        {
            all.Add([.. prefix?[i] ?? System.Array.Empty<string>(), .. rows[i]]);
        }

        var widths = new int[all[0].Length];
        foreach (var line in all)
        {
            for (var c = 0; c < line.Length && c < widths.Length; c++)
            {
                widths[c] = Math.Max(widths[c], Math.Min(line[c].Length, 40));
            }
        }

        var rendered = new StringBuilder();
        foreach (var line in all)
        {
            rendered.Clear().Append("  ");
            for (var c = 0; c < line.Length; c++)
            {
                var cell = line[c].Length > 40 ? line[c][..39] + "…" : line[c];
                rendered.Append(cell.PadRight(widths[c]));
                if (c < line.Length - 1)
                {
                    rendered.Append(" | ");
                }
            }

            text.Append(rendered.ToString().TrimEnd()).Append('\n');
        }
    }
}
