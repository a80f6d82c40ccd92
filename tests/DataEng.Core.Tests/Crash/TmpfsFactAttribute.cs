using System.Diagnostics;

namespace DataEng.Core.Tests.Crash;

/// <summary>
/// A fact that mounts a tiny tmpfs (a real full disk, ENOSPC): it runs on Linux when this process may mount file
/// systems (root on CI), and is reported as skipped, with the reason, otherwise — never as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Reason = new(FindSkipReason);

    public TmpfsFactAttribute()
    {
        if (Reason.Value is { } reason)
        {
            Skip = reason;
        }
    }

    private static string? FindSkipReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "A tmpfs can only be mounted on Linux.";
        }

        var probe = Path.Combine(Path.GetTempPath(), "dataeng-tmpfs-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(probe);
        try
        {
            using var mount = Tmpfs.TryMount(probe, "64k", out var error);
            return mount is null ? $"Mounting a tmpfs is not permitted here ({error}); run as root (as CI does) to test a full disk." : null;
        }
        finally
        {
            try
            {
                Directory.Delete(probe, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>A tmpfs mounted on a folder for one test; unmounted (lazily) when disposed.</summary>
internal sealed class Tmpfs : IDisposable
{
    private Tmpfs(string folder)
    {
        Folder = folder;
    }

    public string Folder { get; }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (e.g. <c>2m</c>) on an existing folder.</summary>
    public static Tmpfs Mount(string folder, string size)
        => TryMount(folder, size, out var error) ?? throw new InvalidOperationException($"Could not mount a tmpfs on '{folder}': {error}");

    public static Tmpfs? TryMount(string folder, string size, out string error)
    {
        Directory.CreateDirectory(folder);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder);
        error = code == 0 ? string.Empty : $"mount exited with {code}: {output.Trim()}";
        return code == 0 ? new Tmpfs(folder) : null;
    }

    /// <summary>Changes the size, keeping the content (<c>mount -o remount</c>).</summary>
    public void Resize(string size)
    {
        var (code, output) = Run("mount", "-o", $"remount,size={size}", Folder);
        if (code != 0)
        {
            throw new InvalidOperationException($"Could not resize the tmpfs on '{Folder}': {output.Trim()}");
        }
    }

    public void Dispose() => Run("umount", "-l", Folder);

    private static (int Code, string Output) Run(string file, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true })!;
            var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
