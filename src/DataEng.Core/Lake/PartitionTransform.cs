namespace DataEng.Core;

/// <summary>How a partition value is derived from a source column (modelled on Iceberg's partition transforms).</summary>
public enum PartitionTransform
{
    /// <summary>The column value itself (integers, booleans, strings, dates, timestamps, floats).</summary>
    Identity,

    /// <summary>The calendar year of a date or timestamp (<c>2024</c>), an <c>int32</c> partition column.</summary>
    Year,

    /// <summary>The calendar month of a date or timestamp (<c>2024-03</c>), a string partition column.</summary>
    Month,

    /// <summary>The calendar day of a date or timestamp (<c>2024-03-31</c>), a <c>date32</c> partition column.</summary>
    Day,

    /// <summary>The hour of a timestamp (<c>2024-03-31-23</c>), a string partition column.</summary>
    Hour,

    /// <summary>Integers rounded down to a multiple of the width; strings cut to their first width characters.</summary>
    Truncate,

    /// <summary>A stable hash of the value modulo N (Iceberg's Murmur3 bucket), an <c>int32</c> partition column.</summary>
    Bucket,
}
