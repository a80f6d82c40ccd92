using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace DataEng.Core;

/// <summary>Converts one variable-width (or fixed_size_binary) Arrow value to the property type.</summary>
internal interface IFromBytes<TProp>
{
    TProp Convert(ReadOnlySpan<byte> bytes);
}

internal readonly struct Utf8ToString : IFromBytes<string?>
{
    public string? Convert(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
}

internal readonly struct BytesToArray : IFromBytes<byte[]?>
{
    public byte[]? Convert(ReadOnlySpan<byte> bytes) => bytes.ToArray();
}

internal readonly struct Utf8ToChar : IFromBytes<char>
{
    public char Convert(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 1 && bytes[0] < 0x80)
        {
            return (char)bytes[0];
        }

        if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == OperationStatus.Done && consumed == bytes.Length && rune.IsBmp)
        {
            return (char)rune.Value;
        }

        return RowValue.Fail<char>($"\"{Encoding.UTF8.GetString(bytes)}\" is not a single UTF-16 character");
    }
}

internal readonly struct Utf8ToGuid : IFromBytes<Guid>
{
    public Guid Convert(ReadOnlySpan<byte> bytes)
    {
        if (Utf8Parser.TryParse(bytes, out Guid value, out var consumed) && consumed == bytes.Length)
        {
            return value;
        }

        var text = Encoding.UTF8.GetString(bytes);
        return Guid.TryParse(text, out value) ? value : RowValue.Fail<Guid>($"\"{text}\" is not a GUID");
    }
}

internal readonly struct BytesToGuid : IFromBytes<Guid>
{
    public Guid Convert(ReadOnlySpan<byte> bytes) => bytes.Length == 16
        ? new Guid(bytes, bigEndian: true)
        : RowValue.Fail<Guid>($"a GUID needs 16 bytes, the value has {bytes.Length}");
}

internal readonly struct Utf8ToEnum<TEnum> : IFromBytes<TEnum>
    where TEnum : struct, Enum
{
    public TEnum Convert(ReadOnlySpan<byte> bytes)
    {
        foreach (var (name, value) in EnumNames<TEnum>.ByName)
        {
            if (bytes.SequenceEqual(name))
            {
                return value;
            }
        }

        var text = Encoding.UTF8.GetString(bytes);
        return Enum.TryParse<TEnum>(text, ignoreCase: true, out var parsed)
            ? parsed
            : RowValue.Fail<TEnum>($"\"{text}\" is not a member of {typeof(TEnum).Name} ({string.Join(", ", Enum.GetNames<TEnum>().Take(20))})");
    }
}

internal readonly struct LiftedFromBytes<TValue, TInner>(TInner inner) : IFromBytes<TValue?>
    where TValue : struct
    where TInner : struct, IFromBytes<TValue>
{
    public TValue? Convert(ReadOnlySpan<byte> bytes) => inner.Convert(bytes);
}
