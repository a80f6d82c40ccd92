using System.Buffers.Binary;
using Apache.Arrow.Types;
using Field = DataEng.Core.ParquetFormat.ParquetThrift;

namespace DataEng.Core.ParquetFormat;

/// <summary>The footer (<c>FileMetaData</c>), written with <see cref="ThriftCompactWriter"/> after the last row group:
/// the flat schema with physical, converted and logical types, every row group's column chunks and statistics, the
/// key/value metadata and a TYPE_DEFINED_ORDER column order for every column.</summary>
internal sealed partial class ArrowParquetWriter
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    private static readonly string CreatedBy = $"DataEng.Core version {typeof(ArrowParquetWriter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";

    private async ValueTask WriteFooterAsync(CancellationToken cancellationToken)
    {
        var custom = new Dictionary<string, string>(_metadata, StringComparer.Ordinal);
        if (ParquetSchemaMapping.ArrowTypesMetadata(_columns) is { } arrowTypes)
        {
            custom[ParquetSchemaMapping.ArrowTypesKey] = arrowTypes;
        }

        using var thrift = new ThriftCompactWriter();
        thrift.BeginStruct();
        thrift.FieldI32(Field.FileMetaData.Version, 1);
        thrift.FieldStructList(Field.FileMetaData.Schema, _columns.Length + 1);
        thrift.BeginStruct();
        thrift.FieldString(Field.SchemaElement.Name, "root");
        thrift.FieldI32(Field.SchemaElement.NumChildren, _columns.Length);
        thrift.EndStruct();
        foreach (var column in _columns)
        {
            WriteSchemaElement(thrift, column);
        }

        thrift.FieldI64(Field.FileMetaData.NumRows, _rowCount);
        thrift.FieldStructList(Field.FileMetaData.RowGroups, _rowGroups.Count);
        for (var g = 0; g < _rowGroups.Count; g++)
        {
            WriteRowGroup(thrift, _rowGroups[g], g);
        }

        if (custom.Count > 0)
        {
            thrift.FieldStructList(Field.FileMetaData.KeyValueMetadata, custom.Count);
            foreach (var (key, value) in custom)
            {
                thrift.BeginStruct();
                thrift.FieldString(Field.KeyValue.Key, key);
                thrift.FieldString(Field.KeyValue.Value, value);
                thrift.EndStruct();
            }
        }

        thrift.FieldString(Field.FileMetaData.CreatedBy, CreatedBy);
        thrift.FieldStructList(Field.FileMetaData.ColumnOrders, _columns.Length);
        for (var c = 0; c < _columns.Length; c++)
        {
            // TYPE_ORDER: min/max follow the column's logical sort order (unsigned for unsigned integers).
            thrift.BeginStruct();
            EmptyStruct(thrift, Field.ColumnOrder.TypeOrder);
            thrift.EndStruct();
        }

        thrift.EndStruct();
        var footer = thrift.Written;
        var tail = new byte[footer.Length + 8];
        footer.CopyTo(tail);
        BinaryPrimitives.WriteInt32LittleEndian(tail.AsSpan(footer.Length), footer.Length);
        Magic.CopyTo(tail.AsSpan(footer.Length + 4));
        await _stream.WriteAsync(tail, cancellationToken).ConfigureAwait(false);
    }

    private void WriteRowGroup(ThriftCompactWriter thrift, WrittenRowGroup rowGroup, int ordinal)
    {
        thrift.BeginStruct();
        thrift.FieldStructList(Field.RowGroup.Columns, rowGroup.Chunks.Length);
        for (var c = 0; c < rowGroup.Chunks.Length; c++)
        {
            var chunk = rowGroup.Chunks[c];
            thrift.BeginStruct();
            thrift.FieldI64(Field.ColumnChunk.FileOffset, chunk.DictionaryPageOffset ?? chunk.DataPageOffset);
            thrift.FieldStruct(Field.ColumnChunk.MetaData);
            thrift.BeginStruct();
            thrift.FieldI32(Field.ColumnMetaData.Type, chunk.PhysicalType);
            var encodings = 1 + (chunk.Levels ? 1 : 0) + (chunk.Dictionary ? 1 : 0);
            thrift.FieldI32List(Field.ColumnMetaData.Encodings, encodings);
            thrift.ElementI32(ParquetEncoding.Plain);
            if (chunk.Levels)
            {
                thrift.ElementI32(ParquetEncoding.Rle);
            }

            if (chunk.Dictionary)
            {
                thrift.ElementI32(ParquetEncoding.RleDictionary);
            }

            thrift.FieldStringList(Field.ColumnMetaData.PathInSchema, 1);
            thrift.ElementString(_columns[c].Name);
            thrift.FieldI32(Field.ColumnMetaData.Codec, chunk.Codec);
            thrift.FieldI64(Field.ColumnMetaData.NumValues, chunk.ValueCount);
            thrift.FieldI64(Field.ColumnMetaData.TotalUncompressedSize, chunk.UncompressedSize);
            thrift.FieldI64(Field.ColumnMetaData.TotalCompressedSize, chunk.CompressedSize);
            thrift.FieldI64(Field.ColumnMetaData.DataPageOffset, chunk.DataPageOffset);
            if (chunk.DictionaryPageOffset is { } dictionaryOffset)
            {
                thrift.FieldI64(Field.ColumnMetaData.DictionaryPageOffset, dictionaryOffset);
            }

            thrift.FieldStruct(Field.ColumnMetaData.Statistics);
            thrift.BeginStruct();
            thrift.FieldI64(Field.Statistics.NullCount, chunk.NullCount);
            if (chunk.Max is { } max && chunk.Min is { } min)
            {
                thrift.FieldBinary(Field.Statistics.MaxValue, max);
                thrift.FieldBinary(Field.Statistics.MinValue, min);
            }

            thrift.EndStruct();
            thrift.EndStruct();
            thrift.EndStruct();
        }

        thrift.FieldI64(Field.RowGroup.TotalByteSize, rowGroup.TotalByteSize);
        thrift.FieldI64(Field.RowGroup.NumRows, rowGroup.NumRows);
        thrift.FieldI64(Field.RowGroup.FileOffset, rowGroup.FileOffset);
        thrift.FieldI64(Field.RowGroup.TotalCompressedSize, rowGroup.TotalCompressedSize);
        thrift.FieldI16(Field.RowGroup.Ordinal, (short)Math.Min(ordinal, short.MaxValue));
        thrift.EndStruct();
    }

    /// <summary>Writes the schema element of a column: its physical type, repetition, the legacy converted type and the
    /// logical type (both where the format has them, so old and new readers agree).</summary>
    private static void WriteSchemaElement(ThriftCompactWriter thrift, ParquetColumn column)
    {
        var (converted, logical) = Annotations(column);
        var decimalType = column.ArrowField.DataType as Decimal128Type;
        thrift.BeginStruct();
        thrift.FieldI32(Field.SchemaElement.Type, ParquetChunkEncoder.PhysicalType(column));
        if (column.Kind == ParquetColumnKind.DecimalBytes)
        {
            thrift.FieldI32(Field.SchemaElement.TypeLength, column.FixedLength);
        }

        thrift.FieldI32(Field.SchemaElement.RepetitionType, column.ArrowField.IsNullable ? ParquetRepetition.Optional : ParquetRepetition.Required);
        thrift.FieldString(Field.SchemaElement.Name, column.Name);
        if (converted is { } convertedType)
        {
            thrift.FieldI32(Field.SchemaElement.ConvertedType, convertedType);
        }

        if (decimalType is not null)
        {
            thrift.FieldI32(Field.SchemaElement.Scale, decimalType.Scale);
            thrift.FieldI32(Field.SchemaElement.Precision, decimalType.Precision);
        }

        if (logical != 0)
        {
            thrift.FieldStruct(Field.SchemaElement.LogicalType);
            thrift.BeginStruct();
            switch (logical)
            {
                case Field.LogicalType.Decimal:
                    thrift.FieldStruct(Field.LogicalType.Decimal);
                    thrift.BeginStruct();
                    thrift.FieldI32(Field.DecimalType.Scale, decimalType!.Scale);
                    thrift.FieldI32(Field.DecimalType.Precision, decimalType.Precision);
                    thrift.EndStruct();
                    break;
                case Field.LogicalType.Timestamp:
                    var timestamp = (TimestampType)column.ArrowField.DataType;
                    thrift.FieldStruct(Field.LogicalType.Timestamp);
                    thrift.BeginStruct();
                    thrift.FieldBool(Field.TimestampType.IsAdjustedToUtc, IsAdjustedToUtc(timestamp));
                    thrift.FieldStruct(Field.TimestampType.Unit);
                    thrift.BeginStruct();
                    EmptyStruct(thrift, StoredUnit(timestamp));
                    thrift.EndStruct();
                    thrift.EndStruct();
                    break;
                case Field.LogicalType.Integer:
                    var (width, signed) = IntegerOf(column.Kind);
                    thrift.FieldStruct(Field.LogicalType.Integer);
                    thrift.BeginStruct();
                    thrift.FieldByte(Field.IntType.BitWidth, width);
                    thrift.FieldBool(Field.IntType.IsSigned, signed);
                    thrift.EndStruct();
                    break;
                default:
                    // STRING and DATE carry no parameters.
                    EmptyStruct(thrift, logical);
                    break;
            }

            thrift.EndStruct();
        }

        thrift.EndStruct();
    }

    /// <summary>The converted type (or <see langword="null"/>) and the <c>LogicalType</c> member (or 0) of a column.</summary>
    private static (int? Converted, short Logical) Annotations(ParquetColumn column) => column.Kind switch
    {
        ParquetColumnKind.Int8 => (ParquetConvertedType.Int8, Field.LogicalType.Integer),
        ParquetColumnKind.UInt8 => (ParquetConvertedType.UInt8, Field.LogicalType.Integer),
        ParquetColumnKind.Int16 => (ParquetConvertedType.Int16, Field.LogicalType.Integer),
        ParquetColumnKind.UInt16 => (ParquetConvertedType.UInt16, Field.LogicalType.Integer),
        ParquetColumnKind.Int32 => (ParquetConvertedType.Int32, Field.LogicalType.Integer),
        ParquetColumnKind.UInt32 => (ParquetConvertedType.UInt32, Field.LogicalType.Integer),
        ParquetColumnKind.Int64 => (ParquetConvertedType.Int64, Field.LogicalType.Integer),
        ParquetColumnKind.UInt64 => (ParquetConvertedType.UInt64, Field.LogicalType.Integer),
        ParquetColumnKind.String => (ParquetConvertedType.Utf8, Field.LogicalType.String),
        ParquetColumnKind.Date32 => (ParquetConvertedType.Date, Field.LogicalType.Date),
        ParquetColumnKind.DecimalInt32 or ParquetColumnKind.DecimalInt64 or ParquetColumnKind.DecimalBytes => (ParquetConvertedType.Decimal, Field.LogicalType.Decimal),
        ParquetColumnKind.Timestamp => (TimestampConvertedType((TimestampType)column.ArrowField.DataType), Field.LogicalType.Timestamp),
        _ => (null, 0),
    };

    /// <summary>The legacy TIMESTAMP_MILLIS/MICROS converted types imply UTC adjustment and exist only for millis and
    /// micros, so a local timestamp or a nanosecond one has none.</summary>
    private static int? TimestampConvertedType(TimestampType type) => !IsAdjustedToUtc(type)
        ? null
        : StoredUnit(type) switch
        {
            Field.TimeUnit.Millis => ParquetConvertedType.TimestampMillis,
            Field.TimeUnit.Micros => ParquetConvertedType.TimestampMicros,
            _ => null,
        };

    private static bool IsAdjustedToUtc(TimestampType type) => !string.IsNullOrEmpty(type.Timezone);

    /// <summary>The <c>TimeUnit</c> member of the stored values (seconds are stored as milliseconds).</summary>
    private static short StoredUnit(TimestampType type) => type.Unit switch
    {
        Apache.Arrow.Types.TimeUnit.Second or Apache.Arrow.Types.TimeUnit.Millisecond => Field.TimeUnit.Millis,
        Apache.Arrow.Types.TimeUnit.Microsecond => Field.TimeUnit.Micros,
        _ => Field.TimeUnit.Nanos,
    };

    private static (sbyte Width, bool Signed) IntegerOf(ParquetColumnKind kind) => kind switch
    {
        ParquetColumnKind.Int8 => (8, true),
        ParquetColumnKind.UInt8 => (8, false),
        ParquetColumnKind.Int16 => (16, true),
        ParquetColumnKind.UInt16 => (16, false),
        ParquetColumnKind.Int32 => (32, true),
        ParquetColumnKind.UInt32 => (32, false),
        ParquetColumnKind.Int64 => (64, true),
        _ => (64, false),
    };

    private static void EmptyStruct(ThriftCompactWriter thrift, short id)
    {
        thrift.FieldStruct(id);
        thrift.BeginStruct();
        thrift.EndStruct();
    }
}
