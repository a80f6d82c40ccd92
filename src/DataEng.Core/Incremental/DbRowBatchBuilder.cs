using System.Data.Common;
using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>
/// Builds Arrow batches from rows of boxed values with the ADO.NET source's type mapping
/// (<see cref="SqlTypeMapping"/>) and value writers (<see cref="ArrowValueWriter"/>).
/// </summary>
/// <remarks>The incremental SQL source buffers one keyset page as boxed values (instead of streaming it through
/// <see cref="DataReaderBatchReader"/>) for two reasons: a page that fails part-way is dropped and read again as a whole,
/// and the last row's cursor and key values are bound back exactly as the provider returned them (an Arrow value could
/// be coarser than the stored one, or a different type than a dynamically typed column holds).</remarks>
internal static class DbRowBatchBuilder
{
    public static Schema InferSchema(DbDataReader reader, string source) => SqlTypeMapping.DeriveSchema(reader, source);

    public static RecordBatch Build(Schema schema, IReadOnlyList<object?[]> rows, long firstRow, MemoryAllocator allocator, string source)
    {
        var writers = schema.FieldsList.Select(static f => new ArrowValueWriter(f, TextValueOptions.Invariant)).ToArray();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            for (var c = 0; c < writers.Length; c++)
            {
                if (!Append(writers[c], row[c]))
                {
                    throw new DataFormatException(source, firstRow + r, writers[c].Field.Name, writers[c].Problem ?? "the value does not convert");
                }
            }
        }

        return ArrowValueWriters.BuildBatch(schema, writers, rows.Count, allocator);
    }

    private static bool Append(ArrowValueWriter writer, object? value) => value switch
    {
        null or DBNull => writer.TryAppendNull(),
        bool v => writer.TryAppendBoolean(v),
        long v => writer.TryAppendInt64(v),
        int v => writer.TryAppendInt64(v),
        short v => writer.TryAppendInt64(v),
        sbyte v => writer.TryAppendInt64(v),
        byte v => writer.TryAppendInt64(v),
        ushort v => writer.TryAppendInt64(v),
        uint v => writer.TryAppendInt64(v),
        ulong v => writer.TryAppendUInt64(v),
        double v => writer.TryAppendDouble(v),
        float v => writer.TryAppendDouble(v),
        decimal v => writer.TryAppendDecimal(v),
        string v => writer.TryAppendText(v),
        byte[] v => writer.TryAppendBytes(v),
        DateTime v => writer.TryAppendDateTime(v),
        DateTimeOffset v => writer.TryAppendDateTimeOffset(v),
        DateOnly v => writer.TryAppendDate(v),
        TimeOnly v => writer.TryAppendTime(v),
        TimeSpan v => writer.TryAppendTimeSpan(v),
        Guid v => writer.TryAppendGuid(v),
        _ => writer.TryAppendOther(value),
    };
}
