namespace DataEng.Core;

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
