using System.Text;

namespace DataEng.Core.Tests.IO;

[Collection(DataEng.Core.Tests.Lake.LockFileCollection.Name)]
public sealed class DurableFileTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dataeng-durable-" + Guid.NewGuid().ToString("N"));

    public DurableFileTests()
    {
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void WriteAllBytesAtomic_NewFile_HasContentAndNoTempFileLeft()
    {
        var path = Path.Combine(_root, "a.json");

        DurableFile.WriteAllBytesAtomic(path, "hello"u8);

        Assert.Equal("hello", File.ReadAllText(path));
        Assert.Equal(["a.json"], Directory.GetFiles(_root).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WriteAllBytesAtomicAsync_ExistingFile_IsReplaced()
    {
        var path = Path.Combine(_root, "a.json");
        await File.WriteAllTextAsync(path, "old");

        await DurableFile.WriteAllBytesAtomicAsync(path, Encoding.UTF8.GetBytes("new content"));

        Assert.Equal("new content", await File.ReadAllTextAsync(path));
        Assert.Single(Directory.GetFiles(_root));
    }

    [Fact]
    public async Task WriteAllBytesAtomic_ConcurrentReader_SeesEitherOldOrNewContent()
    {
        var path = Path.Combine(_root, "state.bin");
        var oldContent = Enumerable.Repeat((byte)'o', 64 * 1024).ToArray();
        var newContent = Enumerable.Repeat((byte)'n', 96 * 1024).ToArray();
        DurableFile.WriteAllBytesAtomic(path, oldContent);
        using var stop = new CancellationTokenSource();
        var seen = new HashSet<string>();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var bytes = File.ReadAllBytes(path);
                seen.Add(bytes.AsSpan().SequenceEqual(oldContent) ? "old" : bytes.AsSpan().SequenceEqual(newContent) ? "new" : "torn");
            }
        });

        for (var i = 0; i < 50; i++)
        {
            DurableFile.WriteAllBytesAtomic(path, i % 2 == 0 ? newContent : oldContent);
        }

        await stop.CancelAsync();
        await reader;
        Assert.DoesNotContain("torn", seen);
    }

    [Fact]
    public async Task WriteAllBytesAtomicAsync_Cancelled_LeavesOldContentAndNoTempFile()
    {
        var path = Path.Combine(_root, "a.json");
        await File.WriteAllTextAsync(path, "old");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await DurableFile.WriteAllBytesAtomicAsync(path, new byte[] { 1, 2, 3 }, new CancellationToken(canceled: true)));

        Assert.Equal("old", await File.ReadAllTextAsync(path));
        Assert.Single(Directory.GetFiles(_root));
    }

    [Fact]
    public void WriteAllBytesAtomic_RenameFails_RemovesTempFile()
    {
        // The target is a directory, so the final rename fails after the temp file was written.
        var path = Path.Combine(_root, "x.parquet");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => DurableFile.WriteAllBytesAtomic(path, "data"u8));

        Assert.Empty(Directory.GetFiles(_root));
    }

    [Fact]
    public void MoveDurable_RenamesAcrossDirectories()
    {
        var source = Path.Combine(_root, "a", "f.txt");
        var destination = Path.Combine(_root, "b", "g.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.WriteAllText(source, "x");

        DurableFile.MoveDurable(source, destination, overwrite: false);

        Assert.False(File.Exists(source));
        Assert.Equal("x", File.ReadAllText(destination));
    }

    [Fact]
    public void MoveDurable_ExistingTargetWithoutOverwrite_Throws()
    {
        var source = Path.Combine(_root, "f.txt");
        var destination = Path.Combine(_root, "g.txt");
        File.WriteAllText(source, "x");
        File.WriteAllText(destination, "y");

        Assert.Throws<IOException>(() => DurableFile.MoveDurable(source, destination, overwrite: false));

        DurableFile.MoveDurable(source, destination, overwrite: true);
        Assert.Equal("x", File.ReadAllText(destination));
    }

    /// <summary>On Linux a file created unnamed is already locked, gets its name only by <c>TryLinkUnnamed</c>
    /// (keeping its lock), and never replaces a file that has the name already.</summary>
    [Fact]
    public void TryCreateUnnamedLocked_OnLinux_IsLockedBeforeItIsNamedAndNeverReplacesAName()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(DurableFile.TryCreateUnnamedLocked(_root));
            return;
        }

        var taken = Path.Combine(_root, "taken.lock");
        File.WriteAllText(taken, "old");
        using (var handle = DurableFile.TryCreateUnnamedLocked(_root))
        {
            Assert.NotNull(handle);
            Assert.Empty(Directory.GetFiles(_root, "*.lock").Except([taken]));

            var e = Assert.ThrowsAny<IOException>(() => DurableFile.TryLinkUnnamed(handle, taken));
            Assert.Equal(17, e.HResult);
            Assert.Equal("old", File.ReadAllText(taken));

            var named = Path.Combine(_root, "named.lock");
            Assert.True(DurableFile.TryLinkUnnamed(handle, named));
            Assert.Throws<IOException>(() => new FileStream(named, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1).Dispose());
        }

        using var free = new FileStream(Path.Combine(_root, "named.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
        Assert.Equal(0, free.Length);
    }

    /// <summary>Where a file cannot be created unnamed (here: the directory does not exist) the answer is
    /// <see langword="null"/>, and the caller falls back to a named file.</summary>
    [Fact]
    public void TryCreateUnnamedLocked_Impossible_ReturnsNull()
        => Assert.Null(DurableFile.TryCreateUnnamedLocked(Path.Combine(_root, "missing")));

    public static TheoryData<string> MoveWays => ["direct", "link"];

    [Theory]
    [MemberData(nameof(MoveWays))]
    public void MoveNoReplace_FreeName_RenamesAndRemovesTheSource(string way)
    {
        var source = Path.Combine(_root, "a.tmp");
        var destination = Path.Combine(_root, "a.json");
        File.WriteAllText(source, "a");

        Move(way, source, destination);

        Assert.Equal("a", File.ReadAllText(destination));
        Assert.False(File.Exists(source));
    }

    [Theory]
    [MemberData(nameof(MoveWays))]
    public void MoveNoReplace_TakenName_ThrowsNamingBothAndKeepsBothFiles(string way)
    {
        var source = Path.Combine(_root, "b.tmp");
        var destination = Path.Combine(_root, "b.json");
        File.WriteAllText(source, "new");
        File.WriteAllText(destination, "old");

        var e = Assert.ThrowsAny<IOException>(() => Move(way, source, destination));

        Assert.IsNotType<FileNotFoundException>(e);
        Assert.Contains(source, e.Message, StringComparison.Ordinal);
        Assert.Contains(destination, e.Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(destination));
        Assert.Equal("new", File.ReadAllText(source));
    }

    [Theory]
    [MemberData(nameof(MoveWays))]
    public void MoveNoReplace_MissingSource_ThrowsFileNotFound(string way)
    {
        var source = Path.Combine(_root, "missing.tmp");

        var e = Assert.Throws<FileNotFoundException>(() => Move(way, source, Path.Combine(_root, "c.json")));

        Assert.Contains(source, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "c.json")));
    }

    /// <summary>
    /// Four threads released together rename their own file to one name, 300 times: exactly one wins each round and
    /// its content is what stays. <c>File.Move(overwrite: false)</c> fails this on Linux within a few rounds (it checks,
    /// then renames), which is how two lake writers once published the same version.
    /// </summary>
    [Theory]
    [MemberData(nameof(MoveWays))]
    public void MoveNoReplace_RacingRenamesToOneName_ExactlyOneWinsEveryRound(string way)
    {
        const int threads = 4;
        const int rounds = 300;
        using var barrier = new Barrier(threads);
        var winners = new int[rounds];
        var losses = new int[rounds];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (var round = 0; round < rounds; round++)
            {
                var source = Path.Combine(_root, $"r{round}-{t}.tmp");
                File.WriteAllText(source, t.ToString(System.Globalization.CultureInfo.InvariantCulture));
                barrier.SignalAndWait();
                try
                {
                    Move(way, source, Path.Combine(_root, $"r{round}.json"));
                    Interlocked.Increment(ref winners[round]);
                }
                catch (IOException) when (File.Exists(source))
                {
                    Interlocked.Increment(ref losses[round]);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(failures);
        for (var round = 0; round < rounds; round++)
        {
            Assert.True(winners[round] == 1, $"round {round}: {winners[round]} renames succeeded");
            Assert.Equal(threads - 1, losses[round]);
            var winner = File.ReadAllText(Path.Combine(_root, $"r{round}.json"));
            Assert.False(File.Exists(Path.Combine(_root, $"r{round}-{winner}.tmp")));
        }
    }

    private static void Move(string way, string source, string destination)
    {
        if (way == "link")
        {
            DurableFile.MoveNoReplaceByLink(Path.GetFullPath(source), Path.GetFullPath(destination));
        }
        else
        {
            DurableFile.MoveNoReplace(source, destination);
        }
    }

    [Fact]
    public void CreateDirectoryDurable_CreatesEveryMissingLevel()
    {
        var path = Path.Combine(_root, "a", "b", "c");

        DurableFile.CreateDirectoryDurable(path);
        DurableFile.CreateDirectoryDurable(path);

        Assert.True(Directory.Exists(path));
    }

    [Fact]
    public void FsyncDirectory_ExistingDirectory_Succeeds() => DurableFile.FsyncDirectory(_root);

    [Fact]
    public void FsyncDirectory_MissingDirectory_ThrowsIOExceptionWithErrno()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var e = Assert.Throws<IOException>(() => DurableFile.FsyncDirectory(Path.Combine(_root, "missing")));
        Assert.Contains("errno", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FsyncDirectory_OnAFile_Throws()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var file = Path.Combine(_root, "f");
        File.WriteAllText(file, "x");

        Assert.Throws<IOException>(() => DurableFile.FsyncDirectory(file));
    }

    [Theory]
    [InlineData("a/b.parquet", true)]
    [InlineData("a/../b.parquet", true)]
    [InlineData(".", true)]
    [InlineData("..", false)]
    [InlineData("../x", false)]
    [InlineData("a/../../x", false)]
    public void IsUnder_RelativeCandidates(string relative, bool expected)
        => Assert.Equal(expected, DurableFile.IsUnder(_root, Path.Combine(_root, relative)));

    [Fact]
    public void IsUnder_SiblingWithSamePrefix_IsFalse()
        => Assert.False(DurableFile.IsUnder(_root, _root + "-other/file"));

    [Fact]
    public void IsUnder_RootWithTrailingSeparator_IsHandled()
        => Assert.True(DurableFile.IsUnder(_root + Path.DirectorySeparatorChar, Path.Combine(_root, "x")));

    [Fact]
    public void IsUnder_CaseDiffers_IsFalseOnLinux()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Assert.False(DurableFile.IsUnder(Path.Combine(_root, "data"), Path.Combine(_root, "DATA", "x")));
    }

    [Fact]
    public void ResolveUnder_Nested_ReturnsFullPath()
        => Assert.Equal(Path.Combine(_root, "a", "b.parquet"), DurableFile.ResolveUnder(_root, "a/b.parquet"));

    [Theory]
    [InlineData("..")]
    [InlineData("../escape.parquet")]
    [InlineData("a/../../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("a\0b")]
    public void ResolveUnder_Escaping_Throws(string relative)
        => Assert.Throws<ArgumentException>(() => DurableFile.ResolveUnder(_root, relative));
}
