using Apache.Arrow;

namespace DataEng.Core;

/// <summary>A predicate bound to column positions, evaluated batch by batch.</summary>
internal abstract class BoundPredicate
{
    /// <summary>Evaluates the predicate over every row of <paramref name="batch"/> into <paramref name="mask"/>.</summary>
    public abstract void Evaluate(RecordBatch batch, Mask mask);
}
