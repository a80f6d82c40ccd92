using System.Globalization;
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
public abstract class Predicate
{
    private protected Predicate()
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
    public static Predicate Not(Predicate predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new NotPredicate(predicate);
    }

    /// <summary>Combines predicates that must all hold.</summary>
    /// <param name="predicates">At least one predicate.</param>
    /// <returns>The conjunction.</returns>
    public static Predicate All(params Predicate[] predicates)
    {
        ArgumentNullException.ThrowIfNull(predicates);
        ArgumentOutOfRangeException.ThrowIfZero(predicates.Length);
        return predicates.Aggregate(static (a, b) => a.And(b));
    }

    /// <summary>Combines predicates of which at least one must hold.</summary>
    /// <param name="predicates">At least one predicate.</param>
    /// <returns>The disjunction.</returns>
    public static Predicate Any(params Predicate[] predicates)
    {
        ArgumentNullException.ThrowIfNull(predicates);
        ArgumentOutOfRangeException.ThrowIfZero(predicates.Length);
        return predicates.Aggregate(static (a, b) => a.Or(b));
    }

    /// <summary>Returns a predicate that holds when both this and <paramref name="other"/> hold.</summary>
    /// <param name="other">The other predicate.</param>
    /// <returns>The conjunction.</returns>
    public Predicate And(Predicate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new AndPredicate(this, other);
    }

    /// <summary>Returns a predicate that holds when this or <paramref name="other"/> holds.</summary>
    /// <param name="other">The other predicate.</param>
    /// <returns>The disjunction.</returns>
    public Predicate Or(Predicate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new OrPredicate(this, other);
    }

    /// <summary>Same as <see cref="And"/>.</summary>
    /// <param name="left">A predicate.</param>
    /// <param name="right">Another predicate.</param>
    /// <returns>The conjunction.</returns>
    public static Predicate operator &(Predicate left, Predicate right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.And(right);
    }

    /// <summary>Same as <see cref="Or"/>.</summary>
    /// <param name="left">A predicate.</param>
    /// <param name="right">Another predicate.</param>
    /// <returns>The disjunction.</returns>
    public static Predicate operator |(Predicate left, Predicate right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.Or(right);
    }

    /// <summary>Same as <see cref="Not"/>.</summary>
    /// <param name="predicate">The predicate.</param>
    /// <returns>The negation.</returns>
    public static Predicate operator !(Predicate predicate) => Not(predicate);

    /// <summary>Same as <see cref="And"/>, for languages without operators.</summary>
    /// <param name="left">A predicate.</param>
    /// <param name="right">Another predicate.</param>
    /// <returns>The conjunction.</returns>
    public static Predicate BitwiseAnd(Predicate left, Predicate right) => left & right;

    /// <summary>Same as <see cref="Or"/>, for languages without operators.</summary>
    /// <param name="left">A predicate.</param>
    /// <param name="right">Another predicate.</param>
    /// <returns>The disjunction.</returns>
    public static Predicate BitwiseOr(Predicate left, Predicate right) => left | right;

    /// <summary>Same as <see cref="Not"/>, for languages without operators.</summary>
    /// <param name="predicate">The predicate.</param>
    /// <returns>The negation.</returns>
    public static Predicate LogicalNot(Predicate predicate) => Not(predicate);

    /// <summary>Renders the predicate readably, for stage names and messages.</summary>
    /// <returns>The text, for example <c>(amount &gt; 0 AND currency IN ('EUR', 'USD'))</c>.</returns>
    public abstract override string ToString();

    /// <summary>Adds every problem of this predicate over <paramref name="schema"/>.</summary>
    internal abstract void Validate(Schema schema, List<string> problems);

    /// <summary>Binds to a schema that passed <see cref="Validate"/>.</summary>
    internal abstract BoundPredicate Bind(Schema schema, string source);

    private sealed class AndPredicate(Predicate left, Predicate right) : Predicate
    {
        public override string ToString() => $"({left} AND {right})";

        internal override void Validate(Schema schema, List<string> problems)
        {
            left.Validate(schema, problems);
            right.Validate(schema, problems);
        }

        internal override BoundPredicate Bind(Schema schema, string source) => new BoundAnd(left.Bind(schema, source), right.Bind(schema, source));
    }

    private sealed class OrPredicate(Predicate left, Predicate right) : Predicate
    {
        public override string ToString() => $"({left} OR {right})";

        internal override void Validate(Schema schema, List<string> problems)
        {
            left.Validate(schema, problems);
            right.Validate(schema, problems);
        }

        internal override BoundPredicate Bind(Schema schema, string source) => new BoundOr(left.Bind(schema, source), right.Bind(schema, source));
    }

    private sealed class NotPredicate(Predicate inner) : Predicate
    {
        public override string ToString() => $"NOT {inner}";

        internal override void Validate(Schema schema, List<string> problems) => inner.Validate(schema, problems);

        internal override BoundPredicate Bind(Schema schema, string source) => new BoundNot(inner.Bind(schema, source));
    }
}

/// <summary>A column in a <see cref="Predicate"/>: its methods create conditions on the column's values.</summary>
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
    public Predicate IsNull() => new NullCheckPredicate(Name, wantNull: true);

    /// <summary>Holds for non-null values.</summary>
    /// <returns>The predicate.</returns>
    public Predicate IsNotNull() => new NullCheckPredicate(Name, wantNull: false);

    /// <summary>Holds where the value equals <paramref name="value"/>.</summary>
    /// <typeparam name="T">The scalar's type (see <see cref="Predicate"/> for what each column type accepts).</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public Predicate EqualTo<T>(T value) => Compare(ComparisonOperator.Equal, value);

    /// <summary>Holds where the value differs from <paramref name="value"/> (nulls are unknown, not different).</summary>
    /// <typeparam name="T">The scalar's type.</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public Predicate NotEqualTo<T>(T value) => Compare(ComparisonOperator.NotEqual, value);

    /// <summary>Holds where the value is less than <paramref name="value"/>.</summary>
    /// <typeparam name="T">The scalar's type.</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public Predicate LessThan<T>(T value) => Compare(ComparisonOperator.LessThan, value);

    /// <summary>Holds where the value is less than or equal to <paramref name="value"/>.</summary>
    /// <typeparam name="T">The scalar's type.</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public Predicate LessThanOrEqualTo<T>(T value) => Compare(ComparisonOperator.LessThanOrEqual, value);

    /// <summary>Holds where the value is greater than <paramref name="value"/>.</summary>
    /// <typeparam name="T">The scalar's type.</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public Predicate GreaterThan<T>(T value) => Compare(ComparisonOperator.GreaterThan, value);

    /// <summary>Holds where the value is greater than or equal to <paramref name="value"/>.</summary>
    /// <typeparam name="T">The scalar's type.</typeparam>
    /// <param name="value">The scalar.</param>
    /// <returns>The predicate.</returns>
    public Predicate GreaterThanOrEqualTo<T>(T value) => Compare(ComparisonOperator.GreaterThanOrEqual, value);

    /// <summary>Holds where the value equals one of <paramref name="values"/>.</summary>
    /// <typeparam name="T">The scalars' type.</typeparam>
    /// <param name="values">The set (null members are ignored: use <see cref="IsNull"/>).</param>
    /// <returns>The predicate.</returns>
    public Predicate In<T>(params T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new InPredicate(Name, [.. values.Where(static v => v is not null).Select(static v => (object)v!)]);
    }

    /// <summary>Holds where the value equals one of <paramref name="values"/>.</summary>
    /// <typeparam name="T">The scalars' type.</typeparam>
    /// <param name="values">The set (null members are ignored: use <see cref="IsNull"/>).</param>
    /// <returns>The predicate.</returns>
    public Predicate In<T>(IReadOnlyCollection<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new InPredicate(Name, [.. values.Where(static v => v is not null).Select(static v => (object)v!)]);
    }

    /// <summary>Holds where <paramref name="predicate"/> returns true for the (non-null) value.</summary>
    /// <typeparam name="T">The CLR type the values are read as (see <see cref="DataTypes"/>); strings and byte arrays
    /// are created per row, prefer <see cref="WhereUtf8"/> for those.</typeparam>
    /// <param name="predicate">The test, called once per non-null row.</param>
    /// <returns>The predicate.</returns>
    public Predicate Where<T>(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new RowLambdaPredicate<T>(Name, predicate);
    }

    /// <summary>Holds where <paramref name="predicate"/> sets the row's result (vectorised: called per chunk of rows).</summary>
    /// <typeparam name="T">The CLR type the values are read as: numbers are handed over straight from the Arrow
    /// buffer when the type matches the column; other types are converted chunk by chunk.</typeparam>
    /// <param name="predicate">The test.</param>
    /// <returns>The predicate.</returns>
    public Predicate Where<T>(SpanPredicate<T> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new SpanLambdaPredicate<T>(Name, predicate);
    }

    /// <summary>Holds where <paramref name="predicate"/> returns true for the UTF-8 bytes of the (non-null) string or
    /// binary value, without creating strings.</summary>
    /// <param name="predicate">The test.</param>
    /// <returns>The predicate.</returns>
    public Predicate WhereUtf8(Utf8Predicate predicate)
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

/// <summary>Comparison operators.</summary>
internal enum ComparisonOperator
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    AlwaysTrue,
    AlwaysFalse,
}

/// <summary>A condition on one column.</summary>
internal abstract class ColumnPredicate(string column) : Predicate
{
    public string ColumnName { get; } = column;

    internal override void Validate(Schema schema, List<string> problems)
    {
        var index = ColumnLookup.Find(schema, ColumnName, problems);
        if (index >= 0)
        {
            ValidateType(schema.FieldsList[index].DataType, problems);
        }
    }

    internal override BoundPredicate Bind(Schema schema, string source)
    {
        var index = ColumnLookup.Require(schema, ColumnName);
        return Bind(index, schema.FieldsList[index].DataType, source);
    }

    protected abstract void ValidateType(Apache.Arrow.Types.IArrowType type, List<string> problems);

    protected abstract BoundPredicate Bind(int column, Apache.Arrow.Types.IArrowType type, string source);

    protected static string Literal(object value) => value switch
    {
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        byte[] b => "0x" + Convert.ToHexString(b),
        bool b => b ? "true" : "false",
        DateOnly d => "'" + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "'",
        DateTime d => "'" + d.ToString("O", CultureInfo.InvariantCulture) + "'",
        DateTimeOffset d => "'" + d.ToString("O", CultureInfo.InvariantCulture) + "'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

internal sealed class NullCheckPredicate(string column, bool wantNull) : ColumnPredicate(column)
{
    public override string ToString() => $"{ColumnName} IS {(wantNull ? "" : "NOT ")}NULL";

    protected override void ValidateType(Apache.Arrow.Types.IArrowType type, List<string> problems)
    {
    }

    protected override BoundPredicate Bind(int column, Apache.Arrow.Types.IArrowType type, string source) => new BoundNullCheck(column, wantNull);
}

internal sealed class ComparisonPredicate(string column, ComparisonOperator op, object value) : ColumnPredicate(column)
{
    public override string ToString() => $"{ColumnName} {Symbol(op)} {Literal(value)}";

    protected override void ValidateType(Apache.Arrow.Types.IArrowType type, List<string> problems)
    {
        if (!KernelTypes.IsValueSupported(type))
        {
            problems.Add(KernelTypes.ValueUnsupported(ColumnName, type, "comparison"));
        }
        else if (ScalarConversion.Check(type, value) is { } problem)
        {
            problems.Add($"column '{ColumnName}' ({SchemaText.Describe(type)}): {problem}");
        }
    }

    protected override BoundPredicate Bind(int column, Apache.Arrow.Types.IArrowType type, string source) => BoundComparisons.Create(column, type, op, value);

    private static string Symbol(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "<>",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.GreaterThan => ">",
        _ => ">=",
    };
}

internal sealed class InPredicate(string column, object[] values) : ColumnPredicate(column)
{
    public override string ToString() => $"{ColumnName} IN ({string.Join(", ", values.Select(Literal))})";

    protected override void ValidateType(Apache.Arrow.Types.IArrowType type, List<string> problems)
    {
        if (!KernelTypes.IsValueSupported(type))
        {
            problems.Add(KernelTypes.ValueUnsupported(ColumnName, type, "IN"));
            return;
        }

        foreach (var value in values)
        {
            if (ScalarConversion.Check(type, value) is { } problem)
            {
                problems.Add($"column '{ColumnName}' ({SchemaText.Describe(type)}): {problem}");
                return;
            }
        }
    }

    protected override BoundPredicate Bind(int column, Apache.Arrow.Types.IArrowType type, string source) => BoundComparisons.CreateIn(column, type, values);
}

internal sealed class RowLambdaPredicate<T>(string column, Func<T, bool> predicate) : ColumnPredicate(column)
{
    public override string ToString() => $"{ColumnName} matches ({ClrTypes.Describe(typeof(T))} => bool)";

    protected override void ValidateType(Apache.Arrow.Types.IArrowType type, List<string> problems)
    {
        if (!ClrTypes.CanRead(type, typeof(T)))
        {
            problems.Add($"column '{ColumnName}' has type {SchemaText.Describe(type)} and cannot be read as {ClrTypes.Describe(typeof(T))} (it can be read as {ClrTypes.ReadableAs(type)})");
        }
    }

    protected override BoundPredicate Bind(int column, Apache.Arrow.Types.IArrowType type, string source)
        => new BoundRowLambda<T>(column, ValueReaders.Factory<T>(type, source, ColumnName), predicate);
}

internal sealed class SpanLambdaPredicate<T>(string column, SpanPredicate<T> predicate) : ColumnPredicate(column)
{
    public override string ToString() => $"{ColumnName} matches (span of {ClrTypes.Describe(typeof(T))})";

    protected override void ValidateType(Apache.Arrow.Types.IArrowType type, List<string> problems)
    {
        if (!ClrTypes.CanRead(type, typeof(T)))
        {
            problems.Add($"column '{ColumnName}' has type {SchemaText.Describe(type)} and cannot be read as {ClrTypes.Describe(typeof(T))} (it can be read as {ClrTypes.ReadableAs(type)})");
        }
    }

    protected override BoundPredicate Bind(int column, Apache.Arrow.Types.IArrowType type, string source)
        => new BoundSpanLambda<T>(column, ValueReaders.Factory<T>(type, source, ColumnName), predicate);
}

internal sealed class Utf8LambdaPredicate(string column, Utf8Predicate predicate) : ColumnPredicate(column)
{
    public override string ToString() => $"{ColumnName} matches (utf8 => bool)";

    protected override void ValidateType(Apache.Arrow.Types.IArrowType type, List<string> problems)
    {
        if (type.TypeId is not (Apache.Arrow.Types.ArrowTypeId.String or Apache.Arrow.Types.ArrowTypeId.Binary))
        {
            problems.Add($"column '{ColumnName}' has type {SchemaText.Describe(type)}; a UTF-8 predicate needs a string or binary column");
        }
    }

    protected override BoundPredicate Bind(int column, Apache.Arrow.Types.IArrowType type, string source) => new BoundUtf8Lambda(column, predicate);
}
