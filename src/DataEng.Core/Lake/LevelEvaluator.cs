using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>Maps the values of one partition level to dense, persistent value ids.</summary>
internal abstract class LevelEvaluator : IDisposable
{
    protected LevelEvaluator(PartitionSpec spec)
    {
        Spec = spec;
        EscapedName = HivePath.EscapeName(spec.Name);
    }

    public PartitionSpec Spec { get; }

    public string EscapedName { get; }

    public abstract void Evaluate(IArrowArray column, Span<int> ids);

    public abstract string EscapedValue(int id);

    /// <summary>Returns the level's key table to the pool.</summary>
    public abstract void Dispose();

    public static bool Supports(PartitionTransform transform, IArrowType type)
    {
        var id = type.TypeId;
        var integer = id is ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64
            or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32;
        return transform switch
        {
            PartitionTransform.Identity => integer || id is ArrowTypeId.UInt64 or ArrowTypeId.Boolean or ArrowTypeId.Float or ArrowTypeId.Double
                or ArrowTypeId.String or ArrowTypeId.Date32 or ArrowTypeId.Date64 or ArrowTypeId.Timestamp,
            PartitionTransform.Year or PartitionTransform.Month or PartitionTransform.Day => id is ArrowTypeId.Date32 or ArrowTypeId.Date64 or ArrowTypeId.Timestamp,
            PartitionTransform.Hour => id is ArrowTypeId.Timestamp,
            PartitionTransform.Truncate => integer || id is ArrowTypeId.String,
            PartitionTransform.Bucket => integer || id is ArrowTypeId.String or ArrowTypeId.Binary or ArrowTypeId.Date32 or ArrowTypeId.Timestamp,
            _ => false,
        };
    }

    public static LevelEvaluator Create(PartitionSpec spec, IArrowType type)
    {
        if (!Supports(spec.Transform, type))
        {
            throw new NotSupportedException($"partition {spec}: the transform does not apply to {SchemaText.Describe(type)}");
        }

        if (type.TypeId == ArrowTypeId.String && spec.Transform is PartitionTransform.Identity or PartitionTransform.Truncate)
        {
            return new BytesLevelEvaluator(spec);
        }

        return new NumericLevelEvaluator(spec, type);
    }
}
