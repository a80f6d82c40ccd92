using System.Diagnostics;

namespace DataEng.Core.Tests.Checkpoints;

public sealed class FileCheckpointStoreTests : CheckpointStoreContractTests, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dataeng-checkpoints-" + Guid.NewGuid().ToString("N"));

    protected override bool LeasesExpire => false;

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    protected override (ICheckpointStore First, ICheckpointStore Second) CreateStores()
        => (new FileCheckpointStore(_folder), new FileCheckpointStore(_folder));

    [Fact]
    public async Task WriteAsync_LeavesOnlyTheCheckpointAndLockFiles()
    {
        var store = new FileCheckpointStore(_folder);
        await using (var lease = await store.AcquireLeaseAsync("files"))
        {
            await store.WriteAsync(lease, Run(1, ("k", "v")));
            await store.WriteAsync(lease, Run(2, ("k", "w")));
        }

        Assert.Equal(["files.checkpoint.json", "files.lock"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("\"runNumber\": 2", await File.ReadAllTextAsync(store.GetCheckpointPath("files")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_CorruptCheckpoint_FailsNamingTheFile()
    {
        var store = new FileCheckpointStore(_folder);
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(store.GetCheckpointPath("corrupt"), "{ not json");

        var e = await Assert.ThrowsAsync<DataFormatException>(async () => await store.ReadAsync("corrupt"));
        Assert.Contains(store.GetCheckpointPath("corrupt"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireLeaseAsync_LockHeldByAnotherProcess_FailsUntilThatProcessExits()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = new FileCheckpointStore(_folder);
        Directory.CreateDirectory(_folder);
        var lockFile = Path.Combine(_folder, "other-process.lock");

        // flock(1) from util-linux takes the same exclusive flock that FileShare.None takes, in a real second process.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", lockFile, "cat"]) { RedirectStandardInput = true, UseShellExecute = false })!;
        var locked = false;
        for (var i = 0; i < 200 && !locked; i++)
        {
            try
            {
                await using var probe = await store.AcquireLeaseAsync("other-process");
                await Task.Delay(10);
            }
            catch (PipelineLockedException e)
            {
                Assert.Contains("other-process", e.Message, StringComparison.Ordinal);
                locked = true;
            }
        }

        Assert.True(locked, "the lease was granted although another process held the lock");
        holder.StandardInput.Close();
        await holder.WaitForExitAsync();
        await using var lease = await store.AcquireLeaseAsync("other-process");
        Assert.False(lease.IsReleased);
    }

    [Fact]
    public async Task AcquireLeaseAsync_WhileThisProcessHoldsIt_AnotherProcessCannotLock()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = new FileCheckpointStore(_folder);
        await using (var lease = await store.AcquireLeaseAsync("held-here"))
        {
            Assert.Equal(1, await RunAsync("flock", "-n", "-x", Path.Combine(_folder, "held-here.lock"), "true"));
        }

        Assert.Equal(0, await RunAsync("flock", "-n", "-x", Path.Combine(_folder, "held-here.lock"), "true"));
    }

    private static async Task<int> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
