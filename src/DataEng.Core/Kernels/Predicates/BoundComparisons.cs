using System.Numerics;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Creates bound comparisons and set lookups for each column type.</summary>
internal static class BoundComparisons
{
    public static BoundPredicate Create(int column, IArrowType type, ComparisonOperator op, object value)
    {
        switch (type.TypeId)
        {
            case ArrowTypeId.Boolean:
                return new BoundCompare<byte>(column, op, (byte)((bool)value ? 1 : 0), boolean: true);
            case ArrowTypeId.String:
            case ArrowTypeId.Binary:
                return new BoundBytesCompare(column, op, ScalarConversion.ToBytes(value));
            case ArrowTypeId.Float:
                return new BoundCompare<float>(column, op, (float)ScalarConversion.ToDouble(value));
            case ArrowTypeId.Double:
                return new BoundCompare<double>(column, op, ScalarConversion.ToDouble(value));
        }

        ScalarConversion.TryOrdered(type, value, out var scalar, out _);
        var (normalized, threshold) = Normalize(op, scalar);
        var storage = Storage(type.TypeId);
        return (BoundPredicate)typeof(BoundComparisons).GetMethod(nameof(MakeOrdered), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(storage).Invoke(null, [column, normalized, threshold])!;
    }

    public static BoundPredicate CreateIn(int column, IArrowType type, object[] values)
    {
        switch (type.TypeId)
        {
            case ArrowTypeId.Boolean:
                return new BoundBooleanIn(column, values.Contains(true), values.Contains(false));
            case ArrowTypeId.String:
            case ArrowTypeId.Binary:
                return new BoundBytesIn(column, values.Select(ScalarConversion.ToBytes));
            case ArrowTypeId.Float:
                return new BoundIn<float>(column, values.Select(v => (float)ScalarConversion.ToDouble(v)));
            case ArrowTypeId.Double:
                return new BoundIn<double>(column, values.Select(ScalarConversion.ToDouble));
        }

        var members = new List<Int128>();
        foreach (var value in values)
        {
            ScalarConversion.TryOrdered(type, value, out var scalar, out _);
            if (scalar.Clamp == 0 && scalar.Exact)
            {
                members.Add(scalar.Floor);
            }
        }

        return (BoundPredicate)typeof(BoundComparisons).GetMethod(nameof(MakeIn), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(Storage(type.TypeId)).Invoke(null, [column, members])!;
    }

    /// <summary>Rewrites a comparison with a scalar the column cannot hold exactly into one with its floor.</summary>
    internal static (ComparisonOperator Op, Int128 Threshold) Normalize(ComparisonOperator op, OrderedScalar scalar)
    {
        var below = scalar.Clamp == -1;
        return scalar.Clamp switch
        {
            -1 or 1 => (op switch
            {
                ComparisonOperator.Equal => ComparisonOperator.AlwaysFalse,
                ComparisonOperator.NotEqual => ComparisonOperator.AlwaysTrue,
                ComparisonOperator.LessThan or ComparisonOperator.LessThanOrEqual => below ? ComparisonOperator.AlwaysFalse : ComparisonOperator.AlwaysTrue,
                _ => below ? ComparisonOperator.AlwaysTrue : ComparisonOperator.AlwaysFalse,
            }, 0),
            2 => (op == ComparisonOperator.NotEqual ? ComparisonOperator.AlwaysTrue : ComparisonOperator.AlwaysFalse, 0),
            _ when scalar.Exact => (op, scalar.Floor),
            _ => (op switch
            {
                ComparisonOperator.Equal => ComparisonOperator.AlwaysFalse,
                ComparisonOperator.NotEqual => ComparisonOperator.AlwaysTrue,
                ComparisonOperator.LessThan or ComparisonOperator.LessThanOrEqual => ComparisonOperator.LessThanOrEqual,
                _ => ComparisonOperator.GreaterThan,
            }, scalar.Floor),
        };
    }

    private static Type Storage(ArrowTypeId id) => id switch
    {
        ArrowTypeId.Decimal128 => typeof(Int128),
        ArrowTypeId.Date32 => typeof(int),
        ArrowTypeId.Timestamp => typeof(long),
        _ => ClrTypes.PhysicalNumeric(id)!,
    };

    private static BoundCompare<T> MakeOrdered<T>(int column, ComparisonOperator op, Int128 threshold)
        where T : unmanaged, INumber<T> => new BoundCompare<T>(column, op, T.CreateTruncating(threshold));

    private static BoundIn<T> MakeIn<T>(int column, List<Int128> members)
        where T : unmanaged, INumber<T> => new BoundIn<T>(column, members.Select(static m => T.CreateTruncating(m)));
}
