namespace DataEng.Core;

/// <summary>Options of a cast (see <see cref="BatchKernels.Cast(Apache.Arrow.IArrowArray, Apache.Arrow.Types.IArrowType, CastOptions?, Apache.Arrow.Memory.MemoryAllocator?, string?)"/>).</summary>
public sealed class CastOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether casts may drop precision instead of failing: a fractional part when
    /// casting to an integer, digits beyond a decimal's scale, sub-unit time when changing to a coarser timestamp unit,
    /// the time of day when casting a timestamp to a date. Dropped digits are truncated toward zero (numbers) or
    /// rounded down (times).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: any loss of precision is a <see cref="DataFormatException"/>.</value>
    public bool AllowTruncation { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a value that cannot be cast (bad text, out of range, or precision
    /// loss when not allowed) becomes null instead of failing the batch (SQL <c>TRY_CAST</c>).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: such values throw <see cref="DataFormatException"/>.</value>
    public bool InvalidToNull { get; set; }

    internal static CastOptions Default { get; } = new();
}
