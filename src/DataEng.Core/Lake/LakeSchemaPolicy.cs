namespace DataEng.Core;

/// <summary>What a lake writer does when the batches it receives do not have the dataset's schema.</summary>
public enum LakeSchemaPolicy
{
    /// <summary>Fails before anything is written, listing every difference.</summary>
    Fail,

    /// <summary>
    /// Adds new columns (as nullable) and widens <c>int32</c> to <c>int64</c> and <c>float</c> to <c>double</c>; writes
    /// null for dataset columns the batches lack (when those are nullable). Any other difference fails.
    /// </summary>
    Evolve,
}
