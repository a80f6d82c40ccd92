using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// A row filter over the columns of a batch, built from column conditions combined with
/// <see cref="And"/>, <see cref="Or"/> and <see cref="Not"/> (or <c>&amp;</c>, <c>|</c>, <c>!</c>). Immutable.
/// </summary>
/// <remarks>
/// <para>Nulls follow SQL: a condition on a null value is <em>unknown</em>, <c>NOT unknown</c> is unknown,
/// <c>false AND unknown</c> is false, <c>true OR unknown</c> is true, and a filter keeps only the rows whose condition
/// is true. <see cref="PredicateColumn.IsNull"/> and <see cref="PredicateColumn.IsNotNull"/> are never unknown.</para>
/// <para>Comparisons are exact: a scalar is converted to the column's type once, and a scalar the column cannot hold
/// exactly (2.5 for an integer column, 1.005 for a decimal(10, 2)) compares as the real number it is. Strings and
/// binary compare by bytes (strings in Unicode code point order). Floating point follows IEEE 754 (NaN is not equal to
/// anything).</para>
/// <para>Supported column types: bool, int8–64, uint8–64, float, double, decimal128, string, binary, date32 and
/// timestamp. Scalars: .NET numbers for numeric columns; <see cref="bool"/>; <see cref="string"/>; <c>byte[]</c>;
/// <see cref="DateOnly"/>, <see cref="DateTime"/> or ISO 8601 text for date32; <see cref="DateTimeOffset"/>,
/// <see cref="DateTime"/>, <see cref="DateOnly"/> or ISO 8601 text for timestamps.</para>
/// </remarks>
public abstract class RowPredicate
{
    private protected RowPredicate()
    {
    }

    /// <summary>Starts a condition on one column.</summary>
    /// <param name="name">The column name.</param>
    /// <returns>The column, whose methods create predicates.</returns>
    public static PredicateColumn Column(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new PredicateColumn(name);
    }

    /// <summary>Negates a predicate (unknown stays unknown).</summary>
    /// <param name="predicate">The predicate.</param>
    /// <returns>The negation.</returns>
    public static RowPredicate Not(RowPredicate predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new NotPredicate(predicate);
    }

    /// <summary>Combines predicates that must all hold.</summary>
    /// <param name="predicates">At least one predicate.</param>
    /// <returns>The conjunction.</returns>
    public static RowPredicate All(params RowPredicate[] predicates)
    {
        ArgumentNullException.ThrowIfNull(predicates);
        ArgumentOutOfRangeException.ThrowIfZero(predicates.Length);
        return predicates.Aggregate(static (a, b) => a.And(b));
    }

    /// <summary>Combines predicates of which at least one must hold.</summary>
    /// <param name="predicates">At least one predicate.</param>
    /// <returns>The disjunction.</returns>
    public static RowPredicate Any(params RowPredicate[] predicates)
    {
        ArgumentNullException.ThrowIfNull(predicates);
        ArgumentOutOfRangeException.ThrowIfZero(predicates.Length);
        return predicates.Aggregate(static (a, b) => a.Or(b));
    }

    /// <summary>Returns a predicate that holds when both this and <paramref name="other"/> hold.</summary>
    /// <param name="other">The other predicate.</param>
    /// <returns>The conjunction.</returns>
    public RowPredicate And(RowPredicate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new AndPredicate(this, other);
    }

    /// <summary>Returns a predicate that holds when this or <paramref name="other"/> holds.</summary>
    /// <param name="other">The other predicate.</param>
    /// <returns>The disjunction.</returns>
    public RowPredicate Or(RowPredicate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new OrPredicate(this, other);
    }

    /// <summary>Same as <see cref="And"/>.</summary>
    /// <param name="left">A predicate.</param>
    /// <param name="right">Another predicate.</param>
    /// <returns>The conjunction.</returns>
    public static RowPredicate operator &(RowPredicate left, RowPredicate right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.And(right);
    }

    /// <summary>Same as <see cref="Or"/>.</summary>
    /// <param name="left">A predicate.</param>
    /// <param name="right">Another predicate.</param>
    /// <returns>The disjunction.</returns>
    public static RowPredicate operator |(RowPredicate left, RowPredicate right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.Or(right);
    }

    /// <summary>Same as <see cref="Not"/>.</summary>
    /// <param name="predicate">The predicate.</param>
    /// <returns>The negation.</returns>
    public static RowPredicate operator !(RowPredicate predicate) => Not(predicate);

    /// <summary>Same as <see cref="And"/>, for languages without operators.</summary>
    /// <param name="left">A predicate.</param>
    /// <param name="right">Another predicate.</param>
    /// <returns>The conjunction.</returns>
    public static RowPredicate BitwiseAnd(RowPredicate left, RowPredicate right) => left & right;

    /// <summary>Same as <see cref="Or"/>, for languages without operators.</summary>
    /// <param name="left">A predicate.</param>
    /// <param name="right">Another predicate.</param>
    /// <returns>The disjunction.</returns>
    public static RowPredicate BitwiseOr(RowPredicate left, RowPredicate right) => left | right;

    /// <summary>Same as <see cref="Not"/>, for languages without operators.</summary>
    /// <param name="predicate">The predicate.</param>
    /// <returns>The negation.</returns>
    public static RowPredicate LogicalNot(RowPredicate predicate) => Not(predicate);

    /// <summary>Renders the predicate readably, for stage names and messages.</summary>
    /// <returns>The text, for example <c>(amount &gt; 0 AND currency IN ('EUR', 'USD'))</c>.</returns>
    public abstract override string ToString();

    /// <summary>Adds every problem of this predicate over <paramref name="schema"/>.</summary>
    internal abstract void Validate(Schema schema, List<string> problems);

    /// <summary>Binds to a schema that passed <see cref="Validate"/>.</summary>
    internal abstract BoundPredicate Bind(Schema schema, string source);

    private sealed class AndPredicate(RowPredicate left, RowPredicate right) : RowPredicate
    {
        public override string ToString() => $"({left} AND {right})";

        internal override void Validate(Schema schema, List<string> problems)
        {
            left.Validate(schema, problems);
            right.Validate(schema, problems);
        }

        internal override BoundPredicate Bind(Schema schema, string source) => new BoundAnd(left.Bind(schema, source), right.Bind(schema, source));
    }

    private sealed class OrPredicate(RowPredicate left, RowPredicate right) : RowPredicate
    {
        public override string ToString() => $"({left} OR {right})";

        internal override void Validate(Schema schema, List<string> problems)
        {
            left.Validate(schema, problems);
            right.Validate(schema, problems);
        }

        internal override BoundPredicate Bind(Schema schema, string source) => new BoundOr(left.Bind(schema, source), right.Bind(schema, source));
    }

    private sealed class NotPredicate(RowPredicate inner) : RowPredicate
    {
        public override string ToString() => $"NOT {inner}";

        internal override void Validate(Schema schema, List<string> problems) => inner.Validate(schema, problems);

        internal override BoundPredicate Bind(Schema schema, string source) => new BoundNot(inner.Bind(schema, source));
    }
}
