namespace DataEng.Core;

/// <summary>What an incremental source does with a row whose cursor is null.</summary>
public enum NullCursorPolicy
{
    /// <summary>The run fails with a <see cref="DataFormatException"/> naming the row (the default).</summary>
    Fail,

    /// <summary>The row is skipped in every run.</summary>
    Exclude,

    /// <summary>The row is delivered once: its key is remembered in the checkpoint (bounded by
    /// <see cref="IncrementalOptions.MaxWindowKeys"/>) so it is not delivered again.</summary>
    Include,
}
