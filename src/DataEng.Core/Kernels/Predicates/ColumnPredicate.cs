using System.Globalization;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>A condition on one column.</summary>
internal abstract class ColumnPredicate(string column) : RowPredicate
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
