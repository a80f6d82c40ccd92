using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

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
    /// Renames <paramref name="source"/> to <paramref name="destination"/> only if no file has that name, as one atomic
    /// step: of several processes moving files to the same name at once exactly one wins, and the others get an
    /// <see cref="IOException"/> while the winner's file stays in place. Nothing is fsynced.
    /// </summary>
    /// <remarks>
    /// <see cref="File.Move(string, string, bool)"/> cannot serve here: on Unix it checks that the destination is
    /// absent and then calls <c>rename</c>, which replaces silently, so two writers publishing the same lake version at
    /// the same moment could both "win" and one commit was lost. On Linux this calls <c>renameat2</c> with
    /// <c>RENAME_NOREPLACE</c>; where the file system does not support that flag, <c>link</c> then <c>unlink</c> (the
    /// link fails if the name exists). On macOS <c>renamex_np</c> with <c>RENAME_EXCL</c>. On Windows
    /// <c>MoveFileEx</c> without the replace flag is already atomic.
    /// </remarks>
    /// <param name="source">The file to rename.</param>
    /// <param name="destination">The new name, which must not exist.</param>
    /// <exception cref="IOException">The destination exists (<c>HResult</c> is <c>EEXIST</c> on Unix), the source does
    /// not (<see cref="FileNotFoundException"/>), or the rename failed; the message names both paths.</exception>
    public static void MoveNoReplace(string source, string destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        if (OperatingSystem.IsWindows())
        {
            File.Move(source, destination, overwrite: false);
            return;
        }

        var fullSource = Path.GetFullPath(source);
        var fullDestination = Path.GetFullPath(destination);
        int result;
        if (OperatingSystem.IsMacOS() || OperatingSystem.IsIOS())
        {
            result = NativeMethods.RenameExclusive(fullSource, fullDestination, RenameExcl);
        }
        else if (OperatingSystem.IsLinux() && !s_renameat2Missing)
        {
            try
            {
                result = NativeMethods.RenameAt2(AtFdCwd, fullSource, AtFdCwd, fullDestination, RenameNoReplace);
            }
            catch (EntryPointNotFoundException)
            {
                s_renameat2Missing = true; // a C library older than glibc 2.28
                result = -1;
                Marshal.SetLastPInvokeError(Enosys);
            }
        }
        else
        {
            MoveNoReplaceByLink(fullSource, fullDestination);
            return;
        }

        if (result == 0)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is Einval or Enosys or Eopnotsupp or EopnotsuppBsd)
        {
            // The file system cannot refuse to replace during a rename; a hard link can refuse an existing name.
            MoveNoReplaceByLink(fullSource, fullDestination);
            return;
        }

        throw MoveFailed(errno, fullSource, fullDestination);
    }

    /// <summary>
    /// Linux: creates a file without a name in <paramref name="directory"/> (<c>open</c> with <c>O_TMPFILE</c>) and takes
    /// its exclusive lock (<c>flock</c>, the lock <see cref="FileShare.None"/> takes) before any other process can see
    /// it; <see cref="TryLinkUnnamed"/> then gives it a name. A file created this way is never visible unlocked, and
    /// one whose process dies before it is named disappears with the process.
    /// </summary>
    /// <remarks>
    /// Not available on other systems, on architectures whose flag values are not known here, on kernels older than
    /// 3.11 (<c>EISDIR</c>) and on file systems without <c>O_TMPFILE</c> (<c>EOPNOTSUPP</c>). Any failure returns
    /// <see langword="null"/> rather than throwing: the caller creates a named file instead, and that path reports real
    /// errors (a full disk, a missing permission) in .NET's words. The file is created with mode 0666 less the umask,
    /// as <see cref="FileStream"/> creates files, and closed on exec.
    /// </remarks>
    /// <param name="directory">The directory the file is later named in (it must be on the same file system).</param>
    /// <returns>The open, locked file, or <see langword="null"/> when it could not be created this way.</returns>
    public static SafeFileHandle? TryCreateUnnamedLocked(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var tmpfile = OperatingSystem.IsLinux() ? OTmpfileFlag() : 0;
        if (tmpfile == 0)
        {
            return null;
        }

        var fd = NativeMethods.OpenWithMode(Path.GetFullPath(directory), tmpfile | ORdwr | OCloexec, UnnamedFileMode);
        if (fd < 0)
        {
            return null;
        }

        if (NativeMethods.Flock(fd, LockEx | LockNb) != 0)
        {
            _ = NativeMethods.Close(fd);
            return null;
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The path through which a file made by <see cref="TryCreateUnnamedLocked"/> can be reached while it has
    /// no name (<c>/proc/self/fd/&lt;fd&gt;</c>).</summary>
    /// <param name="handle">The open file.</param>
    /// <returns>The path.</returns>
    public static string UnnamedPath(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return "/proc/self/fd/" + handle.DangerousGetHandle().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Names a file made by <see cref="TryCreateUnnamedLocked"/> (<c>linkat</c> of its <c>/proc/self/fd</c> path, which
    /// fails if the name exists and never replaces a file). The file stays open and locked.
    /// </summary>
    /// <param name="handle">The open, unnamed file.</param>
    /// <param name="path">The name to give it, in the directory it was created in.</param>
    /// <returns><see langword="false"/> when the system cannot name it (no <c>/proc</c>, for example): the caller closes
    /// it and creates a named file instead.</returns>
    /// <exception cref="IOException">A file named <paramref name="path"/> exists (<c>HResult</c> is <c>EEXIST</c>).</exception>
    public static bool TryLinkUnnamed(SafeFileHandle handle, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (NativeMethods.LinkAt(AtFdCwd, UnnamedPath(handle), AtFdCwd, full, AtSymlinkFollow) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Eexist)
        {
            throw new IOException($"Cannot name a new file '{full}': the name already exists (errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}).", errno);
        }

        return false;
    }

    /// <summary>The fallback of <see cref="MoveNoReplace"/>: <c>link</c> (fails if the name exists), then <c>unlink</c>
    /// of the source. Internal so tests can run it on file systems that support the direct way.</summary>
    internal static void MoveNoReplaceByLink(string fullSource, string fullDestination)
    {
        if (NativeMethods.Link(fullSource, fullDestination) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Eperm or Eopnotsupp or EopnotsuppBsd or Enosys)
            {
                throw new IOException(
                    $"Cannot rename '{fullSource}' to '{fullDestination}' without the risk of replacing a file another process put there: the file system supports neither rename without replace nor hard links (errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}). Put the lake on a local file system.",
                    errno);
            }

            throw MoveFailed(errno, fullSource, fullDestination);
        }

        if (NativeMethods.Unlink(fullSource) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Enoent)
            {
                throw new IOException($"Renamed '{fullSource}' to '{fullDestination}' by a hard link but could not remove the old name (errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}).", errno);
            }
        }
    }

    private static IOException MoveFailed(int errno, string fullSource, string fullDestination)
    {
        var reason = $"(errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)})";
        return errno switch
        {
            Eexist => new IOException($"Cannot rename '{fullSource}' to '{fullDestination}': the destination already exists {reason}.", errno),
            Enoent when !File.Exists(fullSource) => new FileNotFoundException($"Cannot rename '{fullSource}' to '{fullDestination}': the source does not exist {reason}.", fullSource),
            _ => new IOException($"Cannot rename '{fullSource}' to '{fullDestination}' {reason}.", errno),
        };
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

    private const int Eperm = 1;
    private const int Enoent = 2;
    private const int Eexist = 17;
    private const int Einval = 22;
    private const int Enosys = 38;          // Linux
    private const int Eopnotsupp = 95;      // Linux
    private const int EopnotsuppBsd = 45;   // macOS, FreeBSD
    private const int AtFdCwd = -100;       // Linux
    private const uint RenameNoReplace = 1; // Linux renameat2
    private const uint RenameExcl = 4;      // macOS renamex_np
    private const int AtSymlinkFollow = 0x400; // Linux linkat
    private const int ORdwr = 2;
    private const int OCloexec = 0x80000;   // Linux 02000000 (x86, x64, ARM, ARM64)
    private const int UnnamedFileMode = 0x1B6; // 0666, less the umask
    private const int LockEx = 2;           // flock
    private const int LockNb = 4;           // flock

    private static bool s_renameat2Missing;

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

    /// <summary>Linux <c>O_TMPFILE</c> (<c>__O_TMPFILE | O_DIRECTORY</c>), or 0 where its value is not known here.</summary>
    private static int OTmpfileFlag()
    {
        // __O_TMPFILE is 020000000 on these; O_DIRECTORY is 0200000 on x86/x64 and 040000 on ARM and ARM64
        // (arch/arm64/include/uapi/asm/fcntl.h, /usr/include/x86_64-linux-gnu/bits/fcntl-linux.h).
        return RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 or Architecture.X86 => 0x400000 | 0x10000,
            Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 => 0x400000 | 0x4000,
            _ => 0,
        };
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Open(string path, int flags);

        // open is variadic; the mode is read (from the next integer register) only with O_CREAT or O_TMPFILE, and
        // integer arguments pass the same way to variadic and fixed parameters on x64 and ARM64 Linux.
        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int OpenWithMode(string path, int flags, int mode);

        [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
        internal static partial int Flock(int fd, int operation);

        [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int LinkAt(int oldDirectory, string oldPath, int newDirectory, string newPath, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        internal static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);

        [LibraryImport("libc", EntryPoint = "renamex_np", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int RenameExclusive(string oldPath, string newPath, uint flags);

        [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Link(string oldPath, string newPath);

        [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Unlink(string path);
    }
}
