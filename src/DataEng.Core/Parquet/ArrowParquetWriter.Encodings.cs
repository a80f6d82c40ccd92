using Apache.Arrow;

namespace DataEng.Core.ParquetFormat;

internal sealed partial class ArrowParquetWriter
{
    private readonly DictionarySampler _sampler = new();

    /// <summary>Chooses, for each column of the pending row group, between PLAIN and a dictionary:
    /// <see cref="ParquetWriteOptions.DictionaryColumns"/> first, then the sample when
    /// <see cref="ParquetWriteOptions.AutoDictionary"/> is on.</summary>
    private void ChooseEncodings()
    {
        foreach (var column in _columns)
        {
            _dictionary[column.Index] = ParquetChunkEncoder.SupportsDictionary(column.Kind)
                && (_options.DictionaryColumns.Contains(column.Name)
                    || (_options.AutoDictionary && _sampler.DictionaryPays(column, _pending, _pendingRows)));
        }
    }

    /// <summary>Scales a stored timestamp to the unit written (seconds to milliseconds), rejecting values that
    /// overflow.</summary>
    internal static long ScaleTimestamp(ParquetColumn column, long value)
    {
        // The 128-bit product fits in 64 bits when its high half is the sign extension of its low half.
        var high = Math.BigMul(value, column.TimestampScale, out var low);
        if (high != (low >> 63))
        {
            throw new DataFormatException("Parquet writer", null, column.Name, $"the timestamp {value} s is out of range");
        }

        return low;
    }

    internal static DataFormatException OutOfRange(ParquetColumn column, int row)
        => new("Parquet writer", row + 1L, column.Name, $"the decimal value does not fit {SchemaText.Describe(column.ArrowField.DataType)}");

    internal static int CountNulls(ParquetColumn column, List<ArrayData> parts)
    {
        var nulls = 0;
        foreach (var data in parts)
        {
            nulls += data.GetNullCount();
        }

        if (nulls > 0 && !column.ArrowField.IsNullable)
        {
            throw new DataFormatException("Parquet writer", null, column.Name, $"the column is declared non-nullable but has {nulls} null value(s)");
        }

        return nulls;
    }
}
