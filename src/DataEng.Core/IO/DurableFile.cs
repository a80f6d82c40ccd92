using System.Runtime.InteropServices;

namespace DataEng.Core;

/// <summary>
/// Crash-safe file operations: fsync of files and directories, atomic replace, durable rename and directory
/// creation, and path containment checks. Used by every component that publishes files (Parquet sink, lake writer,
/// checkpoint stores).
/// </summary>
/// <remarks>
/// A rename is only durable once the directory holding the new name is fsynced; .NET cannot fsync a directory
/// through <see cref="FileStream"/>, so on Linux and macOS this class calls libc directly. On Windows directory
/// fsync is not available (and NTFS journals metadata), so it is a no-op there.
/// </remarks>
internal static partial class DurableFile
{
    private const string TempPrefix = ".";
    private const string TempSuffix = ".tmp";

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Flushes a directory's entries (creations, renames, deletions) to disk.</summary>
    /// <param name="directory">The directory.</param>
    /// <exception cref="IOException">The directory could not be opened or synced; the message carries errno.</exception>
    public static void FsyncDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var flags = ODirectoryFlag();
        var fd = NativeMethods.Open(directory, flags);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Could not open the directory '{directory}' to fsync it (errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}).", errno);
        }

        try
        {
            if (NativeMethods.Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // EINVAL: the file system does not support fsync on directories (some FUSE/network mounts): nothing more can be done.
                if (errno != Einval)
                {
                    throw new IOException($"Could not fsync the directory '{directory}' (errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}).", errno);
                }
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    /// <summary>Flushes a file's data and metadata to disk.</summary>
    /// <param name="stream">The open file.</param>
    public static void FsyncFile(FileStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Replaces (or creates) <paramref name="path"/> with <paramref name="bytes"/> atomically: a reader sees either the
    /// old content or the new one, never a mix, and after return the new content survives a crash.
    /// </summary>
    /// <param name="path">The target file.</param>
    /// <param name="bytes">The new content.</param>
    public static void WriteAllBytesAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        var (full, directory, temp) = PrepareTemp(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                stream.Write(bytes);
                FsyncFile(stream);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        FsyncDirectory(directory);
    }

    /// <summary>
    /// Replaces (or creates) <paramref name="path"/> with <paramref name="bytes"/> atomically and durably
    /// (see <see cref="WriteAllBytesAtomic(string, ReadOnlySpan{byte})"/>).
    /// </summary>
    /// <param name="path">The target file.</param>
    /// <param name="bytes">The new content.</param>
    /// <param name="cancellationToken">Cancels the write before the rename.</param>
    /// <returns>A task that completes when the new content is durable.</returns>
    public static async ValueTask WriteAllBytesAtomicAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var (full, directory, temp) = PrepareTemp(path);
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                FsyncFile(stream);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        FsyncDirectory(directory);
    }

    /// <summary>Renames a file and fsyncs the directories of both names, so the rename survives a crash.</summary>
    /// <param name="source">The current path.</param>
    /// <param name="destination">The new path.</param>
    /// <param name="overwrite">Whether to replace an existing <paramref name="destination"/>.</param>
    public static void MoveDurable(string source, string destination, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        var fullSource = Path.GetFullPath(source);
        var fullDestination = Path.GetFullPath(destination);
        File.Move(fullSource, fullDestination, overwrite);
        var destinationDirectory = ParentOf(fullDestination);
        var sourceDirectory = ParentOf(fullSource);
        FsyncDirectory(destinationDirectory);
        if (!string.Equals(sourceDirectory, destinationDirectory, PathComparison))
        {
            FsyncDirectory(sourceDirectory);
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> and any missing parents, fsyncing the parent of each directory it created, so
    /// the directories survive a crash.
    /// </summary>
    /// <param name="path">The directory to create.</param>
    public static void CreateDirectoryDurable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var missing = new Stack<string>();
        for (var current = full; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Push(current);
        }

        while (missing.Count > 0)
        {
            var directory = missing.Pop();
            Directory.CreateDirectory(directory);
            FsyncDirectory(ParentOf(directory));
        }
    }

    /// <summary>
    /// Returns whether <paramref name="candidate"/> is <paramref name="root"/> or lies below it, comparing full,
    /// normalised paths (ordinal on Linux). Symbolic links are not resolved.
    /// </summary>
    /// <param name="root">The root directory.</param>
    /// <param name="candidate">The path to check (relative paths are resolved against the current directory).</param>
    /// <returns><see langword="true"/> when the candidate is inside the root.</returns>
    public static bool IsUnder(string root, string candidate)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(candidate);
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var fullCandidate = Path.TrimEndingDirectorySeparator(Path.GetFullPath(candidate));
        if (string.Equals(fullRoot, fullCandidate, PathComparison))
        {
            return true;
        }

        // The file system root already ends with a separator ("/" or "C:\").
        var prefix = Path.EndsInDirectorySeparator(fullRoot) ? fullRoot : fullRoot + Path.DirectorySeparatorChar;
        return fullCandidate.StartsWith(prefix, PathComparison);
    }

    /// <summary>
    /// Resolves a relative path below <paramref name="root"/>, refusing anything that escapes it (<c>..</c>,
    /// absolute or rooted paths).
    /// </summary>
    /// <param name="root">The root directory.</param>
    /// <param name="relative">The relative path.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="ArgumentException"><paramref name="relative"/> is absolute or resolves outside <paramref name="root"/>.</exception>
    public static string ResolveUnder(string root, string relative)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(relative);
        if (Path.IsPathRooted(relative) || relative.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The path '{relative}' must be relative to '{root}'.", nameof(relative));
        }

        var fullRoot = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(fullRoot, relative));
        if (!IsUnder(fullRoot, full))
        {
            throw new ArgumentException($"The path '{relative}' escapes the directory '{root}'.", nameof(relative));
        }

        return full;
    }

    /// <summary>Deletes a file, ignoring a missing file and I/O errors (for cleanup paths).</summary>
    /// <param name="path">The file.</param>
    /// <returns><see langword="true"/> when the file is gone.</returns>
    public static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static (string Full, string Directory, string Temp) PrepareTemp(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = ParentOf(full);
        // Hidden (leading dot) and never ending in .parquet, so readers listing a directory skip it.
        var temp = Path.Combine(directory, $"{TempPrefix}{Path.GetFileName(full)}.{Guid.NewGuid():N}{TempSuffix}");
        return (full, directory, temp);
    }

    private static string ParentOf(string fullPath)
        => Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"The path '{fullPath}' has no parent directory.", nameof(fullPath));

    private const int Einval = 22;

    private static int ODirectoryFlag()
    {
        const int oRdonly = 0;
        if (OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsFreeBSD())
        {
            return oRdonly | (OperatingSystem.IsFreeBSD() ? 0x20000 : 0x100000);
        }

        // Linux: O_DIRECTORY is 0200000 on x86/x64, 040000 on ARM and ARM64.
        return RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6
            ? oRdonly | 0x4000
            : oRdonly | 0x10000;
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        internal static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}
