namespace DataEng.Core;

/// <summary>How enum properties are stored.</summary>
public enum EnumMapping
{
    /// <summary>As the member name in a <c>string</c> column (values that are not a single defined member are written
    /// with <see cref="Enum.ToString()"/>, for example <c>"Read, Write"</c> for flags).</summary>
    String,

    /// <summary>As the underlying integer in a column of the matching width (<c>int</c> enums become <c>int32</c>).</summary>
    Integer,
}
