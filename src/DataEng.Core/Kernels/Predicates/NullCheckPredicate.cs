namespace DataEng.Core;

internal sealed class NullCheckPredicate(string column, bool wantNull) : ColumnPredicate(column)
{
    public override string ToString() => $"{ColumnName} IS {(wantNull ? "" : "NOT ")}NULL";

    protected override void ValidateType(Apache.Arrow.Types.IArrowType type, List<string> problems)
    {
    }

    protected override BoundPredicate Bind(int column, Apache.Arrow.Types.IArrowType type, string source) => new BoundNullCheck(column, wantNull);
}
