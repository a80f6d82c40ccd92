namespace DataEng.Core.Kernels;

/// <summary>A filter over the UTF-8 bytes of one non-null string (or binary) value, without creating a string.</summary>
/// <param name="utf8">The value's bytes.</param>
/// <returns>Whether the row is kept.</returns>
public delegate bool Utf8Predicate(ReadOnlySpan<byte> utf8);
