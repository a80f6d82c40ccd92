namespace DataEng.Core;

/// <summary>
/// What a writer gives its <see cref="LakeTransaction"/>: the user's observer, how often to checkpoint the log, and
/// (tests only) hooks into the protocol.
/// </summary>
/// <param name="Observer">Called after each <see cref="LakeCommitStep"/>; an exception abandons the transaction.</param>
/// <param name="CheckpointInterval">Versions between log checkpoints.</param>
/// <param name="Hooks">Test hooks, or <see langword="null"/>.</param>
internal sealed record LakeTransactionSettings(Action<LakeCommitStep>? Observer, int CheckpointInterval, LakeTransactionHooks? Hooks)
{
    /// <summary>Gets settings with no observer, the default checkpoint interval and no hooks.</summary>
    public static LakeTransactionSettings Default { get; } = new(null, LakeLog.DefaultCheckpointInterval, null);
}

/// <summary>
/// Test hooks into <see cref="LakeTransaction"/>, passed in by the writer (<see cref="LakeWriteOptions.TransactionHooks"/>)
/// or by a test calling <see cref="LakeTransaction.Begin"/>: tests fail a write with a full disk, force interleavings
/// with recovery, or take the lock path of systems without unnamed files. Production code passes none.
/// </summary>
internal sealed class LakeTransactionHooks
{
    /// <summary>Gets a callback invoked right before each write of a step (the step, the path written, and what the
    /// write does, as a full-disk error names it). An exception it throws fails that write.</summary>
    public Action<LakeCommitStep, string, string>? Writing { get; init; }

    /// <summary>Gets a callback invoked when a step is done, before the observer, with the path the step concerned.</summary>
    public Action<LakeCommitStep, string>? Reached { get; init; }

    /// <summary>Gets whether <see cref="LakeTransaction.Begin"/> creates its lock file under a pending name, as on
    /// systems that cannot create a file without a name.</summary>
    public bool UsePendingLockFile { get; init; }
}
