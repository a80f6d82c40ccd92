using System.Globalization;
using System.Text;

namespace DataEng.Core;

/// <summary>
/// A sink that can hold an exclusive lock per pipeline for the length of a run, so that two runs of one pipeline
/// (in this process or another) never both commit. <see cref="IncrementalPipelineExtensions.RunIncrementalAsync"/>
/// takes it before it reads the committed state.
/// </summary>
internal interface IPipelineLockingSink
{
    /// <summary>Takes the pipeline's lock, or fails at once if another run holds it.</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <param name="runLabel">Who takes it (written next to the lock for the loser's error message).</param>
    /// <param name="cancellationToken">Cancels before the lock is taken.</param>
    /// <returns>The lock; disposing it releases it.</returns>
    /// <exception cref="PipelineLockedException">Another run of the pipeline holds the lock.</exception>
    ValueTask<IAsyncDisposable> LockPipelineAsync(string pipelineName, string runLabel, CancellationToken cancellationToken);
}

/// <summary>
/// The lake as the checkpoint of incremental runs also holds their lease: an exclusive OS lock (<c>flock</c> on Unix, a
/// sharing lock on Windows) on <c>_dataeng/locks/&lt;pipeline&gt;.lock</c>, held by an open handle for the whole run and
/// released by the OS when the process exits, however it exits (no expiry, nothing to clean up after a crash).
/// Lock files are never deleted (deleting a lock file while another process is about to open it would let two
/// holders in); they are a few bytes each.
/// </summary>
internal sealed partial class LakeSink : IPipelineLockingSink
{
    /// <inheritdoc />
    public ValueTask<IAsyncDisposable> LockPipelineAsync(string pipelineName, string runLabel, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IAsyncDisposable>(LakePipelineLock.Acquire(_layout, pipelineName, runLabel));
    }
}

/// <summary>A held lake pipeline lock (see <see cref="LakeSink.LockPipelineAsync"/>).</summary>
internal sealed class LakePipelineLock : IAsyncDisposable
{
    private FileStream? _stream;

    private LakePipelineLock(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>Gets the lock file's path.</summary>
    public string Path { get; }

    public static string LockPath(LakeLayout layout, string pipelineName)
        => System.IO.Path.Combine(layout.Metadata, "locks", FileCheckpointStore.FileNameOf(pipelineName) + ".lock");

    public static LakePipelineLock Acquire(LakeLayout layout, string pipelineName, string runLabel)
    {
        var path = LockPath(layout, pipelineName);
        DurableFile.CreateDirectoryDurable(System.IO.Path.GetDirectoryName(path)!);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        }
        catch (IOException e) when (FileCheckpointStore.IsLockConflict(e))
        {
            var holder = ReadHolder(path);
            throw new PipelineLockedException(pipelineName, $"the lake '{layout.Root}' (lock file '{path}')", holder, null, e);
        }

        // Who holds it, for the error message of a second run (best effort: the holder file is not the lock).
        try
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{runLabel}, process {Environment.ProcessId} on {Environment.MachineName}");
            File.WriteAllText(HolderPath(path), text, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return new LakePipelineLock(path, stream);
    }

    public ValueTask DisposeAsync()
    {
        var stream = Interlocked.Exchange(ref _stream, null);
        if (stream is null)
        {
            return ValueTask.CompletedTask;
        }

        // The holder note goes first, while the lock is still held (the lock file itself stays).
        DurableFile.TryDelete(HolderPath(Path));
        return stream.DisposeAsync();
    }

    private static string HolderPath(string lockPath) => lockPath[..^".lock".Length] + ".holder";

    private static string? ReadHolder(string lockPath)
    {
        try
        {
            var text = File.ReadAllText(HolderPath(lockPath), Encoding.UTF8).Trim();
            return text.Length is > 0 and < 300 ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
