using Apache.Arrow;

namespace DataEng.Core;

internal sealed class BoundNullCheck(int column, bool wantNull) : BoundPredicate
{
    public override void Evaluate(RecordBatch batch, Mask mask)
    {
        var valid = wantNull ? mask.False : mask.True;
        var invalid = wantNull ? mask.True : mask.False;
        mask.LoadValidity(batch.Column(column).Data, valid);
        for (var i = 0; i < valid.Length; i++)
        {
            invalid[i] = ~valid[i];
        }

        mask.ClearTail(invalid);
    }
}
