using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.Diagnostics;

/// <summary>Compares Arrow schemas by field names, types (with units, time zones, precision) and nullability.</summary>
public static class SchemaComparer
{
    /// <summary>Returns whether two schemas have the same fields in the same order with the same types.</summary>
    /// <param name="left">A schema.</param>
    /// <param name="right">Another schema.</param>
    /// <param name="compareNullability">Whether nullability must match too.</param>
    /// <returns><see langword="true"/> when equivalent.</returns>
    public static bool Equivalent(Schema left, Schema right, bool compareNullability = false)
        => Differences(left, right, compareNullability).Count == 0;

    /// <summary>Lists every difference between two schemas, one readable line each.</summary>
    /// <param name="expected">The expected schema.</param>
    /// <param name="actual">The actual schema.</param>
    /// <param name="compareNullability">Whether nullability must match too.</param>
    /// <returns>The differences; empty when equivalent.</returns>
    public static IReadOnlyList<string> Differences(Schema expected, Schema actual, bool compareNullability = false)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (ReferenceEquals(expected, actual))
        {
            return [];
        }

        var problems = new List<string>();
        var count = Math.Max(expected.FieldsList.Count, actual.FieldsList.Count);
        for (var i = 0; i < count; i++)
        {
            var e = i < expected.FieldsList.Count ? expected.FieldsList[i] : null;
            var a = i < actual.FieldsList.Count ? actual.FieldsList[i] : null;
            if (e is null)
            {
                problems.Add($"column {i} '{a!.Name}' ({SchemaText.Describe(a.DataType)}) is not expected");
            }
            else if (a is null)
            {
                problems.Add($"column {i} '{e.Name}' ({SchemaText.Describe(e.DataType)}) is missing");
            }
            else
            {
                if (e.Name != a.Name)
                {
                    problems.Add($"column {i} is named '{a.Name}', expected '{e.Name}'");
                }

                if (!TypesEqual(e.DataType, a.DataType))
                {
                    problems.Add($"column '{e.Name}' has type {SchemaText.Describe(a.DataType)}, expected {SchemaText.Describe(e.DataType)}");
                }

                if (compareNullability && e.IsNullable != a.IsNullable)
                {
                    problems.Add($"column '{e.Name}' is {(a.IsNullable ? "nullable" : "not nullable")}, expected {(e.IsNullable ? "nullable" : "not nullable")}");
                }
            }
        }

        return problems;
    }

    /// <summary>Returns whether two Arrow types are the same, including parameters (unit, time zone, precision, scale).</summary>
    /// <param name="left">A type.</param>
    /// <param name="right">Another type.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool TypesEqual(IArrowType left, IArrowType right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (left.TypeId != right.TypeId)
        {
            return false;
        }

        return (left, right) switch
        {
            (TimestampType l, TimestampType r) => l.Unit == r.Unit && string.Equals(l.Timezone ?? "", r.Timezone ?? "", StringComparison.Ordinal),
            (Decimal128Type l, Decimal128Type r) => l.Precision == r.Precision && l.Scale == r.Scale,
            (Decimal256Type l, Decimal256Type r) => l.Precision == r.Precision && l.Scale == r.Scale,
            (Time32Type l, Time32Type r) => l.Unit == r.Unit,
            (Time64Type l, Time64Type r) => l.Unit == r.Unit,
            (DurationType l, DurationType r) => l.Unit == r.Unit,
            (FixedSizeBinaryType l, FixedSizeBinaryType r) => l.ByteWidth == r.ByteWidth,
            _ => true,
        };
    }
}
