using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace DataEng.Core.Benchmarks.Compare;

/// <summary>
/// Measures the peak working set (resident set) of this process during one engine's turn, so turns of different
/// engines in one process can be compared:
/// <list type="number">
/// <item>before the turn, <see cref="Settle"/> runs a full blocking, compacting GC (large-object heap included) and
/// returns free native heap pages to the OS (glibc <c>malloc_trim</c>), so memory freed by the previous turn does
/// not sit in the process and hide (or inflate) this turn's growth;</item>
/// <item>then the kernel's high-water mark is reset to the current resident set (Linux: <c>5</c> written to
/// <c>/proc/self/clear_refs</c>), and after the turn <c>VmHWM</c> — what <see cref="Process.PeakWorkingSet64"/>
/// reports — is the true peak of that turn alone;</item>
/// <item>where the reset is not possible, a sampler thread polls the working set every 2 ms instead.</item>
/// </list>
/// </summary>
internal sealed partial class MemoryProbe : IDisposable
{
    private static readonly bool CanResetPeak = TryResetPeak();
    private readonly Thread? _sampler;
    private volatile bool _stop;
    private long _sampledPeak;

    private MemoryProbe(long startBytes)
    {
        StartBytes = startBytes;
        _sampledPeak = startBytes;
        if (!CanResetPeak)
        {
            _sampler = new Thread(Sample) { IsBackground = true, Name = "memory-probe", Priority = ThreadPriority.AboveNormal };
            _sampler.Start();
        }
    }

    /// <summary>Gets how the peak is measured, for the report.</summary>
    public static string Method => CanResetPeak
        ? "kernel high-water mark (VmHWM) reset before each turn via /proc/self/clear_refs"
        : "working set polled every 2 ms during each turn";

    /// <summary>Gets the resident set when the turn started.</summary>
    public long StartBytes { get; }

    /// <summary>Frees what the previous turn left behind (managed and native) before a turn starts.</summary>
    public static void Settle()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        TrimNativeHeap();
    }

    /// <summary>Starts measuring (call right before the timed section).</summary>
    public static MemoryProbe Start()
    {
        if (CanResetPeak)
        {
            TryResetPeak();
        }

        return new MemoryProbe(CurrentResidentBytes());
    }

    /// <summary>Stops measuring and returns the peak resident set seen since <see cref="Start"/>.</summary>
    public long StopAndGetPeak()
    {
        if (_sampler is not null)
        {
            _stop = true;
            _sampler.Join();
            return Math.Max(Interlocked.Read(ref _sampledPeak), CurrentResidentBytes());
        }

        return ReadStatus("VmHWM:") ?? CurrentResidentBytes();
    }

    public void Dispose()
    {
        _stop = true;
        _sampler?.Join();
    }

    public static long CurrentResidentBytes()
    {
        var rss = ReadStatus("VmRSS:");
        if (rss is { } value)
        {
            return value;
        }

        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static bool TryResetPeak()
    {
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                return false;
            }

            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? ReadStatus(string key)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var kb = line[key.Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    private static void TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: nothing to trim.
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    private void Sample()
    {
        while (!_stop)
        {
            var rss = CurrentResidentBytes();
            if (rss > Interlocked.Read(ref _sampledPeak))
            {
                Interlocked.Exchange(ref _sampledPeak, rss);
            }

            Thread.Sleep(2);
        }
    }
}
