using System.Text;

namespace DataEng.Core.Checkpoints;

/// <summary>
/// A checkpoint store in a folder: one JSON file per pipeline, replaced atomically and durably (temporary file,
/// fsync, rename, directory fsync), and one lock file per pipeline held with an exclusive OS lock while a run holds
/// the lease. The OS releases the lock when the process exits, however it exits, so leases never need to expire.
/// </summary>
/// <remarks>The folder must be on a local file system: OS file locks are not reliable on every network share.</remarks>
public sealed class FileCheckpointStore : ICheckpointStore
{
    private const int SharingViolation = 32; // Windows ERROR_SHARING_VIOLATION
    private const int LockViolation = 33; // Windows ERROR_LOCK_VIOLATION
    private const int WouldBlockLinux = 11; // EWOULDBLOCK from flock(LOCK_EX | LOCK_NB)
    private const int WouldBlockBsd = 35;

    /// <summary>Creates a store in <paramref name="folder"/> (created if missing).</summary>
    /// <param name="folder">The folder that holds the checkpoint and lock files.</param>
    public FileCheckpointStore(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
    }

    /// <summary>Gets the folder that holds the checkpoint and lock files.</summary>
    public string Folder { get; }

    /// <inheritdoc />
    public string Name => $"the file checkpoint store '{Folder}'";

    /// <summary>Gets the path of the checkpoint file of a pipeline.</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <returns>The path.</returns>
    public string GetCheckpointPath(string pipelineName) => Path.Combine(Folder, FileNameOf(pipelineName) + ".checkpoint.json");

    /// <inheritdoc />
    public ValueTask<CheckpointLease> AcquireLeaseAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureFolder();
        var path = Path.Combine(Folder, FileNameOf(pipelineName) + ".lock");
        FileStream stream;
        try
        {
            // FileShare.None takes an exclusive flock on Unix and a sharing lock on Windows: a second open fails,
            // from this process or another, until the handle is closed or the process exits.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        }
        catch (IOException e) when (IsLockConflict(e))
        {
            throw new PipelineLockedException(pipelineName, Name, null, null, e);
        }

        return ValueTask.FromResult<CheckpointLease>(new Lease(this, pipelineName, stream));
    }

    /// <inheritdoc />
    public async ValueTask<CommittedRun?> ReadAsync(string pipelineName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        var path = GetCheckpointPath(pipelineName);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return CheckpointSerializer.Deserialize(bytes, path);
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(CheckpointLease lease, CommittedRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(run);
        if (lease is not Lease own || !ReferenceEquals(own.Store, this))
        {
            throw new ArgumentException("The lease was not taken from this store.", nameof(lease));
        }

        await own.RenewAsync(cancellationToken).ConfigureAwait(false);
        var bytes = CheckpointSerializer.Serialize(own.PipelineName, run);
        await DurableFile.WriteAllBytesAtomicAsync(GetCheckpointPath(own.PipelineName), bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Turns a pipeline name into a file name: letters, digits, '-', '_' and '.' are kept, everything else is
    /// percent-encoded (UTF-8), so distinct names never share a file and no name escapes the folder.</summary>
    internal static string FileNameOf(string pipelineName)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        var text = new StringBuilder(pipelineName.Length);
        foreach (var b in Encoding.UTF8.GetBytes(pipelineName))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (c == '.' && text.Length > 0)))
            {
                text.Append(c);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    internal static bool IsLockConflict(IOException e) => OperatingSystem.IsWindows()
        ? (e.HResult & 0xFFFF) is SharingViolation or LockViolation
        : e.HResult is WouldBlockLinux or WouldBlockBsd || (e.HResult & 0xFFFF) is SharingViolation;

    private void EnsureFolder()
    {
        if (!Directory.Exists(Folder))
        {
            DurableFile.CreateDirectoryDurable(Folder);
        }
    }

    private sealed class Lease(FileCheckpointStore store, string pipelineName, FileStream stream) : CheckpointLease(pipelineName, NewHolderId())
    {
        public FileCheckpointStore Store => store;

        public override ValueTask RenewAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfReleased();
            return ValueTask.CompletedTask;
        }

        protected override async ValueTask ReleaseAsync() => await stream.DisposeAsync().ConfigureAwait(false);
    }
}
