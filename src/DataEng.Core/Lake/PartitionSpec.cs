using System.Globalization;

namespace DataEng.Core;

/// <summary>
/// One level of a Hive-partitioned layout: the folder <c>name=value</c> whose value is derived from a source column by
/// a <see cref="PartitionTransform"/>. Levels nest in the order they are listed in
/// <see cref="LakeWriteOptions.PartitionBy"/>.
/// </summary>
/// <remarks>
/// Time transforms work on the instant in UTC unless a time zone is given; the local calendar date or hour is then
/// computed with that zone's offset at each instant, so daylight-saving changes land rows in the right day and hour.
/// Timestamps without a time zone in their Arrow type are taken as UTC instants. The zone is recorded in the manifest.
/// </remarks>
public sealed class PartitionSpec : IEquatable<PartitionSpec>
{
    private PartitionSpec(string sourceColumn, string name, PartitionTransform transform, int parameter, TimeZoneInfo? timeZone)
    {
        SourceColumn = sourceColumn;
        Name = name;
        Transform = transform;
        Parameter = parameter;
        TimeZone = timeZone;
    }

    /// <summary>Gets the column the value is derived from.</summary>
    public string SourceColumn { get; }

    /// <summary>Gets the partition column name: the folder key, and the column readers rebuild.</summary>
    public string Name { get; }

    /// <summary>Gets the transform.</summary>
    public PartitionTransform Transform { get; }

    /// <summary>Gets the width of <see cref="PartitionTransform.Truncate"/> or the bucket count of
    /// <see cref="PartitionTransform.Bucket"/>; 0 for other transforms.</summary>
    public int Parameter { get; }

    /// <summary>Gets the time zone of a time transform, or <see langword="null"/> for UTC.</summary>
    public TimeZoneInfo? TimeZone { get; }

    /// <summary>Partitions by the value of a column (<c>column=value</c>).</summary>
    /// <param name="column">The column.</param>
    /// <returns>The spec.</returns>
    public static PartitionSpec Identity(string column) => Create(column, column, PartitionTransform.Identity, 0, null);

    /// <summary>Partitions by the year of a date or timestamp column (folder <c>{column}_year=2024</c>).</summary>
    /// <param name="column">The column.</param>
    /// <param name="timeZone">The zone whose calendar is used, or <see langword="null"/> for UTC.</param>
    /// <returns>The spec.</returns>
    public static PartitionSpec Year(string column, TimeZoneInfo? timeZone = null) => Create(column, column + "_year", PartitionTransform.Year, 0, timeZone);

    /// <summary>Partitions by the month of a date or timestamp column (folder <c>{column}_month=2024-03</c>).</summary>
    /// <param name="column">The column.</param>
    /// <param name="timeZone">The zone whose calendar is used, or <see langword="null"/> for UTC.</param>
    /// <returns>The spec.</returns>
    public static PartitionSpec Month(string column, TimeZoneInfo? timeZone = null) => Create(column, column + "_month", PartitionTransform.Month, 0, timeZone);

    /// <summary>Partitions by the day of a date or timestamp column (folder <c>{column}_day=2024-03-31</c>).</summary>
    /// <param name="column">The column.</param>
    /// <param name="timeZone">The zone whose calendar is used, or <see langword="null"/> for UTC.</param>
    /// <returns>The spec.</returns>
    public static PartitionSpec Day(string column, TimeZoneInfo? timeZone = null) => Create(column, column + "_day", PartitionTransform.Day, 0, timeZone);

    /// <summary>Partitions by the hour of a timestamp column (folder <c>{column}_hour=2024-03-31-23</c>).</summary>
    /// <param name="column">The column.</param>
    /// <param name="timeZone">The zone whose clock is used, or <see langword="null"/> for UTC.</param>
    /// <returns>The spec.</returns>
    public static PartitionSpec Hour(string column, TimeZoneInfo? timeZone = null) => Create(column, column + "_hour", PartitionTransform.Hour, 0, timeZone);

    /// <summary>Partitions integers by <c>v - (v mod width)</c> and strings by their first <paramref name="width"/>
    /// characters (unicode code points) (folder <c>{column}_trunc=…</c>).</summary>
    /// <param name="column">The column.</param>
    /// <param name="width">The width, at least 1.</param>
    /// <returns>The spec.</returns>
    public static PartitionSpec Truncate(string column, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return Create(column, column + "_trunc", PartitionTransform.Truncate, width, null);
    }

    /// <summary>Partitions by <c>(murmur3(v) &amp; int.MaxValue) % count</c>, as Iceberg does
    /// (folder <c>{column}_bucket=0…count-1</c>).</summary>
    /// <param name="column">The column (integers, strings, binary, dates, timestamps).</param>
    /// <param name="count">The bucket count, at least 1.</param>
    /// <returns>The spec.</returns>
    public static PartitionSpec Bucket(string column, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return Create(column, column + "_bucket", PartitionTransform.Bucket, count, null);
    }

    /// <summary>Returns the same spec with another partition column name (for example <c>Day("ts").As("dt")</c>).</summary>
    /// <param name="name">The partition column name.</param>
    /// <returns>A new spec.</returns>
    public PartitionSpec As(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new PartitionSpec(SourceColumn, name, Transform, Parameter, TimeZone);
    }

    /// <inheritdoc />
    public bool Equals(PartitionSpec? other)
        => other is not null
            && SourceColumn == other.SourceColumn
            && Name == other.Name
            && Transform == other.Transform
            && Parameter == other.Parameter
            && string.Equals(TimeZone?.Id, other.TimeZone?.Id, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PartitionSpec);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(SourceColumn, Name, Transform, Parameter);

    /// <summary>Describes the spec, for example <c>dt = day(ts, Europe/Berlin)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var args = SourceColumn;
        if (Parameter != 0)
        {
            args += ", " + Parameter.ToString(CultureInfo.InvariantCulture);
        }

        if (TimeZone is not null)
        {
            args += ", " + TimeZone.Id;
        }

        return Transform == PartitionTransform.Identity && Name == SourceColumn
            ? Name
            : $"{Name} = {Transform.ToString().ToLowerInvariant()}({args})";
    }

    internal static PartitionSpec Create(string column, string name, PartitionTransform transform, int parameter, TimeZoneInfo? timeZone)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (timeZone is not null && timeZone.Id == TimeZoneInfo.Utc.Id)
        {
            timeZone = null;
        }

        return new PartitionSpec(column, name, transform, parameter, timeZone);
    }
}
