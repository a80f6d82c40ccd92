namespace DataEng.Core;

/// <summary>
/// Where data files go when a commit replaces them (overwrite, compaction, partition drop): out of the data folders, so
/// a glob reader (<c>**/*.parquet</c>) sees exactly the latest snapshot, into <c>_dataeng/retired/&lt;path&gt;.retired</c>,
/// so the older snapshots that still reference them stay readable (time travel, and readers that opened one) until
/// <see cref="LakeDataset.VacuumAsync"/> deletes them. The name keeps the file's relative path (unique within a lake)
/// and never ends in <c>.parquet</c>, so globs never match it either.
/// </summary>
internal static class RetiredFiles
{
    /// <summary>The extension of a retired file.</summary>
    public const string Extension = ".retired";

    /// <summary>Returns the retired location of a data file.</summary>
    public static string PathOf(LakeLayout layout, string relative)
        => Path.Combine(layout.Retired, relative.Replace('/', Path.DirectorySeparatorChar) + Extension);

    /// <summary>
    /// Moves a replaced data file to its retired location (never overwriting). Returns whether a file was moved;
    /// <see langword="false"/> when it is not in the data folder (already retired, or vacuumed).
    /// </summary>
    public static bool Retire(LakeLayout layout, string relative)
    {
        var full = layout.Resolve(relative);
        if (!File.Exists(full))
        {
            return false;
        }

        var target = PathOf(layout, relative);
        DurableFile.CreateDirectoryDurable(Path.GetDirectoryName(target)!);
        try
        {
            DurableFile.MoveNoReplace(full, target);
        }
        catch (IOException) when (File.Exists(target))
        {
            // A move interrupted between its link and its unlink (where renames without replace are done that way)
            // left both names of the same file: drop the data-folder name.
            File.Delete(full);
        }

        return true;
    }

    /// <summary>Returns where a data file of a snapshot is now: in its data folder, else retired, else (gone) its data
    /// path, which a reader then reports as missing.</summary>
    public static string Locate(LakeLayout layout, string relative)
    {
        var full = layout.Resolve(relative);
        if (File.Exists(full))
        {
            return full;
        }

        var retired = PathOf(layout, relative);
        return File.Exists(retired) ? retired : full;
    }
}
