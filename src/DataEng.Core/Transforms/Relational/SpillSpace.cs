using Apache.Arrow;
using Microsoft.Extensions.Logging;

namespace DataEng.Core;

/// <summary>
/// The spill folder of one run: operators that hold state past their memory budget write Arrow IPC files here and read
/// them back. The folder is <c>{root}/run-{process id}-{guid}</c> and holds an <c>owner.lock</c> file open with an
/// exclusive lock for the run's lifetime, so the next run that opens a spill space under the same root can tell a
/// folder left by a killed process (its lock can be taken) from one in use, and removes the former.
/// </summary>
/// <remarks>
/// Each operator removes its own files on every path (<see cref="SpillFile.Dispose"/>); disposing the space at the end
/// of the run removes the folder and anything left in it. Bytes spilled are counted per stage for the run's metrics.
/// Thread-safe.
/// </remarks>
internal sealed class SpillSpace : IDisposable
{
    /// <summary>The name of the lock file inside each run's folder.</summary>
    public const string LockFileName = "owner.lock";

    /// <summary>The prefix of each run's folder.</summary>
    public const string FolderPrefix = "run-";

    private readonly Dictionary<string, long> _bytesByStage = new(StringComparer.Ordinal);
    private readonly FileStream _lock;
    private long _fileNumber;
    private bool _disposed;

    private SpillSpace(string directory, FileStream lockFile)
    {
        Directory = directory;
        _lock = lockFile;
    }

    /// <summary>Gets the run's spill folder.</summary>
    public string Directory { get; }

    /// <summary>Creates the spill folder of a run under <paramref name="root"/>, after removing the folders of runs whose
    /// process is gone.</summary>
    /// <param name="root">The spill root (created if missing).</param>
    /// <param name="runId">The run id.</param>
    /// <param name="logger">Receives a line for each leftover folder removed.</param>
    /// <param name="time">The clock (folders without a lock are left alone for their first ten minutes).</param>
    /// <returns>The spill space.</returns>
    public static SpillSpace Create(string root, string runId, ILogger logger, TimeProvider time)
    {
        System.IO.Directory.CreateDirectory(root);
        RemoveLeftovers(root, logger, time);
        // The run id is the caller's text: it goes into the lock file, not the folder name.
        var directory = Path.Combine(root, $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        var lockFile = new FileStream(Path.Combine(directory, LockFileName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        lockFile.Write(System.Text.Encoding.UTF8.GetBytes(runId));
        lockFile.Flush();
        return new SpillSpace(directory, lockFile);
    }

    /// <summary>Removes the spill folders under <paramref name="root"/> whose owner is gone (their lock can be taken).</summary>
    /// <param name="root">The spill root.</param>
    /// <param name="logger">Receives a line for each folder removed.</param>
    /// <param name="time">The clock (folders without a lock are left alone for their first ten minutes).</param>
    /// <returns>The number of folders removed.</returns>
    public static int RemoveLeftovers(string root, ILogger logger, TimeProvider time)
    {
        if (!System.IO.Directory.Exists(root))
        {
            return 0;
        }

        var removed = 0;
        foreach (var folder in System.IO.Directory.EnumerateDirectories(root, FolderPrefix + "*"))
        {
            var lockPath = Path.Combine(folder, LockFileName);
            try
            {
                if (File.Exists(lockPath))
                {
                    // Taking the exclusive lock succeeds only when no live process holds it.
                    using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                    {
                    }
                }
                else if (System.IO.Directory.GetLastWriteTimeUtc(folder) > time.GetUtcNow().UtcDateTime.AddMinutes(-10))
                {
                    // A folder whose lock is not there yet may be a run starting right now: leave young ones alone.
                    continue;
                }

                System.IO.Directory.Delete(folder, recursive: true);
                removed++;
                SpillLog.LeftoverRemoved(logger, folder);
            }
            catch (IOException)
            {
                // Held by a live run (or vanished meanwhile): not ours to remove.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return removed;
    }

    /// <summary>Starts a spill file for a stage.</summary>
    /// <param name="stage">The stage name (counted in its metrics; part of the file name).</param>
    /// <param name="schema">The schema of the batches to spill.</param>
    /// <returns>The writer.</returns>
    public SpillWriter CreateWriter(string stage, Schema schema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var number = Interlocked.Increment(ref _fileNumber);
        var safe = new string([.. stage.Take(40).Select(static c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        var path = Path.Combine(Directory, $"{safe}-{number:D6}.arrows");
        return new SpillWriter(this, stage, path, schema);
    }

    /// <summary>Returns the bytes a stage spilled in this run.</summary>
    /// <param name="stage">The stage name.</param>
    /// <returns>The bytes written to spill files.</returns>
    public long BytesSpilled(string stage)
    {
        lock (_bytesByStage)
        {
            return _bytesByStage.GetValueOrDefault(stage);
        }
    }

    /// <summary>Removes the folder and every file left in it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _lock.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a stage that has not finished disposing: the next run removes the folder.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal void AddBytes(string stage, long bytes)
    {
        lock (_bytesByStage)
        {
            _bytesByStage[stage] = _bytesByStage.GetValueOrDefault(stage) + bytes;
        }
    }
}
