using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace DataEng.Core;

/// <summary>Throws the problems of single values; the encoder or decoder adds the location.</summary>
internal static class RowValue
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Fail(string problem) => throw new DataFormatException(problem);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static TResult Fail<TResult>(string problem) => throw new DataFormatException(problem);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetBit(Span<byte> bitmap, int index) => bitmap[index >> 3] |= (byte)(1 << (index & 7));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool GetBit(ReadOnlySpan<byte> bitmap, int index) => (bitmap[index >> 3] & (1 << (index & 7))) != 0;
}
