using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace DataEng.Core.Tests.Crash;

/// <summary>How a command sent to a child ended.</summary>
internal enum ChildOutcome
{
    /// <summary>The child answered with a line starting with <c>done</c>.</summary>
    Done,

    /// <summary>The child answered with another line (an <c>error</c> line).</summary>
    Error,

    /// <summary>The child died of SIGKILL before it answered.</summary>
    Killed,
}

/// <summary>
/// A real child process (<c>dotnet some.dll …</c>) driven through its standard input and output, and killed with
/// SIGKILL (by itself at a fault point, or by <see cref="Kill"/>).
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>The exit code of a process killed by SIGKILL (128 + 9).</summary>
    public const int KilledExitCode = 137;

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The dotnet host that runs the tests (so children use the same runtime).</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The path of a built project output recorded in this assembly's metadata (see the test .csproj).</summary>
    public static string BuiltPath(string key)
    {
        var path = typeof(ChildProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{key}: '{path}' was not built; build the solution (or the test project, which references it) first.", path);
        }

        return path;
    }

    /// <summary>Starts <c>dotnet <paramref name="dll"/> <paramref name="arguments"/></c>.</summary>
    public static ChildProcess StartDotnet(string dll, IEnumerable<string> arguments, string workingDirectory)
        => Start(DotnetHost, [dll, .. arguments], workingDirectory);

    /// <summary>Starts a process with redirected standard streams.</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{fileName}'.");
        var child = new ChildProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (child._stderr)
                {
                    child._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Reads one line of standard output; <see langword="null"/> at its end (the process exited).</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Patience);
        try
        {
            return await _process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
            throw new TimeoutException($"Child {_process.Id} answered nothing within {Patience}. Its standard error: {StandardError}");
        }
    }

    /// <summary>Reads one line and fails unless it is <paramref name="expected"/>.</summary>
    public async Task ExpectLineAsync(string expected)
    {
        var line = await ReadLineAsync();
        if (line != expected)
        {
            throw new InvalidOperationException($"Child {_process.Id} said '{line}' instead of '{expected}'. Its standard error: {StandardError}");
        }
    }

    public async Task WriteLineAsync(string line)
    {
        try
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }
        catch (IOException) when (_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            // The child is already dead (killed, or died on its own): its answer is read as end of stream, and the
            // caller's oracle checks the lake as after any other death.
        }
    }

    /// <summary>Sends a command and waits for its answer, or for the child's death.</summary>
    public async Task<(ChildOutcome Outcome, string? Line)> CommandAsync(string command)
    {
        await WriteLineAsync(command);
        return await AnswerAsync(await ReadLineAsync());
    }

    /// <summary>Classifies an answer line (or the end of the output).</summary>
    public async Task<(ChildOutcome Outcome, string? Line)> AnswerAsync(string? line)
    {
        if (line is not null)
        {
            return (line.StartsWith("done", StringComparison.Ordinal) ? ChildOutcome.Done : ChildOutcome.Error, line);
        }

        var code = await WaitForExitAsync();
        if (code != KilledExitCode)
        {
            throw new InvalidOperationException($"Child {_process.Id} exited with {code} instead of dying of SIGKILL. Its standard error: {StandardError}");
        }

        return (ChildOutcome.Killed, null);
    }

    /// <summary>Kills the process with SIGKILL (what <see cref="Process.Kill()"/> sends on Linux and macOS).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"Child {_process.Id} did not exit within {Patience}. Its standard error: {StandardError}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
