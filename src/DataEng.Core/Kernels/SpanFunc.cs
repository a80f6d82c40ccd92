namespace DataEng.Core.Kernels;

/// <summary>A vectorised computation of a new column from one column, over a chunk of rows.</summary>
/// <typeparam name="TIn">The CLR type of the input column's values.</typeparam>
/// <typeparam name="TOut">The CLR type of the output values.</typeparam>
/// <param name="input">The input values. Slots of null rows hold an unspecified value.</param>
/// <param name="output">Where to write one value per input value. Values written for null input rows are ignored
/// (the output row is null).</param>
public delegate void SpanFunc<TIn, TOut>(ReadOnlySpan<TIn> input, Span<TOut> output);

/// <summary>A vectorised computation of a new column from two columns, over a chunk of rows.</summary>
/// <typeparam name="T1">The CLR type of the first input column's values.</typeparam>
/// <typeparam name="T2">The CLR type of the second input column's values.</typeparam>
/// <typeparam name="TOut">The CLR type of the output values.</typeparam>
/// <param name="first">The first input's values. Slots of null rows hold an unspecified value.</param>
/// <param name="second">The second input's values. Slots of null rows hold an unspecified value.</param>
/// <param name="output">Where to write one value per row. Values written for rows where either input is null are
/// ignored (the output row is null).</param>
public delegate void SpanFunc<T1, T2, TOut>(ReadOnlySpan<T1> first, ReadOnlySpan<T2> second, Span<TOut> output);
