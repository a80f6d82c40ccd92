using System.Buffers.Text;
using System.Text;

namespace DataEng.Core;

/// <summary>Converts one CLR value to variable-width bytes (UTF-8 text or binary).</summary>
internal interface IToBytes<TProp>
{
    bool IsNull(TProp value);

    /// <summary>Returns an upper bound of the bytes of a non-null value (cheap).</summary>
    int GetMaxByteCount(TProp value);

    /// <summary>Returns the exact bytes of a non-null value.</summary>
    int GetByteCount(TProp value);

    int Write(TProp value, Span<byte> destination);
}

/// <summary>Strict UTF-8 (an unpaired surrogate is an error, not a silent U+FFFD).</summary>
internal static class StrictUtf8
{
    public static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

internal readonly struct StringToUtf8 : IToBytes<string?>
{
    public bool IsNull(string? value) => value is null;

    public int GetByteCount(string? value)
    {
        try
        {
            return StrictUtf8.Encoding.GetByteCount(value!);
        }
        catch (EncoderFallbackException e)
        {
            return RowValue.Fail<int>(UnpairedSurrogate(e));
        }
    }

    public int GetMaxByteCount(string? value) => value!.Length * 3;

    public int Write(string? value, Span<byte> destination)
    {
        try
        {
            return StrictUtf8.Encoding.GetBytes(value, destination);
        }
        catch (EncoderFallbackException e)
        {
            return RowValue.Fail<int>(UnpairedSurrogate(e));
        }
    }

    private static string UnpairedSurrogate(EncoderFallbackException e)
        => $"the string has an unpaired surrogate at index {e.Index} and is not valid UTF-16, so it has no UTF-8 form";
}

internal readonly struct BytesCopy : IToBytes<byte[]?>
{
    public bool IsNull(byte[]? value) => value is null;

    public int GetMaxByteCount(byte[]? value) => value!.Length;

    public int GetByteCount(byte[]? value) => value!.Length;

    public int Write(byte[]? value, Span<byte> destination)
    {
        value.CopyTo(destination);
        return value!.Length;
    }
}

internal readonly struct CharToUtf8 : IToBytes<char>
{
    public bool IsNull(char value) => false;

    public int GetMaxByteCount(char value) => GetByteCount(value);

    public int GetByteCount(char value) => char.IsSurrogate(value)
        ? RowValue.Fail<int>($"U+{(int)value:X4} is half of a surrogate pair and cannot be stored alone")
        : new Rune(value).Utf8SequenceLength;

    public int Write(char value, Span<byte> destination) => new Rune(value).EncodeToUtf8(destination);
}

internal readonly struct GuidToText : IToBytes<Guid>
{
    public bool IsNull(Guid value) => false;

    public int GetMaxByteCount(Guid value) => 36;

    public int GetByteCount(Guid value) => 36;

    public int Write(Guid value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }
}

internal readonly struct EnumToName<TEnum> : IToBytes<TEnum>
    where TEnum : struct, Enum
{
    public bool IsNull(TEnum value) => false;

    public int GetMaxByteCount(TEnum value) => GetByteCount(value);

    public int GetByteCount(TEnum value) => EnumNames<TEnum>.Utf8ByValue.TryGetValue(value, out var name)
        ? name.Length
        : Encoding.UTF8.GetByteCount(value.ToString());

    public int Write(TEnum value, Span<byte> destination)
    {
        if (EnumNames<TEnum>.Utf8ByValue.TryGetValue(value, out var name))
        {
            name.CopyTo(destination);
            return name.Length;
        }

        return Encoding.UTF8.GetBytes(value.ToString(), destination);
    }
}

/// <summary>Lifts a bytes converter of <typeparamref name="TValue"/> to <c>TValue?</c>.</summary>
internal readonly struct LiftedBytes<TValue, TInner>(TInner inner) : IToBytes<TValue?>
    where TValue : struct
    where TInner : struct, IToBytes<TValue>
{
    public bool IsNull(TValue? value) => !value.HasValue;

    public int GetMaxByteCount(TValue? value) => inner.GetMaxByteCount(value.GetValueOrDefault());

    public int GetByteCount(TValue? value) => inner.GetByteCount(value.GetValueOrDefault());

    public int Write(TValue? value, Span<byte> destination) => inner.Write(value.GetValueOrDefault(), destination);
}

/// <summary>UTF-8 names of an enum's members, for writing and reading enums as text without boxing.</summary>
internal static class EnumNames<TEnum>
    where TEnum : struct, Enum
{
    /// <summary>The name <see cref="Enum.ToString()"/> gives each defined value.</summary>
    public static readonly Dictionary<TEnum, byte[]> Utf8ByValue = BuildByValue();

    /// <summary>Every member name (aliases included) and its value.</summary>
    public static readonly (byte[] Name, TEnum Value)[] ByName = [.. Enum.GetNames<TEnum>().Select(static n => (Encoding.UTF8.GetBytes(n), Enum.Parse<TEnum>(n)))];

    private static Dictionary<TEnum, byte[]> BuildByValue()
    {
        var result = new Dictionary<TEnum, byte[]>();
        foreach (var value in Enum.GetValues<TEnum>())
        {
            result.TryAdd(value, Encoding.UTF8.GetBytes(value.ToString()));
        }

        return result;
    }
}
