using Apache.Arrow;

namespace DataEng.Core.Benchmarks.Peers;

/// <summary>
/// The partition split as written by hand without care: LINQ GroupBy of the row indices on <c>dt</c>, then one
/// Arrow batch per group built value by value with the Arrow builders.
/// </summary>
internal static class NaiveSplit
{
    public static Dictionary<int, RecordBatch> SplitByDay(RecordBatch batch)
    {
        var dt = (Date32Array)batch.Column(2);
        var result = new Dictionary<int, RecordBatch>();
        foreach (var group in Enumerable.Range(0, batch.Length).GroupBy(i => dt.GetValue(i)!.Value))
        {
            result.Add(group.Key, NaiveTake.Rows(batch, group.ToArray()));
        }

        return result;
    }
}

/// <summary>Gathers rows of a batch value by value into new arrays with the Arrow builders.</summary>
internal static class NaiveTake
{
    public static RecordBatch Rows(RecordBatch batch, IReadOnlyList<int> rows)
    {
        var columns = new IArrowArray[batch.ColumnCount];
        for (var c = 0; c < batch.ColumnCount; c++)
        {
            columns[c] = Column(batch.Column(c), rows);
        }

        return new RecordBatch(batch.Schema, columns, rows.Count);
    }

    public static IArrowArray Column(IArrowArray column, IReadOnlyList<int> rows)
    {
        switch (column)
        {
            case Int64Array a:
            {
                var b = new Int64Array.Builder();
                foreach (var r in rows)
                {
                    b.Append(a.GetValue(r)!.Value);
                }

                return b.Build();
            }

            case TimestampArray a:
            {
                var b = new TimestampArray.Builder((Apache.Arrow.Types.TimestampType)a.Data.DataType);
                foreach (var r in rows)
                {
                    b.Append(a.GetTimestamp(r)!.Value);
                }

                return b.Build();
            }

            case Date32Array a:
            {
                var b = new Date32Array.Builder();
                foreach (var r in rows)
                {
                    b.Append(a.GetDateOnly(r)!.Value);
                }

                return b.Build();
            }

            case Int32Array a:
            {
                var b = new Int32Array.Builder();
                foreach (var r in rows)
                {
                    b.Append(a.GetValue(r)!.Value);
                }

                return b.Build();
            }

            case DoubleArray a:
            {
                var b = new DoubleArray.Builder();
                foreach (var r in rows)
                {
                    b.Append(a.GetValue(r)!.Value);
                }

                return b.Build();
            }

            case StringArray a:
            {
                var b = new StringArray.Builder();
                foreach (var r in rows)
                {
                    if (a.IsNull(r))
                    {
                        b.AppendNull();
                    }
                    else
                    {
                        b.Append(a.GetString(r));
                    }
                }

                return b.Build();
            }

            default:
                throw new NotSupportedException(column.Data.DataType.Name);
        }
    }
}
