namespace DataEng.Core;

/// <summary>Recognises "no space left" failures: a full disk or quota, and a file size limit (<c>ulimit -f</c>).</summary>
internal static class DiskFull
{
    private const int Efbig = 27;          // Linux/macOS: file too large (RLIMIT_FSIZE, file system maximum)
    private const int Enospc = 28;         // Linux/macOS: no space left on device
    private const int EdquotLinux = 122;   // Linux: disk quota exceeded
    private const int EdquotBsd = 69;      // macOS/BSD: disk quota exceeded
    private const int ErrorHandleDiskFull = 39;
    private const int ErrorDiskFull = 112;

    /// <summary>Returns whether <paramref name="e"/> (or an exception inside it) says the disk is full or a file size
    /// limit was reached.</summary>
    public static bool Is(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 8; depth++, e = e.InnerException)
        {
            switch (e)
            {
                case IOException io when OperatingSystem.IsWindows() && (io.HResult & 0xFFFF) is ErrorDiskFull or ErrorHandleDiskFull:
                    return true;
                case IOException io when !OperatingSystem.IsWindows() && io.HResult is Enospc or Efbig or EdquotLinux or EdquotBsd:
                    return true;

                // The runtime turns EFBIG from write(2) into this exception (parameter "value", no path).
                case ArgumentOutOfRangeException { ParamName: "value" } range when IsFromFileIo(range):
                    return true;
            }
        }

        return false;
    }

    /// <summary>Describes the failure briefly: which limit, and the runtime's message.</summary>
    public static string Describe(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is IOException { HResult: Efbig } or ArgumentOutOfRangeException)
            {
                return $"a file size limit was reached ({inner.Message.ReplaceLineEndings(" ")})";
            }

            if (inner is IOException io)
            {
                return $"no space left on the device ({io.Message.ReplaceLineEndings(" ")})";
            }
        }

        return e.Message;
    }

    private static bool IsFromFileIo(Exception e)
        => e.StackTrace is { } trace
            && (trace.Contains("System.IO.RandomAccess", StringComparison.Ordinal)
                || trace.Contains("SafeFileHandle", StringComparison.Ordinal)
                || trace.Contains("System.IO.Strategies", StringComparison.Ordinal));
}
