using Apache.Arrow;

namespace DataEng.Core;

internal sealed class BoundNot(BoundPredicate inner) : BoundPredicate
{
    public override void Evaluate(RecordBatch batch, Mask mask)
    {
        inner.Evaluate(batch, mask);
        var t = mask.True;
        var f = mask.False;
        for (var i = 0; i < t.Length; i++)
        {
            (t[i], f[i]) = (f[i], t[i]);
        }
    }
}
