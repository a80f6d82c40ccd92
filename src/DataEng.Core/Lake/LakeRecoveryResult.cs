namespace DataEng.Core.Tables;

/// <summary>What <see cref="LakeDataset.RecoverAsync"/> removed.</summary>
public sealed class LakeRecoveryResult
{
    internal LakeRecoveryResult(int stagingFolders, int orphanFiles, int replacedFiles)
    {
        StagingFolders = stagingFolders;
        OrphanFiles = orphanFiles;
        ReplacedFiles = replacedFiles;
    }

    /// <summary>Gets the number of abandoned staging folders removed.</summary>
    public int StagingFolders { get; }

    /// <summary>Gets the number of data files removed that an unfinished commit had renamed into place.</summary>
    public int OrphanFiles { get; }

    /// <summary>Gets the number of data files removed that a published commit had replaced.</summary>
    public int ReplacedFiles { get; }
}
