using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Parquet;
using Parquet.Meta;

namespace DataEng.Core;

/// <summary>
/// Reaches the footer (<see cref="FileMetaData"/>) a <see cref="ParquetWriter"/> is building, so logical type
/// annotations Parquet.Net cannot express for raw values (INT64 timestamps of any unit, INT32/INT64 decimals, DATE on
/// raw days) can be set before the footer is written.
/// </summary>
/// <remarks>
/// Parquet.Net 6.1 keeps the footer in the private fields <c>ParquetWriter._footer</c> (a <c>ThriftFooter</c>) and
/// <c>ThriftFooter._fileMeta</c>. The lookup is checked once; if a future Parquet.Net renames them the writer fails
/// at creation with a clear message instead of writing wrong types (tests cover it).
/// </remarks>
internal static class ParquetFooterAccess
{
    private static readonly FieldInfo? WriterFooter = typeof(ParquetWriter).GetField("_footer", BindingFlags.Instance | BindingFlags.NonPublic);
    private static readonly FieldInfo? FooterMeta = WriterFooter?.FieldType.GetField("_fileMeta", BindingFlags.Instance | BindingFlags.NonPublic);

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Parquet.Net is referenced, not trimmed.")]
    public static FileMetaData GetFileMetaData(ParquetWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var footer = WriterFooter?.GetValue(writer);
        if (footer is null || FooterMeta?.GetValue(footer) is not FileMetaData meta || meta.Schema is null)
        {
            throw new InvalidOperationException($"This version of Parquet.Net ({Globals.Version}) does not expose its footer as expected (built against 6.1.0); timestamp, date and decimal columns cannot be annotated.");
        }

        return meta;
    }
}
