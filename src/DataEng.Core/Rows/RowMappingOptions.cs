using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// Options of the mapping between CLR rows (classes, records, structs) and Arrow columns. Per-property overrides are
/// set with <see cref="ArrowColumnAttribute"/>. Mappers are built once per row type and distinct option values, and cached.
/// </summary>
public sealed class RowMappingOptions
{
    /// <summary>Gets the default options.</summary>
    internal static RowMappingOptions Default { get; } = new();

    /// <summary>Gets or sets how property names become column names.</summary>
    /// <value>The default value is <see cref="ColumnNamingConvention.AsIs"/>.</value>
    public ColumnNamingConvention NamingConvention { get; set; } = ColumnNamingConvention.AsIs;

    /// <summary>Gets or sets whether reading matches a column whose name differs from the expected one only by case
    /// (or, when no such column exists, only by case and underscores, so <c>AmountEur</c> reads <c>amount_eur</c>),
    /// when no column has exactly the expected name. The testing kit reads rows by the same rule.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CaseInsensitiveColumnMatching { get; set; } = true;

    /// <summary>Gets or sets how enums are stored.</summary>
    /// <value>The default value is <see cref="EnumMapping.String"/>.</value>
    public EnumMapping Enums { get; set; } = EnumMapping.String;

    /// <summary>Gets or sets how <see cref="Guid"/> values are stored. Reading accepts either form.</summary>
    /// <value>The default value is <see cref="GuidMapping.String"/>.</value>
    public GuidMapping Guids { get; set; } = GuidMapping.String;

    /// <summary>Gets or sets the unit of timestamp columns written for <see cref="DateTime"/> and
    /// <see cref="DateTimeOffset"/> properties. Values are truncated (towards the past) to the unit.</summary>
    /// <value>The default value is <see cref="TimeUnit.Microsecond"/>. <see cref="TimeUnit.Nanosecond"/> keeps every
    /// tick but only covers the years 1677 to 2262.</value>
    public TimeUnit TimestampUnit { get; set; } = TimeUnit.Microsecond;

    /// <summary>Gets or sets the time zone of timestamp columns written for <see cref="DateTime"/> properties.</summary>
    /// <value>The default value is <see langword="null"/>: a timestamp without time zone holding the wall-clock value
    /// (<see cref="DateTimeKind.Utc"/> and <see cref="DateTimeKind.Unspecified"/> are stored as they are; values read
    /// back have <see cref="DateTimeKind.Unspecified"/>). Set <c>"UTC"</c> to store instants: unspecified values are
    /// taken as UTC, and values read back have <see cref="DateTimeKind.Utc"/>.</value>
    public string? DateTimeTimeZone { get; set; }

    /// <summary>Gets or sets what happens to <see cref="DateTime"/> values of kind <see cref="DateTimeKind.Local"/>.</summary>
    /// <value>The default value is <see cref="LocalDateTimeHandling.Reject"/>.</value>
    public LocalDateTimeHandling LocalDateTimes { get; set; } = LocalDateTimeHandling.Reject;

    /// <summary>Gets or sets the precision (total digits) of <c>decimal128</c> columns written for <see cref="decimal"/> properties.</summary>
    /// <value>The default value is 38. Must be between 1 and 38.</value>
    public int DecimalPrecision { get; set; } = 38;

    /// <summary>Gets or sets the scale (digits after the point) of <c>decimal128</c> columns written for <see cref="decimal"/> properties.</summary>
    /// <value>The default value is 18. Must be between 0 and <see cref="DecimalPrecision"/>.</value>
    public int DecimalScale { get; set; } = 18;

    /// <summary>Gets or sets whether decimals with more fractional digits than the column's scale (or than the 28 a
    /// <see cref="decimal"/> holds, when reading) are rounded (midpoint away from zero) instead of rejected.</summary>
    /// <value>The default value is <see langword="false"/>: such values fail with a <see cref="DataFormatException"/>.</value>
    public bool RoundDecimals { get; set; }

    /// <summary>Gets or sets whether nullable reference type annotations decide nullability: a <c>string</c> property
    /// (not <c>string?</c>) in a nullable-enabled context becomes a non-nullable column, and a null in it is an error.</summary>
    /// <value>The default value is <see langword="true"/>. When <see langword="false"/>, every reference-type column is nullable.</value>
    public bool RespectNullableAnnotations { get; set; } = true;

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(NamingConvention))
        {
            problems.Add($"{nameof(NamingConvention)} has an unknown value ({(int)NamingConvention}).");
        }

        if (!Enum.IsDefined(Enums))
        {
            problems.Add($"{nameof(Enums)} has an unknown value ({(int)Enums}).");
        }

        if (!Enum.IsDefined(Guids))
        {
            problems.Add($"{nameof(Guids)} has an unknown value ({(int)Guids}).");
        }

        if (!Enum.IsDefined(TimestampUnit))
        {
            problems.Add($"{nameof(TimestampUnit)} has an unknown value ({(int)TimestampUnit}).");
        }

        if (!Enum.IsDefined(LocalDateTimes))
        {
            problems.Add($"{nameof(LocalDateTimes)} has an unknown value ({(int)LocalDateTimes}).");
        }

        if (DateTimeTimeZone is { Length: 0 })
        {
            problems.Add($"{nameof(DateTimeTimeZone)} must be null or a time zone name such as \"UTC\" (was empty).");
        }

        if (DecimalPrecision is < 1 or > 38)
        {
            problems.Add($"{nameof(DecimalPrecision)} must be between 1 and 38 (was {DecimalPrecision}).");
        }

        if (DecimalScale < 0 || DecimalScale > Math.Clamp(DecimalPrecision, 1, 38))
        {
            problems.Add($"{nameof(DecimalScale)} must be between 0 and {nameof(DecimalPrecision)} (was {DecimalScale}).");
        }

        return problems;
    }

    internal RowMappingKey ToKey()
    {
        ValidationProblems.ThrowIfAny(nameof(RowMappingOptions), Validate());
        return new RowMappingKey(NamingConvention, CaseInsensitiveColumnMatching, Enums, Guids, TimestampUnit, DateTimeTimeZone, LocalDateTimes, DecimalPrecision, DecimalScale, RoundDecimals, RespectNullableAnnotations);
    }
}

/// <summary>An immutable snapshot of <see cref="RowMappingOptions"/>, the cache key of row mappers.</summary>
internal readonly record struct RowMappingKey(
    ColumnNamingConvention NamingConvention,
    bool CaseInsensitiveColumnMatching,
    EnumMapping Enums,
    GuidMapping Guids,
    TimeUnit TimestampUnit,
    string? DateTimeTimeZone,
    LocalDateTimeHandling LocalDateTimes,
    int DecimalPrecision,
    int DecimalScale,
    bool RoundDecimals,
    bool RespectNullableAnnotations);
