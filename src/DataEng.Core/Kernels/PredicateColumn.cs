namespace DataEng.Core;

/// <summary>A column in a <see cref="RowPredicate"/>: its methods create conditions on the column's values.</summary>
public sealed class PredicateColumn
{
    internal PredicateColumn(string name)
    {
        Name = name;
    }

    /// <summary>Gets the column name.</summary>
    public string Name { get; }

    /// <summary>Holds for null values.</summary>
    /// <returns>The predicate.</returns>
    public RowPredicate IsNull() => new NullCheckPredicate(Name, wantNull: true);

    /// <summary>Holds for non-null values.</summary>
    /// <returns>The predicate.</returns>
    public RowPredicate IsNotNull() => new NullCheckPredicate(Name, wantNull: false);

    /// <summary>Holds where the value equals <paramref name="value"/>.</summary>
    /// <typeparam name="T">The scalar's type (see <see cref="RowPredicate"/> for what each column type accepts).</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public RowPredicate EqualTo<T>(T value) => Compare(ComparisonOperator.Equal, value);

    /// <summary>Holds where the value differs from <paramref name="value"/> (nulls are unknown, not different).</summary>
    /// <typeparam name="T">The scalar's type.</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public RowPredicate NotEqualTo<T>(T value) => Compare(ComparisonOperator.NotEqual, value);

    /// <summary>Holds where the value is less than <paramref name="value"/>.</summary>
    /// <typeparam name="T">The scalar's type.</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public RowPredicate LessThan<T>(T value) => Compare(ComparisonOperator.LessThan, value);

    /// <summary>Holds where the value is less than or equal to <paramref name="value"/>.</summary>
    /// <typeparam name="T">The scalar's type.</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public RowPredicate LessThanOrEqualTo<T>(T value) => Compare(ComparisonOperator.LessThanOrEqual, value);

    /// <summary>Holds where the value is greater than <paramref name="value"/>.</summary>
    /// <typeparam name="T">The scalar's type.</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public RowPredicate GreaterThan<T>(T value) => Compare(ComparisonOperator.GreaterThan, value);

    /// <summary>Holds where the value is greater than or equal to <paramref name="value"/>.</summary>
    /// <typeparam name="T">The scalar's type.</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public RowPredicate GreaterThanOrEqualTo<T>(T value) => Compare(ComparisonOperator.GreaterThanOrEqual, value);

    /// <summary>Holds where the value equals one of <paramref name="values"/>.</summary>
    /// <typeparam name="T">The scalars' type.</typeparam>
    /// <param name="values">The set (null members are ignored: use <see cref="IsNull"/>).</param>
    /// <returns>The predicate.</returns>
    public RowPredicate In<T>(params T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new InPredicate(Name, [.. values.Where(static v => v is not null).Select(static v => (object)v!)]);
    }

    /// <summary>Holds where the value equals one of <paramref name="values"/>.</summary>
    /// <typeparam name="T">The scalars' type.</typeparam>
    /// <param name="values">The set (null members are ignored: use <see cref="IsNull"/>).</param>
    /// <returns>The predicate.</returns>
    public RowPredicate In<T>(IReadOnlyCollection<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new InPredicate(Name, [.. values.Where(static v => v is not null).Select(static v => (object)v!)]);
    }

    /// <summary>Holds where <paramref name="predicate"/> returns true for the (non-null) value.</summary>
    /// <typeparam name="T">The CLR type the values are read as (see <see cref="DataTypes"/>); strings and byte arrays
    /// are created per row, prefer <see cref="WhereUtf8"/> for those.</typeparam>
    /// <param name="predicate">The test, called once per non-null row.</param>
    /// <returns>The predicate.</returns>
    public RowPredicate Where<T>(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new RowLambdaPredicate<T>(Name, predicate);
    }

    /// <summary>Holds where <paramref name="predicate"/> sets the row's result (vectorised: called per chunk of rows).</summary>
    /// <typeparam name="T">The CLR type the values are read as: numbers are handed over straight from the Arrow
    /// buffer when the type matches the column; other types are converted chunk by chunk.</typeparam>
    /// <param name="predicate">The test.</param>
    /// <returns>The predicate.</returns>
    public RowPredicate Where<T>(SpanPredicate<T> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new SpanLambdaPredicate<T>(Name, predicate);
    }

    /// <summary>Holds where <paramref name="predicate"/> returns true for the UTF-8 bytes of the (non-null) string or
    /// binary value, without creating strings.</summary>
    /// <param name="predicate">The test.</param>
    /// <returns>The predicate.</returns>
    public RowPredicate WhereUtf8(Utf8Predicate predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new Utf8LambdaPredicate(Name, predicate);
    }

    /// <summary>Returns the column name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    private ComparisonPredicate Compare<T>(ComparisonOperator op, T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new ComparisonPredicate(Name, op, value);
    }
}
