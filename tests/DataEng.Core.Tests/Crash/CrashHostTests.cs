using System.Globalization;
using Xunit.Abstractions;

namespace DataEng.Core.Tests.Crash;

/// <summary>
/// The crash tests start real processes and kill them: one at a time, not beside each other. Every class in this
/// collection also carries <c>[Trait("Category", "Crash")]</c> (<see cref="Category"/>), so that the fast tests can run
/// alone: <c>dotnet test --filter Category!=Crash</c> (CrashTraitTests checks it).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection
{
    public const string Name = "Crash";

    /// <summary>The value of the <c>Category</c> trait that marks a crash suite.</summary>
    public const string Category = "Crash";
}

/// <summary>
/// Real processes (tests/DataEng.Core.CrashHost) run the incremental pipeline SQLite → lake and are killed with
/// SIGKILL at every named commit step and at random times, then resumed until the run completes; the oracle checks
/// the committed snapshot after every kill and DuckDB's glob read at the end. The seed is printed on failure
/// (replay with <c>DATAENG_CRASH_SEED</c>).
/// </summary>
[Collection(CrashCollection.Name)]
[Trait("Category", CrashCollection.Category)]
public class CrashHostTests(ITestOutputHelper output)
{
    /// <summary>Kills at named fault points (the lake's commit steps and the store's write).</summary>
    private const int FaultPointKills = 130;

    /// <summary>Kills from the parent at random moments.</summary>
    private const int RandomKills = 75;

    private static readonly string[] Points =
    [
        .. Enum.GetNames<LakeCommitStep>().Where(static n => n != nameof(LakeCommitStep.FileVacuumed)),
        "BeforeStoreWrite",
        "AfterStoreWrite",
    ];

    private static readonly string[] PerFilePoints = [nameof(LakeCommitStep.StagedFileWritten), nameof(LakeCommitStep.StagedFileSynced), nameof(LakeCommitStep.FileRenamed)];

    [Fact]
    public async Task KilledAtEveryFaultPoint_ResumedRuns_LoadEveryOrderExactlyOnce()
    {
        await using var rig = new CrashRig(CrashRig.SeedOr(4101), output, withStore: true, pageSize: 150);
        await WithSeedAsync(rig, async () =>
        {
            var next = 0;
            while (rig.Kills < FaultPointKills)
            {
                rig.AddRound(rig.Random.Next(200, 700));
                var kills = rig.Random.Next(1, 4);
                for (var i = 0; i < kills; i++)
                {
                    // A point is retried until it kills (a run with no new rows writes no file, for example).
                    var point = Points[next % Points.Length];
                    var k = PerFilePoints.Contains(point) ? rig.Random.Next(1, 4) : 1;
                    if ((await rig.RunAsync(point, k)).Outcome == ChildOutcome.Killed)
                    {
                        next++;
                    }
                }

                await rig.CompleteAsync();
            }

            await rig.FinishAsync();
            foreach (var point in Points)
            {
                Assert.True(rig.KillsByPoint.GetValueOrDefault(point) >= 5, $"only {rig.KillsByPoint.GetValueOrDefault(point)} kills at {point}");
            }
        });
    }

    [Fact]
    public async Task KilledAtRandomMoments_ResumedRuns_LoadEveryOrderExactlyOnce()
    {
        await using var rig = new CrashRig(CrashRig.SeedOr(4202), output, pageSize: 100);
        await WithSeedAsync(rig, async () =>
        {
            // Kill delays are drawn between 0 and a little more than a typical run (measured as we go).
            var typicalMs = 150.0;
            while (rig.Kills < RandomKills)
            {
                rig.AddRound(rig.Random.Next(500, 2500));
                for (var attempt = 0; ; attempt++)
                {
                    if (attempt == 4)
                    {
                        await rig.CompleteAsync();
                        break;
                    }

                    var delay = TimeSpan.FromMilliseconds(rig.Random.NextDouble() * typicalMs * 1.3);
                    var (outcome, _, elapsed) = await rig.RunWithKillAfterAsync(delay);
                    if (outcome == ChildOutcome.Done)
                    {
                        typicalMs = (typicalMs * 3 + elapsed.TotalMilliseconds) / 4;
                        break;
                    }
                }
            }

            await rig.FinishAsync();
        });
    }

    [Fact]
    public async Task AmbiguousCommit_KilledRightAfterTheManifestIsPublished_TheNextRunFindsItCommitted()
    {
        await using var rig = new CrashRig(CrashRig.SeedOr(4303), output, withStore: true);
        await WithSeedAsync(rig, async () =>
        {
            rig.AddRound(500);
            await rig.CompleteAsync();
            rig.AddRound(400);
            var before = await CrashOracle.ReadCommittedAsync(rig.Lake);

            // The commit is durable and visible, but the process dies before it learns so (and before the store write).
            var (outcome, _) = await rig.RunAsync(nameof(LakeCommitStep.ManifestPublished));
            Assert.Equal(ChildOutcome.Killed, outcome);
            var after = await CrashOracle.ReadCommittedAsync(rig.Lake);
            Assert.Equal(before.RunNumber + 1, after.RunNumber);
            Assert.Equal(900, after.Rows.Count);
            var stored = await new FileCheckpointStore(rig.Store!).ReadAsync(CrashOracle.Pipeline);
            Assert.Equal(before.RunNumber, stored!.RunNumber);

            // The next run (another process) finds run N committed, repairs the store and loads nothing twice.
            var done = (await rig.CompleteAsync()).Split(' ');
            Assert.Equal((after.RunNumber + 1).ToString(CultureInfo.InvariantCulture), done[1]);
            Assert.Equal("0", done[2]);
            Assert.Equal(after.RunNumber.ToString(CultureInfo.InvariantCulture), done[4]);

            // The same for a commit whose store write was under way.
            rig.AddRound(300);
            (outcome, _) = await rig.RunAsync("BeforeStoreWrite");
            Assert.Equal(ChildOutcome.Killed, outcome);
            done = (await rig.CompleteAsync()).Split(' ');
            Assert.Equal("0", done[2]);
            await rig.FinishAsync();
        });
    }

    [Fact]
    public async Task DiskFull_FileSizeLimitHit_FailsClearlyLeavesTheCheckpointAndTheRerunIsExactlyOnce()
    {
        await using var rig = new CrashRig(CrashRig.SeedOr(4404), output, withStore: true);
        await WithSeedAsync(rig, async () =>
        {
            rig.AddRound(300);
            await rig.CompleteAsync();
            var before = await CrashOracle.ReadCommittedAsync(rig.Lake);
            var storedBefore = await new FileCheckpointStore(rig.Store!).ReadAsync(CrashOracle.Pipeline);

            // Enough rows that each day's Parquet file outgrows 64 KiB.
            rig.AddRound(30_000);
            var (code, line, error) = await rig.RunOnceWithFileSizeLimitAsync(64);

            Assert.True(code == 1, $"exit code {code}, output '{line}', standard error '{error}'");
            Assert.StartsWith("error ", line, StringComparison.Ordinal);
            // EFBIG surfaces from .NET as "Specified file length was too large for the file system", wrapped once
            // with the stage, pipeline and run.
            Assert.Contains("too large for the file system", line, StringComparison.Ordinal);
            Assert.Contains($"ran out of space writing the staged file '{Path.Combine(rig.Lake, "_dataeng", "staging")}", line, StringComparison.Ordinal);
            Assert.Matches("\\.inprogress' of partition 'day=2026-03-0[123]'", line);
            Assert.Contains("Stage 'lake' of pipeline 'crash' failed in run 2", line, StringComparison.Ordinal);
            var after = await CrashOracle.ReadCommittedAsync(rig.Lake);
            Assert.Equal((before.RunNumber, before.RunId, before.Watermark, before.Rows.Count), (after.RunNumber, after.RunId, after.Watermark, after.Rows.Count));
            var storedAfter = await new FileCheckpointStore(rig.Store!).ReadAsync(CrashOracle.Pipeline);
            Assert.Equal(storedBefore, storedAfter, static (a, b) => a!.RunNumber == b!.RunNumber && a.RunId == b.RunId);

            // Without the limit the rerun loads the round exactly once and cleans up what the failed run left.
            var done = (await rig.CompleteAsync()).Split(' ');
            Assert.Equal("30000", done[2]);
            await rig.FinishAsync();
        });
    }

    [TmpfsFact]
    public async Task DiskFull_TinyTmpfs_FailsNamingTheStagedFileLeavesTheCheckpointAndTheRerunIsExactlyOnce()
    {
        await using var rig = new CrashRig(CrashRig.SeedOr(4707), output, withStore: true);
        using var tmpfs = Tmpfs.Mount(rig.Lake, "2m");
        await WithSeedAsync(rig, async () =>
        {
            rig.AddRound(300);
            await rig.CompleteAsync();
            var before = await CrashOracle.ReadCommittedAsync(rig.Lake);
            var storedBefore = await new FileCheckpointStore(rig.Store!).ReadAsync(CrashOracle.Pipeline);

            // Far more than 2 MiB of Parquet (the builtin encoder stores 150,000 of these rows in less): the lake's file
            // system fills up (ENOSPC) while a staged file is written.
            const int Rows = 600_000;
            rig.AddRound(Rows);
            var (code, line, error) = await rig.RunOnceInAnotherProcessAsync();

            Assert.True(code == 1, $"exit code {code}, output '{line}', standard error '{error}'");
            Assert.StartsWith("error PipelineStageException", line, StringComparison.Ordinal);
            Assert.Contains($"ran out of space writing the staged file '{Path.Combine(rig.Lake, "_dataeng", "staging")}", line, StringComparison.Ordinal);
            Assert.Matches("\\.inprogress' of partition 'day=2026-03-0[123]'", line);
            Assert.Contains("no space left on the device", line, StringComparison.Ordinal);
            Assert.Contains("Stage 'lake' of pipeline 'crash' failed in run 2", line, StringComparison.Ordinal);
            var after = await CrashOracle.ReadCommittedAsync(rig.Lake);
            Assert.Equal((before.RunNumber, before.RunId, before.Watermark, before.Rows.Count), (after.RunNumber, after.RunId, after.Watermark, after.Rows.Count));
            var storedAfter = await new FileCheckpointStore(rig.Store!).ReadAsync(CrashOracle.Pipeline);
            Assert.Equal(storedBefore, storedAfter, static (a, b) => a!.RunNumber == b!.RunNumber && a.RunId == b.RunId);

            // The same storage made roomy (the content kept): the rerun loads the round exactly once and leaves no
            // staging behind.
            tmpfs.Resize("256m");
            var done = (await rig.CompleteAsync()).Split(' ');
            Assert.Equal(Rows.ToString(System.Globalization.CultureInfo.InvariantCulture), done[2]);
            await rig.FinishAsync();
        });
    }

    [Fact]
    public async Task SecondProcess_WhileAnotherHoldsTheLakeLock_FailsClearlyAndRunsOnceTheHolderIsKilled()
    {
        await using var rig = new CrashRig(CrashRig.SeedOr(4606), output);
        await WithSeedAsync(rig, async () =>
        {
            rig.AddRound(400);

            // The child stops for good with its files prepared: it holds the pipeline's lock on the lake (no store).
            await rig.HoldAsync(nameof(LakeCommitStep.Prepared));
            var (code, line, error) = await rig.RunOnceInAnotherProcessAsync();
            Assert.True(code == 1, $"exit code {code}, output '{line}', standard error '{error}'");
            Assert.StartsWith("error PipelineLockedException", line, StringComparison.Ordinal);
            Assert.Contains("Pipeline 'crash' is already running", line, StringComparison.Ordinal);
            Assert.Contains($"the lake '{rig.Lake}'", line, StringComparison.Ordinal);
            Assert.Equal(0, (await CrashOracle.ReadCommittedAsync(rig.Lake)).RunNumber);

            // SIGKILL: the OS releases the lock with the process; the next run recovers its staging and commits.
            await rig.KillChildAsync();
            (code, line, error) = await rig.RunOnceInAnotherProcessAsync();
            Assert.True(code == 0, $"exit code {code}, output '{line}', standard error '{error}'");
            Assert.Equal("400", line.Split(' ')[2]);
            await rig.FinishAsync();
        });
    }

    private static async Task WithSeedAsync(CrashRig rig, Func<Task> test)
    {
        try
        {
            await test();
        }
        catch (Exception e) when (e is not CrashTestException)
        {
            throw new CrashTestException($"{rig.Context}: {e.Message}", e);
        }
    }
}
