using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace DataEng.Core.Tests.Crash;

/// <summary>
/// One crash scenario: a temp folder with the SQLite source, the lake and (optionally) a file checkpoint store, and
/// the CrashHost child that runs the pipeline and is killed. Every kill is followed by the oracle's check of what the
/// latest manifest publishes; <see cref="FinishAsync"/> checks the lake after the last run.
/// </summary>
internal sealed class CrashRig : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _hostPath;
    private readonly List<string> _hostArguments;
    private ChildProcess? _child;
    private long _lastCommittedRun;
    private long _runAtRoundStart;

    public CrashRig(int seed, ITestOutputHelper output, bool withStore = false, int pageSize = 500, int lookback = 100)
    {
        Seed = seed;
        _output = output;
        Root = Path.Combine(Path.GetTempPath(), "dataeng-crash-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Lake = Path.Combine(Root, "lake");
        Store = withStore ? Path.Combine(Root, "store") : null;
        Source = new CrashSource(Path.Combine(Root, "source.db"), seed, lookback);
        _hostPath = ChildProcess.BuiltPath("CrashHostPath");
        _hostArguments = ["--db", Source.Path, "--lake", Lake, "--page-size", pageSize.ToString(CultureInfo.InvariantCulture), "--lookback", lookback.ToString(CultureInfo.InvariantCulture)];
        if (Store is not null)
        {
            _hostArguments.AddRange(["--store", Store]);
        }

        Random = new Random(seed);
    }

    public int Seed { get; }

    public Random Random { get; }

    public string Root { get; }

    public string Lake { get; }

    public string? Store { get; }

    public CrashSource Source { get; }

    public IReadOnlyList<string> HostArguments => _hostArguments;

    public string HostPath => _hostPath;

    /// <summary>Gets the number of child processes that died of SIGKILL in the middle of a run.</summary>
    public int Kills { get; private set; }

    /// <summary>Gets the number of runs that completed.</summary>
    public int Completed { get; private set; }

    /// <summary>Gets the kills per fault point (or "random").</summary>
    public Dictionary<string, int> KillsByPoint { get; } = new(StringComparer.Ordinal);

    public string Context => $"seed {Seed} (replay with DATAENG_CRASH_SEED={Seed}), round {Source.Round}, kill {Kills}";

    /// <summary>The seed of a test: <c>DATAENG_CRASH_SEED</c> when set, else the test's own.</summary>
    public static int SeedOr(int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable("DATAENG_CRASH_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : fallback;

    /// <summary>Adds a round of orders (only between runs).</summary>
    public void AddRound(int orders)
    {
        Source.AddRound(orders);
        _runAtRoundStart = _lastCommittedRun;
    }

    /// <summary>Runs once, the child killing itself at the <paramref name="k"/>-th <paramref name="point"/>
    /// (or not at all when <paramref name="point"/> is null).</summary>
    public async Task<(ChildOutcome Outcome, string? Line)> RunAsync(string? point = null, int k = 1)
    {
        var child = await ChildAsync();
        var answer = await child.CommandAsync(point is null ? "run" : $"run {point} {k.ToString(CultureInfo.InvariantCulture)}");
        await AfterAsync(answer, point ?? "none");
        return answer;
    }

    /// <summary>Runs once and kills the child with SIGKILL from here after <paramref name="delay"/> unless it
    /// answered first.</summary>
    public async Task<(ChildOutcome Outcome, string? Line, TimeSpan Elapsed)> RunWithKillAfterAsync(TimeSpan delay)
    {
        var child = await ChildAsync();
        var clock = Stopwatch.StartNew();
        await child.WriteLineAsync("run");
        var read = child.ReadLineAsync();
        if (await Task.WhenAny(read, Task.Delay(delay)) != read)
        {
            child.Kill();
        }

        var answer = await child.AnswerAsync(await read);
        var elapsed = clock.Elapsed;
        await AfterAsync(answer, "random");
        return (answer.Outcome, answer.Line, elapsed);
    }

    /// <summary>Starts a run in the child that stops for good at <paramref name="point"/> (holding the pipeline's lake
    /// lock and its staging folder) and returns once it got there.</summary>
    public async Task HoldAsync(string point)
    {
        var child = await ChildAsync();
        await child.WriteLineAsync($"hold {point}");
        await child.ExpectLineAsync($"held {point}");
    }

    /// <summary>Kills the child with SIGKILL from here (whatever it is doing) and checks the lake as after any kill.</summary>
    public async Task KillChildAsync()
    {
        var child = await ChildAsync();
        child.Kill();
        await AfterAsync(await child.AnswerAsync(await child.ReadLineAsync()), "held");
    }

    /// <summary>Runs once in another, new process (beside the child, which may be alive) and returns its exit code and
    /// answer.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunOnceInAnotherProcessAsync()
    {
        await using var other = ChildProcess.StartDotnet(_hostPath, [.. _hostArguments, "--once"], Root);
        var output = await other.ReadLineAsync() ?? string.Empty;
        var code = await other.WaitForExitAsync();
        return (code, output, other.StandardError);
    }

    /// <summary>Runs until a run completes (no fault armed).</summary>
    public async Task<string> CompleteAsync()
    {
        var (outcome, line) = await RunAsync();
        if (outcome != ChildOutcome.Done)
        {
            throw new CrashTestException($"{Context}: a run without faults did not complete: {line}");
        }

        return line!;
    }

    /// <summary>
    /// Runs once in a child whose files may not grow beyond <paramref name="kilobytes"/> KiB (<c>ulimit -f</c>, with
    /// SIGXFSZ ignored so that a write past the limit fails with EFBIG, as on a full disk).
    /// </summary>
    public async Task<(int ExitCode, string Output, string Error)> RunOnceWithFileSizeLimitAsync(int kilobytes)
    {
        await StopChildAsync();
        // W^X off: the runtime maps its code heap through a memory file, which the limit would cap too.
        var script = $"trap '' XFSZ; ulimit -f {kilobytes.ToString(CultureInfo.InvariantCulture)}; export DOTNET_EnableWriteXorExecute=0; exec \"$0\" \"$@\"";
        await using var child = ChildProcess.Start("bash", ["-c", script, ChildProcess.DotnetHost, _hostPath, .. _hostArguments, "--once"], Root);
        var output = await child.ReadLineAsync() ?? string.Empty;
        var code = await child.WaitForExitAsync();
        return (code, output, child.StandardError);
    }

    /// <summary>Checks the lake after the last run, stops the child and reports the counts.</summary>
    public async Task FinishAsync()
    {
        await CrashOracle.CheckFinalAsync(Lake, Source, Context);
        if (Store is not null)
        {
            var stored = await new FileCheckpointStore(Store).ReadAsync(CrashOracle.Pipeline);
            var committed = await CrashOracle.ReadCommittedAsync(Lake);
            if (stored is null || stored.RunNumber != committed.RunNumber || stored.RunId != committed.RunId)
            {
                throw new CrashTestException($"{Context}: the checkpoint store holds run {stored?.RunNumber} ({stored?.RunId}), the lake run {committed.RunNumber} ({committed.RunId}).");
            }
        }

        await StopChildAsync();
        _output.WriteLine($"{Context}: {Kills} kills, {Completed} completed runs, {Source.Orders.Count} orders; kills by point: {string.Join(", ", KillsByPoint.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => $"{p.Key}={p.Value}"))}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_child is not null)
        {
            await _child.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StopChildAsync()
    {
        if (_child is not null)
        {
            await _child.WriteLineAsync("quit");
            var code = await _child.WaitForExitAsync();
            await _child.DisposeAsync();
            _child = null;
            if (code != 0)
            {
                throw new CrashTestException($"{Context}: the child exited with {code} after 'quit'.");
            }
        }
    }

    private async Task<ChildProcess> ChildAsync()
    {
        if (_child is null)
        {
            _child = ChildProcess.StartDotnet(_hostPath, _hostArguments, Root);
            await _child.ExpectLineAsync("ready");
        }

        return _child;
    }

    private async Task AfterAsync((ChildOutcome Outcome, string? Line) answer, string point)
    {
        switch (answer.Outcome)
        {
            case ChildOutcome.Done:
                Completed++;
                _lastCommittedRun = long.Parse(answer.Line!.Split(' ')[1], CultureInfo.InvariantCulture);
                return;
            case ChildOutcome.Error:
                throw new CrashTestException($"{Context}: the run failed: {answer.Line}");
        }

        Kills++;
        KillsByPoint[point] = KillsByPoint.GetValueOrDefault(point) + 1;
        await _child!.DisposeAsync();
        _child = null;

        // Before any recovery: what the latest manifest publishes is exactly once and not behind its watermark.
        var committed = await CrashOracle.ReadCommittedAsync(Lake);
        var lastRound = committed.RunNumber > _runAtRoundStart ? Source.Round : Source.Round - 1;
        CrashOracle.CheckCommitted(committed, Source, lastRound, $"{Context} (killed at {point})");
        _lastCommittedRun = committed.RunNumber;
        if (Store is not null)
        {
            var stored = await new FileCheckpointStore(Store).ReadAsync(CrashOracle.Pipeline);
            if (stored is not null && stored.RunNumber > committed.RunNumber)
            {
                throw new CrashTestException($"{Context} (killed at {point}): the checkpoint store is ahead of the lake (run {stored.RunNumber} > {committed.RunNumber}).");
            }
        }
    }
}
