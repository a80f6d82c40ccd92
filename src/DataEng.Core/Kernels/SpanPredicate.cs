namespace DataEng.Core.Kernels;

/// <summary>
/// A vectorised filter over a chunk of a column: sets <c>results[i]</c> to whether row i is kept.
/// </summary>
/// <typeparam name="T">The CLR type of the column's values (see <see cref="DataTypes"/> for the mapping).</typeparam>
/// <param name="values">The values of a chunk of rows. Slots of null rows hold an unspecified value; their result is
/// ignored (a null never passes a filter).</param>
/// <param name="results">Where to write one result per value; starts all false.</param>
public delegate void SpanPredicate<T>(ReadOnlySpan<T> values, Span<bool> results);
