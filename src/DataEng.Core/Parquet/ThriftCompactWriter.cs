using System.Buffers;
using System.Text;

namespace DataEng.Core.ParquetFormat;

/// <summary>
/// Writes Thrift compact-protocol structures (Parquet page headers and the footer) into a buffer reused across calls.
/// The caller writes fields in increasing id order between <see cref="BeginStruct"/> and <see cref="EndStruct"/>;
/// optional fields are written or skipped by the caller. Not thread-safe.
/// </summary>
internal sealed class ThriftCompactWriter : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(256);
    private short[] _lastIds = new short[16];
    private int _depth;
    private short _lastId;

    /// <summary>Gets the number of bytes written since the last <see cref="Reset"/>.</summary>
    public int Length { get; private set; }

    /// <summary>Gets the bytes written since the last <see cref="Reset"/>.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Reset()
    {
        Length = 0;
        _depth = 0;
        _lastId = 0;
    }

    /// <summary>Starts a nested struct (as a field value or list element): field ids restart from zero.</summary>
    public void BeginStruct()
    {
        if (_depth == _lastIds.Length)
        {
            Array.Resize(ref _lastIds, _depth * 2);
        }

        _lastIds[_depth++] = _lastId;
        _lastId = 0;
    }

    /// <summary>Ends the current struct with a stop byte.</summary>
    public void EndStruct()
    {
        WriteByte(ThriftWireType.Stop);
        _lastId = _lastIds[--_depth];
    }

    /// <summary>Writes a struct-valued field header; follow with <see cref="BeginStruct"/> ... <see cref="EndStruct"/>.</summary>
    public void FieldStruct(short id) => FieldHeader(id, ThriftWireType.Struct);

    public void FieldI16(short id, short value)
    {
        FieldHeader(id, ThriftWireType.I16);
        WriteVarint(ZigZag(value));
    }

    public void FieldI32(short id, int value)
    {
        FieldHeader(id, ThriftWireType.I32);
        WriteVarint(ZigZag(value));
    }

    public void FieldI64(short id, long value)
    {
        FieldHeader(id, ThriftWireType.I64);
        WriteVarint(ZigZag(value));
    }

    public void FieldByte(short id, sbyte value)
    {
        FieldHeader(id, ThriftWireType.Byte);
        WriteByte((byte)value);
    }

    public void FieldBool(short id, bool value) => FieldHeader(id, value ? ThriftWireType.BooleanTrue : ThriftWireType.BooleanFalse);

    public void FieldBinary(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, ThriftWireType.Binary);
        WriteBinary(value);
    }

    public void FieldString(short id, string value)
    {
        FieldHeader(id, ThriftWireType.Binary);
        WriteString(value);
    }

    /// <summary>Writes a list-valued field header of <paramref name="count"/> structs; write each element between
    /// <see cref="BeginStruct"/> and <see cref="EndStruct"/>.</summary>
    public void FieldStructList(short id, int count)
    {
        FieldHeader(id, ThriftWireType.List);
        ListHeader(count, ThriftWireType.Struct);
    }

    /// <summary>Writes a list-valued field header of <paramref name="count"/> i32 values; follow with
    /// <see cref="ElementI32"/>.</summary>
    public void FieldI32List(short id, int count)
    {
        FieldHeader(id, ThriftWireType.List);
        ListHeader(count, ThriftWireType.I32);
    }

    /// <summary>Writes a list-valued field header of <paramref name="count"/> strings; follow with
    /// <see cref="ElementString"/>.</summary>
    public void FieldStringList(short id, int count)
    {
        FieldHeader(id, ThriftWireType.List);
        ListHeader(count, ThriftWireType.Binary);
    }

    public void ElementI32(int value) => WriteVarint(ZigZag(value));

    public void ElementString(string value) => WriteString(value);

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void FieldHeader(short id, byte type)
    {
        var delta = id - _lastId;
        if (delta is > 0 and <= 15)
        {
            WriteByte((byte)((delta << 4) | type));
        }
        else
        {
            WriteByte(type);
            WriteVarint(ZigZag(id));
        }

        _lastId = id;
    }

    private void ListHeader(int count, byte elementType)
    {
        if (count < 15)
        {
            WriteByte((byte)((count << 4) | elementType));
        }
        else
        {
            WriteByte((byte)(0xF0 | elementType));
            WriteVarint((uint)count);
        }
    }

    private void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarint((uint)length);
        Encoding.UTF8.GetBytes(value, Reserve(length));
        Length += length;
    }

    private void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteVarint((uint)value.Length);
        value.CopyTo(Reserve(value.Length));
        Length += value.Length;
    }

    private void WriteByte(byte value)
    {
        Reserve(1)[0] = value;
        Length++;
    }

    private void WriteVarint(ulong value)
    {
        var span = Reserve(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        Length += i;
    }

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + count));
            _buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsSpan(Length, count);
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
}
