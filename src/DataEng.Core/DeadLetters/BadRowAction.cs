namespace DataEng.Core;

/// <summary>What a stage does with a bad row (a parse error, a failed cast, a transform's rejection).</summary>
public enum BadRowAction
{
    /// <summary>The run fails on the first bad row (the default).</summary>
    Fail,

    /// <summary>The row is dropped and counted.</summary>
    Skip,

    /// <summary>The row is dropped, counted, and written to the dead-letter target with its raw values, the error,
    /// the stage, the run and its position.</summary>
    DeadLetter,
}
