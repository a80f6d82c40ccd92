namespace DataEng.Core;

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
