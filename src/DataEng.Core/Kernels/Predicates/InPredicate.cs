namespace DataEng.Core;

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
