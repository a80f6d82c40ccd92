namespace DataEng.Core;

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
