using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace DataEng.Core.Tests.Kernels;

/// <summary>Runs only on Linux, where large pooled blocks are anonymous mappings.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute; the test is skipped with the reason on other systems.</summary>
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Large blocks are mapped with mmap only on Linux.";
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResidentSetCollection
{
    /// <summary>Tests that read the process's resident set run alone, so no other test moves it.</summary>
    public const string Name = "Resident set";
}

public class PooledMemoryAllocatorMappedTests
{
    private const int Large = 4 * 1024 * 1024;

    [LinuxFact]
    public void Allocate_FreshLargeBlock_IsZeroWithoutClearingAndAfterUnmapping()
    {
        using var pool = new PooledMemoryAllocator(new PooledMemoryAllocatorOptions { MaxRetainedBytes = 0 });
        for (var round = 0; round < 3; round++)
        {
            using var owner = pool.Allocate(Large);
            var span = owner.Memory.Span;
            Assert.Equal(-1, span.IndexOfAnyExcept((byte)0));
            span.Fill(0xAB);
        }

        Assert.Equal(3, pool.FreshAllocations);
        Assert.Equal(0, pool.RetainedBytes);
    }

    [LinuxFact]
    public void Allocate_ReusedLargeBlock_IsClearedAgain()
    {
        using var pool = new PooledMemoryAllocator();
        using (var first = pool.Allocate(Large))
        {
            first.Memory.Span.Fill(0xCD);
        }

        using var second = pool.Allocate(Large);

        Assert.Equal(1, pool.ReusedAllocations);
        Assert.Equal(-1, second.Memory.Span.IndexOfAnyExcept((byte)0));
    }

    [LinuxFact]
    public void Free_LargeBlock_UnmapsItsAddressRange()
    {
        using var pool = new PooledMemoryAllocator(new PooledMemoryAllocatorOptions { MaxRetainedBytes = 0 });
        var owner = pool.Allocate(Large);
        owner.Memory.Span.Fill(1);
        var address = Address(owner);
        Assert.True(IsMapped(address), "the block's address is not in /proc/self/maps while it is in use");

        owner.Dispose();

        // Another thread may map the same range again at once; a range found mapped right after munmap is only
        // accepted if it is not the block's own mapping (same start and size).
        Assert.False(IsOwnMapping(address, Large), "the block's mapping is still present after it was freed beyond the pool's bound");
    }

    internal static long Address(IMemoryOwner<byte> owner)
        => Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref MemoryMarshal.GetReference(owner.Memory.Span));

    internal static bool IsMapped(long address) => Mappings().Any(m => m.Start <= address && address < m.End);

    private static bool IsOwnMapping(long address, long size) => Mappings().Any(m => m.Start == address && m.End - m.Start == size);

    private static IEnumerable<(long Start, long End)> Mappings()
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var match = Regex.Match(line, "^([0-9a-f]+)-([0-9a-f]+) ");
            if (match.Success)
            {
                yield return (Convert.ToInt64(match.Groups[1].Value, 16), Convert.ToInt64(match.Groups[2].Value, 16));
            }
        }
    }
}

[Collection(ResidentSetCollection.Name)]
public class PooledMemoryAllocatorResidentSetTests
{
    [LinuxFact]
    public void Free_BeyondTheBound_GivesTheMemoryBackToTheSystem()
    {
        // 64 blocks of 3 MiB with interleaved lifetimes: the pattern under which the C heap kept freed blocks (glibc
        // raises its mmap threshold after the first freed mapping and then serves such blocks from its arenas).
        const int block = 3 * 1024 * 1024;
        using var pool = new PooledMemoryAllocator(new PooledMemoryAllocatorOptions { MaxRetainedBytes = 0 });
        var owners = new List<IMemoryOwner<byte>>();
        for (var i = 0; i < 64; i++)
        {
            var owner = pool.Allocate(block + (i * 4096));
            owner.Memory.Span.Fill(7);
            owners.Add(owner);
            if (i % 3 == 0)
            {
                owners[0].Dispose();
                owners.RemoveAt(0);
            }
        }

        var before = ResidentBytes();
        var held = owners.Count * (long)block;
        owners.ForEach(static o => o.Dispose());
        var after = ResidentBytes();

        Assert.True(held > 100L * 1024 * 1024, $"the test holds only {held} bytes");
        Assert.True(before - after > held * 3 / 4, $"freeing {held / 1048576} MiB lowered the resident set by only {(before - after) / 1048576} MiB ({before / 1048576} → {after / 1048576} MiB)");
    }

    private static long ResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(static l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(Regex.Match(line, "[0-9]+").Value, System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
