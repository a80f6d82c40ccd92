using System.Data.Common;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// Maps database columns to Arrow and builds batches from rows of boxed values (the incremental SQL source buffers
/// one page of rows so that a failed page is retried as a whole).
/// </summary>
/// <remarks>A stop-gap until the ADO.NET source's <c>DataReaderBatchReader</c> lands; the type mapping is kept small.</remarks>
internal static class DbRowBatchBuilder
{
    public static Schema InferSchema(DbDataReader reader)
    {
        var columns = reader.CanGetColumnSchema() ? reader.GetColumnSchema() : null;
        var fields = new List<Field>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var column = columns?[i];
            fields.Add(new Field(reader.GetName(i), MapType(reader.GetFieldType(i), column), nullable: column?.AllowDBNull ?? true));
        }

        return new Schema(fields, null);
    }

    private static IArrowType MapType(Type type, DbColumn? column)
    {
        var typeName = column?.DataTypeName ?? string.Empty;
        return type switch
        {
            _ when type == typeof(long) => Int64Type.Default,
            _ when type == typeof(int) => Int32Type.Default,
            _ when type == typeof(short) => Int16Type.Default,
            _ when type == typeof(sbyte) => Int8Type.Default,
            _ when type == typeof(byte) => UInt8Type.Default,
            _ when type == typeof(bool) => BooleanType.Default,
            _ when type == typeof(double) => DoubleType.Default,
            _ when type == typeof(float) => FloatType.Default,
            _ when type == typeof(decimal) => new Decimal128Type(38, column?.NumericScale is int s and >= 0 and <= 38 ? s : 10),
            _ when type == typeof(DateOnly) => Date32Type.Default,
            _ when type == typeof(DateTimeOffset) => new TimestampType(TimeUnit.Microsecond, "UTC"),
            _ when type == typeof(DateTime) => new TimestampType(TimeUnit.Microsecond, typeName.Contains("zone", StringComparison.OrdinalIgnoreCase) || typeName.EndsWith("tz", StringComparison.OrdinalIgnoreCase) ? "UTC" : (string?)null),
            _ when type == typeof(byte[]) => BinaryType.Default,
            _ => StringType.Default,
        };
    }

    public static RecordBatch Build(Schema schema, IReadOnlyList<object?[]> rows, MemoryAllocator allocator, string source)
    {
        var arrays = new IArrowArray[schema.FieldsList.Count];
        try
        {
            for (var c = 0; c < arrays.Length; c++)
            {
                arrays[c] = BuildColumn(schema.FieldsList[c], c, rows, allocator, source);
            }
        }
        catch
        {
            foreach (var array in arrays)
            {
                array?.Dispose();
            }

            throw;
        }

        return new RecordBatch(schema, arrays, rows.Count);
    }

    private static IArrowArray BuildColumn(Field field, int c, IReadOnlyList<object?[]> rows, MemoryAllocator allocator, string source)
    {
        var r = 0;
        try
        {
            switch (field.DataType)
            {
                case Int64Type:
                    {
                        var b = new Int64Array.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            if (IsNull(rows[r][c])) { b.AppendNull(); } else { b.Append(Convert.ToInt64(rows[r][c], CultureInfo.InvariantCulture)); }
                        }

                        return b.Build(allocator);
                    }

                case Int32Type:
                    {
                        var b = new Int32Array.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            if (IsNull(rows[r][c])) { b.AppendNull(); } else { b.Append(Convert.ToInt32(rows[r][c], CultureInfo.InvariantCulture)); }
                        }

                        return b.Build(allocator);
                    }

                case Int16Type:
                    {
                        var b = new Int16Array.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            if (IsNull(rows[r][c])) { b.AppendNull(); } else { b.Append(Convert.ToInt16(rows[r][c], CultureInfo.InvariantCulture)); }
                        }

                        return b.Build(allocator);
                    }

                case Int8Type:
                    {
                        var b = new Int8Array.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            if (IsNull(rows[r][c])) { b.AppendNull(); } else { b.Append(Convert.ToSByte(rows[r][c], CultureInfo.InvariantCulture)); }
                        }

                        return b.Build(allocator);
                    }

                case UInt8Type:
                    {
                        var b = new UInt8Array.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            if (IsNull(rows[r][c])) { b.AppendNull(); } else { b.Append(Convert.ToByte(rows[r][c], CultureInfo.InvariantCulture)); }
                        }

                        return b.Build(allocator);
                    }

                case BooleanType:
                    {
                        var b = new BooleanArray.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            if (IsNull(rows[r][c])) { b.AppendNull(); } else { b.Append(Convert.ToBoolean(rows[r][c], CultureInfo.InvariantCulture)); }
                        }

                        return b.Build(allocator);
                    }

                case DoubleType:
                    {
                        var b = new DoubleArray.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            if (IsNull(rows[r][c])) { b.AppendNull(); } else { b.Append(Convert.ToDouble(rows[r][c], CultureInfo.InvariantCulture)); }
                        }

                        return b.Build(allocator);
                    }

                case FloatType:
                    {
                        var b = new FloatArray.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            if (IsNull(rows[r][c])) { b.AppendNull(); } else { b.Append(Convert.ToSingle(rows[r][c], CultureInfo.InvariantCulture)); }
                        }

                        return b.Build(allocator);
                    }

                case Decimal128Type t:
                    {
                        var b = new Decimal128Array.Builder(t).Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            if (IsNull(rows[r][c])) { b.AppendNull(); } else { b.Append(Convert.ToDecimal(rows[r][c], CultureInfo.InvariantCulture)); }
                        }

                        return b.Build(allocator);
                    }

                case Date32Type:
                    {
                        var b = new Date32Array.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            switch (rows[r][c])
                            {
                                case null or DBNull: b.AppendNull(); break;
                                case DateOnly d: b.Append(d); break;
                                case var v: b.Append(Convert.ToDateTime(v, CultureInfo.InvariantCulture)); break;
                            }
                        }

                        return b.Build(allocator);
                    }

                case TimestampType t:
                    {
                        var b = new TimestampArray.Builder(t).Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            switch (rows[r][c])
                            {
                                case null or DBNull: b.AppendNull(); break;
                                case DateTimeOffset d: b.Append(d); break;
                                case DateTime d: b.Append(new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc))); break;
                                case var v: b.Append(new DateTimeOffset(DateTime.SpecifyKind(Convert.ToDateTime(v, CultureInfo.InvariantCulture), DateTimeKind.Utc))); break;
                            }
                        }

                        return b.Build(allocator);
                    }

                case BinaryType:
                    {
                        var b = new BinaryArray.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            if (rows[r][c] is byte[] bytes) { b.Append(bytes.AsSpan()); } else { b.AppendNull(); }
                        }

                        return b.Build(allocator);
                    }

                default:
                    {
                        var b = new StringArray.Builder().Reserve(rows.Count);
                        for (; r < rows.Count; r++)
                        {
                            var v = rows[r][c];
                            if (IsNull(v)) { b.AppendNull(); } else { b.Append(v as string ?? Convert.ToString(v, CultureInfo.InvariantCulture)); }
                        }

                        return b.Build(allocator);
                    }
            }
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw new DataFormatException(source, null, field.Name, $"the value '{Describe(rows[r][c])}' does not convert to {field.DataType.Name}.", e);
        }
    }

    private static bool IsNull(object? value) => value is null or DBNull;

    private static string Describe(object? value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
        return text.Length <= 64 ? text : text[..64] + "…";
    }
}
