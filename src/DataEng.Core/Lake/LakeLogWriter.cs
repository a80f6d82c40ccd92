namespace DataEng.Core;

/// <summary>
/// Writes log documents directly, without a transaction: the same file names and the same publish (a temp file,
/// renamed without overwrite) as a commit, but no data files, no staging lock and, unless asked, no fsync. For tests
/// and benchmarks that need a long log quickly (100,000 versions in seconds); a pipeline never uses it.
/// </summary>
internal static class LakeLogWriter
{
    /// <summary>Publishes a manifest under its version; fails if the version exists.</summary>
    public static void AppendManifest(LakeLayout layout, CommitRecord record, bool durable = false)
    {
        Directory.CreateDirectory(layout.Commits);
        Publish(layout.Commits, layout.CommitFile(record.Version), record.ToJson(), durable);
    }

    /// <summary>Publishes a checkpoint of a state under its version; fails if one exists.</summary>
    public static void WriteCheckpoint(LakeLayout layout, LakeState state, bool durable = false)
    {
        Directory.CreateDirectory(layout.Checkpoints);
        Publish(layout.Checkpoints, layout.CheckpointFile(state.Version), LakeCheckpoint.Serialize(state), durable);
    }

    private static void Publish(string folder, string target, byte[] bytes, bool durable)
    {
        var temp = Path.Combine(folder, "." + Guid.NewGuid().ToString("N") + ".tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            stream.Write(bytes);
            if (durable)
            {
                DurableFile.FsyncFile(stream);
            }
        }

        DurableFile.MoveNoReplace(temp, target);
    }
}
