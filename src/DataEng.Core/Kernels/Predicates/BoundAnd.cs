using Apache.Arrow;

namespace DataEng.Core;

internal sealed class BoundAnd(BoundPredicate left, BoundPredicate right) : BoundPredicate
{
    public override void Evaluate(RecordBatch batch, Mask mask)
    {
        left.Evaluate(batch, mask);
        using var other = Mask.Rent(mask.Rows);
        right.Evaluate(batch, other);
        var t = mask.True;
        var f = mask.False;
        var ot = other.True;
        var of = other.False;
        for (var i = 0; i < t.Length; i++)
        {
            t[i] &= ot[i];
            f[i] |= of[i];
        }
    }
}
