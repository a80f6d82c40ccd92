using System.Buffers.Binary;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.Tests.Parquet;

/// <summary>Renders Arrow values and DuckDB values the same way, so both readers can be compared with the source.</summary>
internal static class ArrowValues
{
    public static string? Render(IArrowArray array, int row)
    {
        if (array.IsNull(row))
        {
            return null;
        }

        var data = array.Data;
        var index = data.Offset + row;
        return array switch
        {
            BooleanArray a => a.GetValue(row)!.Value ? "true" : "false",
            Int8Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
            Int16Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
            Int32Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
            Int64Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
            UInt8Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
            UInt16Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
            UInt32Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
            UInt64Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
            FloatArray a => a.GetValue(row)!.Value.ToString("R", CultureInfo.InvariantCulture),
            DoubleArray a => a.GetValue(row)!.Value.ToString("R", CultureInfo.InvariantCulture),
            Decimal128Array a => FormatDecimal(BinaryPrimitives.ReadInt128LittleEndian(data.Buffers[1].Span.Slice(index * 16, 16)), ((Decimal128Type)a.Data.DataType).Scale),
            StringArray a => a.GetString(row),
            BinaryArray a => Convert.ToHexString(a.GetBytes(row)),
            Date32Array a => DateOnly.FromDayNumber(719_162 + a.Values[row]).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            TimestampArray a => (a.Values[row] * NanosPer(((TimestampType)a.Data.DataType).Unit)).ToString(CultureInfo.InvariantCulture),
            _ => throw new NotSupportedException(array.GetType().Name),
        };
    }

    public static string? RenderDuckDb(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>The DuckDB expression whose value renders like <see cref="Render"/> for a column of this type.</summary>
    public static string DuckDbExpression(Field field) => field.DataType switch
    {
        Decimal128Type { Precision: > 18 } => $"\"{field.Name}\"::VARCHAR",
        BinaryType => $"hex(\"{field.Name}\")",
        Date32Type => $"\"{field.Name}\"::VARCHAR",
        TimestampType => $"epoch_ns(\"{field.Name}\")",
        _ => $"\"{field.Name}\"",
    };

    public static string FormatDecimal(Int128 unscaled, int scale)
    {
        var negative = unscaled < 0;
        var digits = (negative ? -unscaled : unscaled).ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        var text = scale == 0 ? digits : digits[..^scale] + "." + digits[^scale..];
        return negative ? "-" + text : text;
    }

    private static long NanosPer(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => 1_000_000_000,
        TimeUnit.Millisecond => 1_000_000,
        TimeUnit.Microsecond => 1_000,
        _ => 1,
    };

    public static void AssertBatchesEqual(IReadOnlyList<RecordBatch> expected, IReadOnlyList<RecordBatch> actual)
    {
        var e = Rows(expected);
        var a = Rows(actual);
        Assert.Equal(e.Count, a.Count);
        for (var r = 0; r < e.Count; r++)
        {
            Assert.Equal(e[r], a[r]);
        }
    }

    public static List<string?[]> Rows(IReadOnlyList<RecordBatch> batches)
    {
        var rows = new List<string?[]>();
        foreach (var batch in batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                var row = new string?[batch.ColumnCount];
                for (var c = 0; c < row.Length; c++)
                {
                    row[c] = Render(batch.Column(c), r);
                }

                rows.Add(row);
            }
        }

        return rows;
    }
}
