namespace DataEng.Core;

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
