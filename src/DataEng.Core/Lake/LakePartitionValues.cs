using Apache.Arrow;

namespace DataEng.Core.Tables;

/// <summary>
/// The partition values of one partition folder, given to <see cref="LakeReadOptions.PartitionFilter"/>. Values are
/// typed by the partition column: <see cref="int"/>, <see cref="long"/> and the other integer types,
/// <see cref="bool"/>, <see cref="float"/>, <see cref="double"/>, <see cref="string"/>, <see cref="DateOnly"/> for dates
/// and <see cref="DateTime"/> (UTC) for timestamps; <see langword="null"/> for null.
/// </summary>
public readonly struct LakePartitionValues : IEquatable<LakePartitionValues>
{
    private readonly IReadOnlyList<Field> _fields;
    private readonly object?[] _values;
    private readonly string?[] _texts;

    internal LakePartitionValues(IReadOnlyList<Field> fields, object?[] values, string?[] texts)
    {
        _fields = fields;
        _values = values;
        _texts = texts;
    }

    /// <summary>Gets the number of partition levels.</summary>
    public int Count => _values?.Length ?? 0;

    /// <summary>Gets the partition column names, outermost first.</summary>
    public IReadOnlyList<string> Names => _fields?.Select(static f => f.Name).ToList() ?? [];

    /// <summary>Gets the typed value of a partition column.</summary>
    /// <param name="name">The partition column name.</param>
    /// <returns>The value, or <see langword="null"/> for null.</returns>
    /// <exception cref="KeyNotFoundException">There is no such partition column.</exception>
    public object? this[string name] => _values[IndexOf(name)];

    /// <summary>Gets the value of a partition column as text (decoded from the folder name).</summary>
    /// <param name="name">The partition column name.</param>
    /// <returns>The text, or <see langword="null"/> for null.</returns>
    /// <exception cref="KeyNotFoundException">There is no such partition column.</exception>
    public string? GetText(string name) => _texts[IndexOf(name)];

    /// <summary>Gets the value of a partition column when it exists.</summary>
    /// <param name="name">The partition column name.</param>
    /// <param name="value">The typed value, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the column exists.</returns>
    public bool TryGetValue(string name, out object? value)
    {
        for (var i = 0; i < Count; i++)
        {
            if (_fields[i].Name == name)
            {
                value = _values[i];
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public bool Equals(LakePartitionValues other) => ReferenceEquals(_values, other._values);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is LakePartitionValues other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _values?.GetHashCode() ?? 0;

    /// <summary>Describes the values, for example <c>dt=2024-03-01/region=eu</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var fields = _fields;
        var texts = _texts;
        return Count == 0 ? "(unpartitioned)" : string.Join('/', Enumerable.Range(0, Count).Select(i => fields[i].Name + "=" + (texts[i] ?? "null")));
    }

    /// <summary>Compares two values for equality.</summary>
    /// <param name="left">A value.</param>
    /// <param name="right">Another value.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(LakePartitionValues left, LakePartitionValues right) => left.Equals(right);

    /// <summary>Compares two values for inequality.</summary>
    /// <param name="left">A value.</param>
    /// <param name="right">Another value.</param>
    /// <returns><see langword="true"/> when not equal.</returns>
    public static bool operator !=(LakePartitionValues left, LakePartitionValues right) => !left.Equals(right);

    private int IndexOf(string name)
    {
        for (var i = 0; i < Count; i++)
        {
            if (_fields[i].Name == name)
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"'{name}' is not a partition column (partition columns: {string.Join(", ", Names)}).");
    }
}
