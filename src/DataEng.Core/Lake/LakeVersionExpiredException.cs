using System.Globalization;

namespace DataEng.Core;

/// <summary>
/// A read asked for a version of a lake that a vacuum expired (<see cref="LakeDataset.VacuumAsync"/>): its files may be
/// gone. The message names the version, the vacuum that expired it and the retention it applied.
/// </summary>
public sealed class LakeVersionExpiredException : DataEngException
{
    /// <summary>Creates an exception.</summary>
    public LakeVersionExpiredException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public LakeVersionExpiredException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LakeVersionExpiredException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal LakeVersionExpiredException(string root, long version, long oldestRetained, CommitRecord expiredBy)
        : base(string.Create(CultureInfo.InvariantCulture, $"Version {version} of the lake '{root}' has expired: the vacuum of version {expiredBy.Version} ({expiredBy.Timestamp:O}) kept {expiredBy.Retention ?? "the versions from " + oldestRetained}, so the oldest readable version is {oldestRetained}. Read version {oldestRetained} or later, or keep more versions in LakeVacuumOptions."))
    {
        Version = version;
        OldestRetainedVersion = oldestRetained;
    }

    /// <summary>Gets the version asked for.</summary>
    public long Version { get; }

    /// <summary>Gets the oldest version still readable.</summary>
    public long OldestRetainedVersion { get; }
}
