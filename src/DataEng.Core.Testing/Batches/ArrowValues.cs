using System.Collections;
using System.Globalization;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;

namespace DataEng.Core.Testing;

/// <summary>
/// Converts between Arrow arrays and boxed .NET values for test helpers (row-at-a-time, never on a hot path).
/// Canonical values per type: bool, sbyte…long, byte…ulong, Half/float/double, string, byte[], DateOnly (date32),
/// DateTime (date64 and time-zone-naive timestamps), DateTimeOffset (UTC-aware timestamps), TimeOnly (time32/64),
/// decimal or its text (decimal128/256), lists as <c>object?[]</c>, structs as name/value pairs.
/// </summary>
internal static class ArrowValues
{
    public static IArrowArray Build(IArrowType type, IReadOnlyList<object?> values, MemoryAllocator? allocator, Func<int, string> where)
    {
        switch (type)
        {
            case BooleanType:
                return Fill(new BooleanArray.Builder(), values, where, type, static (b, v) => b.Append((bool)v), static b => b.AppendNull()).Build(allocator);
            case Int8Type:
                return Fill(new Int8Array.Builder(), values, where, type, static (b, v) => b.Append((sbyte)v), static b => b.AppendNull()).Build(allocator);
            case Int16Type:
                return Fill(new Int16Array.Builder(), values, where, type, static (b, v) => b.Append((short)v), static b => b.AppendNull()).Build(allocator);
            case Int32Type:
                return Fill(new Int32Array.Builder(), values, where, type, static (b, v) => b.Append((int)v), static b => b.AppendNull()).Build(allocator);
            case Int64Type:
                return Fill(new Int64Array.Builder(), values, where, type, static (b, v) => b.Append((long)v), static b => b.AppendNull()).Build(allocator);
            case UInt8Type:
                return Fill(new UInt8Array.Builder(), values, where, type, static (b, v) => b.Append((byte)v), static b => b.AppendNull()).Build(allocator);
            case UInt16Type:
                return Fill(new UInt16Array.Builder(), values, where, type, static (b, v) => b.Append((ushort)v), static b => b.AppendNull()).Build(allocator);
            case UInt32Type:
                return Fill(new UInt32Array.Builder(), values, where, type, static (b, v) => b.Append((uint)v), static b => b.AppendNull()).Build(allocator);
            case UInt64Type:
                return Fill(new UInt64Array.Builder(), values, where, type, static (b, v) => b.Append((ulong)v), static b => b.AppendNull()).Build(allocator);
            case HalfFloatType:
                return Fill(new HalfFloatArray.Builder(), values, where, type, static (b, v) => b.Append((Half)v), static b => b.AppendNull()).Build(allocator);
            case FloatType:
                return Fill(new FloatArray.Builder(), values, where, type, static (b, v) => b.Append((float)v), static b => b.AppendNull()).Build(allocator);
            case DoubleType:
                return Fill(new DoubleArray.Builder(), values, where, type, static (b, v) => b.Append((double)v), static b => b.AppendNull()).Build(allocator);
            case StringType:
                return Fill(new StringArray.Builder(), values, where, type, static (b, v) => b.Append((string)v), static b => b.AppendNull()).Build(allocator);
            case BinaryType:
                return Fill(new BinaryArray.Builder(), values, where, type, static (b, v) => b.Append((ReadOnlySpan<byte>)(byte[])v), static b => b.AppendNull()).Build(allocator);
            case Date32Type:
                return Fill(new Date32Array.Builder(), values, where, type, static (b, v) => b.Append((DateOnly)v), static b => b.AppendNull()).Build(allocator);
            case Date64Type:
                return Fill(new Date64Array.Builder(), values, where, type, static (b, v) => b.Append((DateTime)v), static b => b.AppendNull()).Build(allocator);
            case TimestampType t:
                return Fill(new TimestampArray.Builder(t), values, where, type, static (b, v) => b.Append(v is DateTimeOffset o ? o : new DateTimeOffset((DateTime)v, TimeSpan.Zero)), static b => b.AppendNull()).Build(allocator);
            case Time32Type t:
                return Fill(new Time32Array.Builder(t), values, where, type, static (b, v) => b.Append((TimeOnly)v), static b => b.AppendNull()).Build(allocator);
            case Time64Type t:
                return Fill(new Time64Array.Builder(t), values, where, type, static (b, v) => b.Append((TimeOnly)v), static b => b.AppendNull()).Build(allocator);
            case Decimal128Type t:
                return Fill(new Decimal128Array.Builder(t), values, where, type, static (b, v) => b.Append((decimal)v), static b => b.AppendNull()).Build(allocator);
            default:
                throw new NotSupportedException($"Building columns of type {SchemaText.Describe(type)} from rows is not supported by the testing kit; build that column with its Arrow builder.");
        }
    }

    private static TBuilder Fill<TBuilder>(TBuilder builder, IReadOnlyList<object?> values, Func<int, string> where, IArrowType type, Action<TBuilder, object> append, Action<TBuilder> appendNull)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value is null)
            {
                appendNull(builder);
                continue;
            }

            object converted;
            try
            {
                converted = Convert(type, value);
            }
            catch (OverflowException e)
            {
                throw new DataFormatException($"{where(i)}: {Format(value)} does not fit in {SchemaText.Describe(type)}.", e);
            }
            catch (Exception e) when (e is InvalidCastException or FormatException or ArgumentException)
            {
                throw new DataFormatException($"{where(i)}: cannot store {Format(value)} ({value.GetType().Name}) in a column of type {SchemaText.Describe(type)}.", e);
            }

            try
            {
                append(builder, converted);
            }
            catch (OverflowException e)
            {
                throw new DataFormatException($"{where(i)}: {Format(value)} does not fit in {SchemaText.Describe(type)}.", e);
            }
        }

        return builder;
    }

    /// <summary>Converts a .NET value to the canonical value of an Arrow type.</summary>
    public static object Convert(IArrowType type, object value)
    {
        var c = CultureInfo.InvariantCulture;
        return type switch
        {
            BooleanType => value is bool ? value : System.Convert.ToBoolean(value, c),
            Int8Type => System.Convert.ToSByte(value, c),
            Int16Type => System.Convert.ToInt16(value, c),
            Int32Type => System.Convert.ToInt32(value, c),
            Int64Type => System.Convert.ToInt64(value, c),
            UInt8Type => System.Convert.ToByte(value, c),
            UInt16Type => System.Convert.ToUInt16(value, c),
            UInt32Type => System.Convert.ToUInt32(value, c),
            UInt64Type => System.Convert.ToUInt64(value, c),
            HalfFloatType => value is Half h ? h : (Half)System.Convert.ToSingle(value, c),
            FloatType => System.Convert.ToSingle(value, c),
            DoubleType => System.Convert.ToDouble(value, c),
            StringType => value as string ?? (value is char ch ? ch.ToString() : value is Guid g ? g.ToString() : throw new InvalidCastException("not a string")),
            BinaryType => value as byte[] ?? (value is ReadOnlyMemory<byte> m ? m.ToArray() : throw new InvalidCastException("not bytes")),
            Date32Type or Date64Type => ToDate(type, value),
            TimestampType t => ToTimestamp(t, value),
            Time32Type or Time64Type => value switch
            {
                TimeOnly => value,
                TimeSpan span => TimeOnly.FromTimeSpan(span),
                _ => throw new InvalidCastException("not a time of day"),
            },
            Decimal128Type => value is decimal ? value : System.Convert.ToDecimal(value, c),
            _ => value,
        };
    }

    private static object ToDate(IArrowType type, object value)
    {
        var date = value switch
        {
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            DateTimeOffset o => DateOnly.FromDateTime(o.UtcDateTime),
            _ => throw new InvalidCastException("not a date"),
        };
        return type is Date32Type ? date : date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
    }

    private static object ToTimestamp(TimestampType type, object value)
    {
        var aware = !string.IsNullOrEmpty(type.Timezone);
        return value switch
        {
            DateTimeOffset o => aware ? (object)o : DateTime.SpecifyKind(o.UtcDateTime, DateTimeKind.Unspecified),
            DateTime dt when aware => dt.Kind == DateTimeKind.Local ? new DateTimeOffset(dt) : new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Unspecified), TimeSpan.Zero),
            DateTime dt => (object)DateTime.SpecifyKind(dt, DateTimeKind.Unspecified),
            DateOnly d => aware ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : d.ToDateTime(TimeOnly.MinValue),
            _ => throw new InvalidCastException("not a timestamp"),
        };
    }

    /// <summary>Reads one value as its canonical .NET value, or <see langword="null"/>.</summary>
    public static object? Get(IArrowArray array, int index)
    {
        if (array.IsNull(index))
        {
            return null;
        }

        return array switch
        {
            BooleanArray a => a.GetValue(index),
            Int8Array a => a.GetValue(index),
            Int16Array a => a.GetValue(index),
            Int32Array a => a.GetValue(index),
            Int64Array a => a.GetValue(index),
            UInt8Array a => a.GetValue(index),
            UInt16Array a => a.GetValue(index),
            UInt32Array a => a.GetValue(index),
            UInt64Array a => a.GetValue(index),
            HalfFloatArray a => a.GetValue(index),
            FloatArray a => a.GetValue(index),
            DoubleArray a => a.GetValue(index),
            StringArray a => a.GetString(index),
            LargeStringArray a => a.GetString(index),
            BinaryArray a => a.GetBytes(index).ToArray(),
            Date32Array a => a.GetDateOnly(index),
            Date64Array a => a.GetDateTime(index),
            TimestampArray a => string.IsNullOrEmpty(((TimestampType)a.Data.DataType).Timezone) ? a.GetTimestamp(index)!.Value.DateTime : a.GetTimestamp(index),
            Time32Array a => a.GetTime(index),
            Time64Array a => a.GetTime(index),
            Decimal128Array a => GetDecimal(a, index),
            Decimal256Array a => a.GetString(index),
            ListArray a => ReadList(a.GetSlicedValues(index)),
            StructArray a => ReadStruct(a, index),
            DictionaryArray a => Get(a.Dictionary, DictionaryIndex(a.Indices, index)),
            _ => throw new NotSupportedException($"Reading values of type {SchemaText.Describe(array.Data.DataType)} is not supported by the testing kit."),
        };
    }

    private static object GetDecimal(Decimal128Array array, int index)
    {
        try
        {
            return array.GetValue(index)!.Value;
        }
        catch (OverflowException)
        {
            return array.GetString(index);
        }
    }

    private static object?[] ReadList(IArrowArray values)
    {
        var result = new object?[values.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Get(values, i);
        }

        return result;
    }

    private static KeyValuePair<string, object?>[] ReadStruct(StructArray array, int index)
    {
        var type = (StructType)array.Data.DataType;
        var result = new KeyValuePair<string, object?>[type.Fields.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new(type.Fields[i].Name, Get(array.Fields[i], index));
        }

        return result;
    }

    private static int DictionaryIndex(IArrowArray indices, int index) => indices switch
    {
        Int8Array a => a.GetValue(index)!.Value,
        Int16Array a => a.GetValue(index)!.Value,
        Int32Array a => a.GetValue(index)!.Value,
        Int64Array a => checked((int)a.GetValue(index)!.Value),
        UInt8Array a => a.GetValue(index)!.Value,
        UInt16Array a => a.GetValue(index)!.Value,
        UInt32Array a => checked((int)a.GetValue(index)!.Value),
        _ => throw new NotSupportedException("Unsupported dictionary index type."),
    };

    /// <summary>Renders a canonical value for messages: <c>null</c>, quoted strings, invariant numbers, ISO dates.</summary>
    public static string Format(object? value)
    {
        var c = CultureInfo.InvariantCulture;
        return value switch
        {
            null => "null",
            string s => Quote(s),
            bool b => b ? "true" : "false",
            double d => d.ToString("R", c),
            float f => f.ToString("R", c),
            Half h => h.ToString(c),
            decimal m => m.ToString(c),
            byte[] bytes => "0x" + System.Convert.ToHexString(bytes),
            DateOnly d => d.ToString("yyyy-MM-dd", c),
            DateTime dt => dt.ToString(dt.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", c),
            DateTimeOffset o => o.ToUniversalTime().ToString(o.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", c),
            TimeOnly t => t.ToString(t.Ticks % TimeSpan.TicksPerSecond == 0 ? "HH:mm:ss" : "HH:mm:ss.FFFFFFF", c),
            KeyValuePair<string, object?>[] fields => "{" + string.Join(", ", fields.Select(static f => $"{f.Key}: {Format(f.Value)}")) + "}",
            object?[] items => "[" + string.Join(", ", items.Select(Format)) + "]",
            IFormattable f => f.ToString(null, c),
            _ => value.ToString() ?? "",
        };
    }

    private static string Quote(string s)
    {
        var text = new StringBuilder(s.Length + 2).Append('"');
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                default:
                    text.Append(ch);
                    break;
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>Compares two canonical values for equality, with an absolute tolerance for floating-point values.</summary>
    public static bool ValuesEqual(object? expected, object? actual, double tolerance)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null;
        }

        switch (expected, actual)
        {
            case (double e, double a):
                return FloatEqual(e, a, tolerance);
            case (float e, float a):
                return FloatEqual(e, a, tolerance);
            case (Half e, Half a):
                return FloatEqual((double)e, (double)a, tolerance);
            case (byte[] e, byte[] a):
                return e.AsSpan().SequenceEqual(a);
            case (KeyValuePair<string, object?>[] e, KeyValuePair<string, object?>[] a):
                if (e.Length != a.Length)
                {
                    return false;
                }

                for (var i = 0; i < e.Length; i++)
                {
                    if (e[i].Key != a[i].Key || !ValuesEqual(e[i].Value, a[i].Value, tolerance))
                    {
                        return false;
                    }
                }

                return true;
            case (object?[] e, object?[] a):
                if (e.Length != a.Length)
                {
                    return false;
                }

                for (var i = 0; i < e.Length; i++)
                {
                    if (!ValuesEqual(e[i], a[i], tolerance))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return expected.Equals(actual);
        }
    }

    private static bool FloatEqual(double expected, double actual, double tolerance)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual);
        }

        if (expected.Equals(actual))
        {
            return true;
        }

        return Math.Abs(expected - actual) <= tolerance;
    }

    /// <summary>A total order over canonical values (nulls first), for sorting rows when row order is ignored.</summary>
    public static int Compare(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return (left is null ? 0 : 1) - (right is null ? 0 : 1);
        }

        if (left.GetType() == right.GetType())
        {
            switch (left)
            {
                case string s:
                    return string.CompareOrdinal(s, (string)right);
                case byte[] b:
                    return b.AsSpan().SequenceCompareTo((byte[])right);
                case double d:
                    return d.CompareTo((double)right);
                case IComparable c when left is not IEnumerable:
                    return c.CompareTo(right);
            }
        }

        return string.CompareOrdinal(Format(left), Format(right));
    }
}
