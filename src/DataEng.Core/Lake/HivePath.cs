using System.Buffers;
using System.Globalization;
using System.Text;

namespace DataEng.Core;

/// <summary>
/// Hive-compatible escaping of partition folder names (<c>key=value</c>). Works on UTF-8 bytes so that every value
/// round-trips exactly, including invalid UTF-8 and unicode that a file system might normalise.
/// </summary>
/// <remarks>
/// <para>Escaped as <c>%XX</c> (upper-case hex of the byte): control characters (U+0000–U+001F, U+007F, the C1
/// controls U+0080–U+009F, U+2028, U+2029), <c>" # % ' * / : = ? \ { [ ] ^ &lt; &gt; |</c>, leading and trailing dots
/// and spaces, and bytes that are not valid UTF-8. Everything else (letters of any script, digits, interior spaces,
/// <c>+</c>, full-width punctuation) is kept as-is, as Hive does. A null value is
/// <see cref="NullValue"/>; the string <c>__HIVE_DEFAULT_PARTITION__</c> itself is written with its first byte escaped
/// so it is not read back as null. The empty string is an empty value (<c>key=</c>).</para>
/// <para>An escaped segment never contains a path separator, never is <c>.</c> or <c>..</c>, never starts with a dot
/// and never ends with a dot or a space, so joining segments can never leave the dataset root.</para>
/// </remarks>
internal static class HivePath
{
    /// <summary>The folder value that stands for null, as Hive, Spark, DuckDB and pyarrow write it.</summary>
    public const string NullValue = "__HIVE_DEFAULT_PARTITION__";

    /// <summary>The longest folder or file name most file systems accept, in bytes.</summary>
    public const int MaxSegmentBytes = 255;

    private static readonly byte[] NullValueBytes = Encoding.ASCII.GetBytes(NullValue);
    private static readonly SearchValues<byte> AsciiToEscape = SearchValues.Create(BuildAsciiEscapeSet());

    /// <summary>Escapes a partition value given as UTF-8 bytes.</summary>
    /// <param name="utf8">The value.</param>
    /// <returns>The escaped value (never <see cref="NullValue"/>).</returns>
    public static string EscapeValue(ReadOnlySpan<byte> utf8)
    {
        if (utf8.SequenceEqual(NullValueBytes))
        {
            return "%5F" + NullValue[1..];
        }

        return Escape(utf8);
    }

    /// <summary>Escapes a partition value given as a string (encoded as UTF-8 first).</summary>
    /// <param name="value">The value, or <see langword="null"/>.</param>
    /// <returns>The escaped value, or <see cref="NullValue"/> for null.</returns>
    public static string EscapeValue(string? value)
    {
        if (value is null)
        {
            return NullValue;
        }

        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var count = Encoding.UTF8.GetBytes(value, buffer);
            return EscapeValue(buffer[..count]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Escapes a column name used as a partition key.</summary>
    /// <param name="name">The column name (not empty).</param>
    /// <returns>The escaped name.</returns>
    public static string EscapeName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var bytes = Encoding.UTF8.GetBytes(name);
        return Escape(bytes);
    }

    /// <summary>Builds the folder name <c>key=value</c> from an escaped name and an escaped value.</summary>
    /// <param name="escapedName">The escaped column name.</param>
    /// <param name="escapedValue">The escaped value (or <see cref="NullValue"/>).</param>
    /// <returns>The folder name.</returns>
    public static string Segment(string escapedName, string escapedValue) => escapedName + "=" + escapedValue;

    /// <summary>Returns the byte length of a folder name in UTF-8 (what file systems limit).</summary>
    /// <param name="segment">The folder name.</param>
    /// <returns>The length in bytes.</returns>
    public static int ByteLength(string segment) => Encoding.UTF8.GetByteCount(segment);

    /// <summary>Splits a folder name <c>key=value</c> into its escaped parts.</summary>
    /// <param name="segment">The folder name.</param>
    /// <param name="escapedName">The escaped key.</param>
    /// <param name="escapedValue">The escaped value.</param>
    /// <returns><see langword="false"/> when the name is not a partition folder.</returns>
    public static bool TrySplitSegment(string segment, out string escapedName, out string escapedValue)
    {
        var eq = segment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            escapedName = escapedValue = string.Empty;
            return false;
        }

        escapedName = segment[..eq];
        escapedValue = segment[(eq + 1)..];
        return true;
    }

    /// <summary>Decodes an escaped value to UTF-8 bytes.</summary>
    /// <param name="escaped">The escaped value (not <see cref="NullValue"/>).</param>
    /// <returns>The original bytes. A <c>%</c> not followed by two hex digits is kept literally.</returns>
    public static byte[] UnescapeToBytes(string escaped)
    {
        ArgumentNullException.ThrowIfNull(escaped);
        var raw = Encoding.UTF8.GetBytes(escaped);
        if (raw.AsSpan().IndexOf((byte)'%') < 0)
        {
            return raw;
        }

        var output = new byte[raw.Length];
        var n = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b == (byte)'%' && i + 2 < raw.Length && TryHex(raw[i + 1], out var hi) && TryHex(raw[i + 2], out var lo))
            {
                output[n++] = (byte)((hi << 4) | lo);
                i += 2;
            }
            else
            {
                output[n++] = b;
            }
        }

        return output.AsSpan(0, n).ToArray();
    }

    /// <summary>Decodes an escaped value or name to a string (invalid UTF-8 becomes U+FFFD).</summary>
    /// <param name="escaped">The escaped text.</param>
    /// <returns>The original text.</returns>
    public static string Unescape(string escaped)
        => escaped.Contains('%', StringComparison.Ordinal) ? Encoding.UTF8.GetString(UnescapeToBytes(escaped)) : escaped;

    /// <summary>Decodes an escaped value, mapping <see cref="NullValue"/> to <see langword="null"/>.</summary>
    /// <param name="escaped">The escaped value.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public static string? UnescapeValue(string escaped)
        => escaped == NullValue ? null : Unescape(escaped);

    /// <summary>
    /// Returns the key two folder names collide on when the file system ignores case and unicode normalisation
    /// (Windows, macOS).
    /// </summary>
    /// <param name="segment">A folder name.</param>
    /// <returns>The comparison key.</returns>
    public static string CollisionKey(string segment)
    {
        string normalized;
        try
        {
            normalized = segment.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            normalized = segment;
        }

        return normalized.ToUpperInvariant();
    }

    private static string Escape(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        // Fast path: nothing to escape and valid ASCII/UTF-8.
        if (utf8.IndexOfAny(AsciiToEscape) < 0 && !NeedsEdgeEscape(utf8[0]) && !NeedsEdgeEscape(utf8[^1]) && IsPlainUtf8(utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var builder = new StringBuilder(utf8.Length + 16);
        var position = 0;
        while (position < utf8.Length)
        {
            var status = Rune.DecodeFromUtf8(utf8[position..], out var rune, out var consumed);
            if (status != OperationStatus.Done)
            {
                // Invalid or truncated sequence: escape its bytes one by one.
                for (var i = 0; i < consumed; i++)
                {
                    AppendEscaped(builder, utf8[position + i]);
                }

                position += consumed;
                continue;
            }

            var first = position == 0;
            var last = position + consumed == utf8.Length;
            if (rune.Value < 0x80)
            {
                var b = (byte)rune.Value;
                if (AsciiToEscape.Contains(b) || ((first || last) && NeedsEdgeEscape(b)))
                {
                    AppendEscaped(builder, b);
                }
                else
                {
                    builder.Append((char)b);
                }
            }
            else if (IsUnicodeToEscape(rune))
            {
                for (var i = 0; i < consumed; i++)
                {
                    AppendEscaped(builder, utf8[position + i]);
                }
            }
            else
            {
                builder.Append(rune.ToString());
            }

            position += consumed;
        }

        return builder.ToString();
    }

    private static bool IsPlainUtf8(ReadOnlySpan<byte> utf8)
    {
        var position = 0;
        while (position < utf8.Length)
        {
            var b = utf8[position];
            if (b < 0x80)
            {
                position++;
                continue;
            }

            if (Rune.DecodeFromUtf8(utf8[position..], out var rune, out var consumed) != OperationStatus.Done || IsUnicodeToEscape(rune))
            {
                return false;
            }

            position += consumed;
        }

        return true;
    }

    private static bool IsUnicodeToEscape(Rune rune)
        => rune.Value is (>= 0x80 and <= 0x9F) or 0x2028 or 0x2029;

    private static bool NeedsEdgeEscape(byte b) => b is (byte)'.' or (byte)' ';

    private static void AppendEscaped(StringBuilder builder, byte b)
    {
        builder.Append('%');
        builder.Append(HexDigit(b >> 4));
        builder.Append(HexDigit(b & 0xF));
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static bool TryHex(byte c, out int value)
    {
        value = c switch
        {
            >= (byte)'0' and <= (byte)'9' => c - '0',
            >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
            >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }

    private static byte[] BuildAsciiEscapeSet()
    {
        var set = new List<byte>();
        for (var b = 0; b < 0x20; b++)
        {
            set.Add((byte)b);
        }

        set.Add(0x7F);
        foreach (var c in "\"#%'*/:=?\\{[]^<>|")
        {
            set.Add((byte)c);
        }

        return [.. set];
    }

    /// <summary>Formats an integer partition value the way every engine parses it back.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string FormatInteger(long value) => value.ToString(CultureInfo.InvariantCulture);
}
