using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// Sets how one property maps to an Arrow column: its name, position and type parameters. On a positional record the
/// attribute may be put on the constructor parameter (<c>record Order([ArrowColumn("order_id")] long Id)</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class ArrowColumnAttribute : Attribute
{
    private int _precision;
    private int _scale;
    private TimeUnit _unit;

    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The column name, or <see langword="null"/> to apply the naming convention to the property name.</param>
    public ArrowColumnAttribute(string? name = null)
    {
        Name = name;
    }

    /// <summary>Gets the column name, or <see langword="null"/> to apply the naming convention to the property name.
    /// An explicit name is used as written (no naming convention).</summary>
    public string? Name { get; }

    /// <summary>Gets or sets the position of the column: columns are sorted by order, then by declaration order
    /// (base class properties first).</summary>
    /// <value>The default value is 0.</value>
    public int Order { get; set; }

    /// <summary>Gets or sets the precision of a <see cref="decimal"/> property's <c>decimal128</c> column (1 to 38).</summary>
    /// <value>The default value is <see cref="RowMappingOptions.DecimalPrecision"/>.</value>
    public int Precision
    {
        get => _precision;
        set
        {
            _precision = value;
            HasPrecision = true;
        }
    }

    /// <summary>Gets or sets the scale of a <see cref="decimal"/> property's <c>decimal128</c> column (0 to the precision).</summary>
    /// <value>The default value is <see cref="RowMappingOptions.DecimalScale"/>.</value>
    public int Scale
    {
        get => _scale;
        set
        {
            _scale = value;
            HasScale = true;
        }
    }

    /// <summary>Gets or sets the unit of a <see cref="DateTime"/> or <see cref="DateTimeOffset"/> property's timestamp
    /// column, or of a <see cref="TimeOnly"/> property's <c>time64</c> column (microseconds or nanoseconds).</summary>
    /// <value>The default value is <see cref="RowMappingOptions.TimestampUnit"/> (microseconds for <see cref="TimeOnly"/>).</value>
    public TimeUnit TimestampUnit
    {
        get => _unit;
        set
        {
            _unit = value;
            HasTimestampUnit = true;
        }
    }

    /// <summary>Gets or sets the time zone of a <see cref="DateTime"/> or <see cref="DateTimeOffset"/> property's
    /// timestamp column. For <see cref="DateTime"/>, a time zone makes the column hold instants (see
    /// <see cref="RowMappingOptions.DateTimeTimeZone"/>).</summary>
    /// <value>The default value is <see cref="RowMappingOptions.DateTimeTimeZone"/> for <see cref="DateTime"/> and
    /// <c>"UTC"</c> for <see cref="DateTimeOffset"/>.</value>
    public string? TimeZone { get; set; }

    internal bool HasPrecision { get; private set; }

    internal bool HasScale { get; private set; }

    internal bool HasTimestampUnit { get; private set; }
}
