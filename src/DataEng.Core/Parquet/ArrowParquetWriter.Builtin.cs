using System.Buffers.Binary;
using System.Runtime.ExceptionServices;
using Apache.Arrow;
using Parquet.Meta;

namespace DataEng.Core;

/// <summary>The builtin engine: row groups encoded by <see cref="ParquetChunkEncoder"/>, footer written by
/// <see cref="ThriftCompactWriter"/> with the schema elements the Parquet.Net engine writes after its footer patch.</summary>
internal sealed partial class ArrowParquetWriter
{
    private const int ParallelMinimumRows = 8192;

    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    private static readonly string CreatedBy = $"DataEng.Core version {typeof(ArrowParquetWriter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";

    private readonly bool[] _dictionary;
    private readonly List<BuiltinRowGroup> _rowGroups = [];

    private async ValueTask WriteRowGroupBuiltinAsync(int rows, CancellationToken cancellationToken)
    {
        var scratch = Scratch;
        var columns = _columns;
        var chunks = new ParquetChunkMeta[columns.Length];
        var parallel = ParallelColumns && columns.Length > 1 && Environment.ProcessorCount > 1 && rows >= ParallelMinimumRows;
        var start = _stream.BytesWritten;
        if (parallel)
        {
            var parts = new List<ArrayData>[columns.Length];
            for (var c = 0; c < columns.Length; c++)
            {
                parts[c] = PartsOf(columns[c], new List<ArrayData>(_pending.Count));
                _ = scratch.Encoder(c);
            }

            var errors = new Exception?[columns.Length];
            var options = _options;
            Parallel.For(0, columns.Length, new ParallelOptions { CancellationToken = cancellationToken }, c =>
            {
                try
                {
                    chunks[c] = scratch.Encoder(c).Encode(columns[c], parts[c], rows, _dictionary[c], options.Compression, options.CompressionLevel);
                }
                catch (Exception e)
                {
                    errors[c] = e;
                }
            });

            // The first failing column in schema order, as the sequential path reports it.
            if (System.Array.Find(errors, static e => e is not null) is { } error)
            {
                ExceptionDispatchInfo.Throw(error);
            }

            for (var c = 0; c < columns.Length; c++)
            {
                await WriteChunkAsync(scratch.Encoder(c), chunks[c], cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var encoder = scratch.Encoder(0);
            var parts = new List<ArrayData>(_pending.Count);
            for (var c = 0; c < columns.Length; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                parts.Clear();
                chunks[c] = encoder.Encode(columns[c], PartsOf(columns[c], parts), rows, _dictionary[c], _options.Compression, _options.CompressionLevel);
                await WriteChunkAsync(encoder, chunks[c], cancellationToken).ConfigureAwait(false);
            }
        }

        long uncompressed = 0;
        long compressed = 0;
        foreach (var chunk in chunks)
        {
            uncompressed += chunk.UncompressedSize;
            compressed += chunk.CompressedSize;
        }

        _rowGroups.Add(new BuiltinRowGroup(chunks, rows, start, uncompressed, compressed));
    }

    private List<ArrayData> PartsOf(ParquetColumn column, List<ArrayData> parts)
    {
        foreach (var batch in _pending)
        {
            parts.Add(batch.Column(column.Index).Data);
        }

        return parts;
    }

    /// <summary>Places an encoded chunk at the stream's position and writes it.</summary>
    private async ValueTask WriteChunkAsync(ParquetChunkEncoder encoder, ParquetChunkMeta chunk, CancellationToken cancellationToken)
    {
        var offset = _stream.BytesWritten;
        chunk.DataPageOffset += offset;
        chunk.DictionaryPageOffset += offset;
        await _stream.WriteAsync(encoder.Output, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteFooterAsync(CancellationToken cancellationToken)
    {
        var custom = new Dictionary<string, string>(_metadata, StringComparer.Ordinal);
        if (ParquetSchemaMapping.ArrowTypesMetadata(_columns) is { } arrowTypes)
        {
            custom[ParquetSchemaMapping.ArrowTypesKey] = arrowTypes;
        }

        using var thrift = new ThriftCompactWriter();
        thrift.BeginStruct();
        thrift.FieldI32(1, 1);
        thrift.FieldStructList(2, _columns.Length + 1);
        thrift.BeginStruct();
        thrift.FieldString(4, "root");
        thrift.FieldI32(5, _columns.Length);
        thrift.EndStruct();
        foreach (var column in _columns)
        {
            var element = SchemaElementOf(column);
            column.FooterPatch?.Invoke(element);
            WriteSchemaElement(thrift, element);
        }

        thrift.FieldI64(3, _rowCount);
        thrift.FieldStructList(4, _rowGroups.Count);
        for (var g = 0; g < _rowGroups.Count; g++)
        {
            WriteRowGroup(thrift, _rowGroups[g], g);
        }

        if (custom.Count > 0)
        {
            thrift.FieldStructList(5, custom.Count);
            foreach (var (key, value) in custom)
            {
                thrift.BeginStruct();
                thrift.FieldString(1, key);
                thrift.FieldString(2, value);
                thrift.EndStruct();
            }
        }

        thrift.FieldString(6, CreatedBy);
        thrift.FieldStructList(7, _columns.Length);
        for (var c = 0; c < _columns.Length; c++)
        {
            // TYPE_ORDER: min/max follow the column's logical sort order (unsigned for unsigned integers).
            thrift.BeginStruct();
            thrift.FieldStruct(1);
            thrift.BeginStruct();
            thrift.EndStruct();
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

    private void WriteRowGroup(ThriftCompactWriter thrift, BuiltinRowGroup rowGroup, int ordinal)
    {
        thrift.BeginStruct();
        thrift.FieldStructList(1, rowGroup.Chunks.Length);
        for (var c = 0; c < rowGroup.Chunks.Length; c++)
        {
            var chunk = rowGroup.Chunks[c];
            thrift.BeginStruct();
            thrift.FieldI64(2, chunk.DictionaryPageOffset ?? chunk.DataPageOffset);
            thrift.FieldStruct(3);
            thrift.BeginStruct();
            thrift.FieldI32(1, chunk.PhysicalType);
            var encodings = 1 + (chunk.Levels ? 1 : 0) + (chunk.Dictionary ? 1 : 0);
            thrift.FieldI32List(2, encodings);
            thrift.ElementI32(0);
            if (chunk.Levels)
            {
                thrift.ElementI32(3);
            }

            if (chunk.Dictionary)
            {
                thrift.ElementI32(8);
            }

            thrift.FieldStringList(3, 1);
            thrift.ElementString(_columns[c].Name);
            thrift.FieldI32(4, chunk.Codec);
            thrift.FieldI64(5, chunk.ValueCount);
            thrift.FieldI64(6, chunk.UncompressedSize);
            thrift.FieldI64(7, chunk.CompressedSize);
            thrift.FieldI64(9, chunk.DataPageOffset);
            if (chunk.DictionaryPageOffset is { } dictionaryOffset)
            {
                thrift.FieldI64(11, dictionaryOffset);
            }

            thrift.FieldStruct(12);
            thrift.BeginStruct();
            thrift.FieldI64(3, chunk.NullCount);
            if (chunk.Max is { } max && chunk.Min is { } min)
            {
                thrift.FieldBinary(5, max);
                thrift.FieldBinary(6, min);
            }

            thrift.EndStruct();
            thrift.EndStruct();
            thrift.EndStruct();
        }

        thrift.FieldI64(2, rowGroup.TotalByteSize);
        thrift.FieldI64(3, rowGroup.NumRows);
        thrift.FieldI64(5, rowGroup.FileOffset);
        thrift.FieldI64(6, rowGroup.TotalCompressedSize);
        thrift.FieldI16(7, (short)Math.Min(ordinal, short.MaxValue));
        thrift.EndStruct();
    }

    /// <summary>The schema element Parquet.Net writes for the column's physical field, before the footer patch.</summary>
    private static SchemaElement SchemaElementOf(ParquetColumn column)
    {
        var element = new SchemaElement
        {
            Name = column.Name,
            Type = (Parquet.Meta.Type)ParquetChunkEncoder.PhysicalType(column),
            RepetitionType = column.ArrowField.IsNullable ? FieldRepetitionType.OPTIONAL : FieldRepetitionType.REQUIRED,
        };

        void Integer(int width, bool signed, ConvertedType converted)
        {
            element.ConvertedType = converted;
            element.LogicalType = new LogicalType { INTEGER = new IntType { BitWidth = (sbyte)width, IsSigned = signed } };
        }

        switch (column.Kind)
        {
            case ParquetColumnKind.Int8:
                Integer(8, true, ConvertedType.INT_8);
                break;
            case ParquetColumnKind.UInt8:
                Integer(8, false, ConvertedType.UINT_8);
                break;
            case ParquetColumnKind.Int16:
                Integer(16, true, ConvertedType.INT_16);
                break;
            case ParquetColumnKind.UInt16:
                Integer(16, false, ConvertedType.UINT_16);
                break;
            case ParquetColumnKind.Int32 or ParquetColumnKind.Date32 or ParquetColumnKind.DecimalInt32:
                Integer(32, true, ConvertedType.INT_32);
                break;
            case ParquetColumnKind.UInt32:
                Integer(32, false, ConvertedType.UINT_32);
                break;
            case ParquetColumnKind.Int64 or ParquetColumnKind.Timestamp or ParquetColumnKind.DecimalInt64:
                Integer(64, true, ConvertedType.INT_64);
                break;
            case ParquetColumnKind.UInt64:
                Integer(64, false, ConvertedType.UINT_64);
                break;
            case ParquetColumnKind.String:
                element.ConvertedType = ConvertedType.UTF8;
                element.LogicalType = new LogicalType { STRING = new StringType() };
                break;
            case ParquetColumnKind.DecimalBytes:
                element.TypeLength = 16;
                element.LogicalType = new LogicalType { UUID = new UUIDType() };
                break;
            default:
                break;
        }

        return element;
    }

    private static void WriteSchemaElement(ThriftCompactWriter thrift, SchemaElement element)
    {
        thrift.BeginStruct();
        if (element.Type is { } type)
        {
            thrift.FieldI32(1, (int)type);
        }

        if (element.TypeLength is { } typeLength)
        {
            thrift.FieldI32(2, typeLength);
        }

        if (element.RepetitionType is { } repetition)
        {
            thrift.FieldI32(3, (int)repetition);
        }

        thrift.FieldString(4, element.Name);
        if (element.ConvertedType is { } converted)
        {
            thrift.FieldI32(6, (int)converted);
        }

        if (element.Scale is { } scale)
        {
            thrift.FieldI32(7, scale);
        }

        if (element.Precision is { } precision)
        {
            thrift.FieldI32(8, precision);
        }

        if (element.LogicalType is { } logical)
        {
            thrift.FieldStruct(10);
            WriteLogicalType(thrift, logical);
        }

        thrift.EndStruct();
    }

    private static void WriteLogicalType(ThriftCompactWriter thrift, LogicalType logical)
    {
        thrift.BeginStruct();
        if (logical.STRING is not null)
        {
            EmptyStruct(thrift, 1);
        }
        else if (logical.DECIMAL is { } decimalType)
        {
            thrift.FieldStruct(5);
            thrift.BeginStruct();
            thrift.FieldI32(1, decimalType.Scale);
            thrift.FieldI32(2, decimalType.Precision);
            thrift.EndStruct();
        }
        else if (logical.DATE is not null)
        {
            EmptyStruct(thrift, 6);
        }
        else if (logical.TIMESTAMP is { } timestamp)
        {
            thrift.FieldStruct(8);
            thrift.BeginStruct();
            thrift.FieldBool(1, timestamp.IsAdjustedToUTC);
            thrift.FieldStruct(2);
            thrift.BeginStruct();
            EmptyStruct(thrift, timestamp.Unit.MILLIS is not null ? (short)1 : timestamp.Unit.MICROS is not null ? (short)2 : (short)3);
            thrift.EndStruct();
            thrift.EndStruct();
        }
        else if (logical.INTEGER is { } integer)
        {
            thrift.FieldStruct(10);
            thrift.BeginStruct();
            thrift.FieldByte(1, integer.BitWidth);
            thrift.FieldBool(2, integer.IsSigned);
            thrift.EndStruct();
        }
        else if (logical.UUID is not null)
        {
            EmptyStruct(thrift, 14);
        }
        else
        {
            throw new InvalidOperationException("Unexpected logical type annotation.");
        }

        thrift.EndStruct();
    }

    private static void EmptyStruct(ThriftCompactWriter thrift, short id)
    {
        thrift.FieldStruct(id);
        thrift.BeginStruct();
        thrift.EndStruct();
    }

    /// <summary>A written row group, kept for the footer.</summary>
    private sealed record BuiltinRowGroup(ParquetChunkMeta[] Chunks, long NumRows, long FileOffset, long TotalByteSize, long TotalCompressedSize);
}
