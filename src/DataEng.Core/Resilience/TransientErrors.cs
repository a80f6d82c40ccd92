using System.Data.Common;
using System.Net.Sockets;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace DataEng.Core;

/// <summary>
/// Classifies failures as transient (retrying may succeed: lost connections, timeouts, contention) or terminal (bad
/// data, schema mismatches, bugs, a full disk). Terminal failures are never retried.
/// </summary>
public static class TransientErrors
{
    private const int EnospcLinux = 28;
    private const int DiskFullWindows = 0x70;
    private const int HandleDiskFullWindows = 0x27;

    /// <summary>Returns whether retrying the operation that threw <paramref name="exception"/> may succeed.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns><see langword="true"/> for transient failures: <see cref="DataEngException.IsTransient"/>,
    /// <see cref="DbException.IsTransient"/>, <see cref="TimeoutException"/>, <see cref="SocketException"/>,
    /// <see cref="IOException"/> (except missing files and a full disk), Polly's timeout and open-circuit rejections;
    /// <see langword="false"/> for everything else, cancellation included.</returns>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            OperationCanceledException => false,
            PipelineStageException stage => stage.InnerException is { } inner && IsTransient(inner),
            DataEngException e => e.IsTransient,
            DbException e => e.IsTransient,
            TimeoutRejectedException or BrokenCircuitException or TimeoutException or SocketException => true,
            FileNotFoundException or DirectoryNotFoundException or PathTooLongException or EndOfStreamException => false,
            IOException e => !IsDiskFull(e),
            AggregateException { InnerExceptions.Count: 1 } e => IsTransient(e.InnerExceptions[0]),
            _ => exception.InnerException is SocketException or TimeoutException,
        };
    }

    /// <summary>Returns whether an I/O failure means the disk (or the process's file size limit) is full.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns><see langword="true"/> when the disk is full.</returns>
    public static bool IsDiskFull(IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return OperatingSystem.IsWindows()
            ? (exception.HResult & 0xFFFF) is DiskFullWindows or HandleDiskFullWindows
            : exception.HResult == EnospcLinux || (exception.HResult & 0xFFFF) == EnospcLinux;
    }
}
