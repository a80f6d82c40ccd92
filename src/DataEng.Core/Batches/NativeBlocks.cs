using System.Runtime.InteropServices;

namespace DataEng.Core;

/// <summary>
/// Allocates and frees the native blocks behind <see cref="PooledMemoryAllocator"/>. On Linux, blocks of
/// <see cref="MappedThreshold"/> bytes or more are anonymous private mappings: freeing one returns its pages to the
/// operating system at once, and a fresh one arrives zero-filled (the kernel zeroes pages on first touch, so the
/// caller need not clear it). Smaller blocks, and every block elsewhere, come from the C runtime's aligned heap.
/// </summary>
/// <remarks>
/// glibc serves requests below its adaptive mmap threshold (raised after each freed mapping, up to 32 MiB on 64-bit)
/// from its arenas and keeps freed memory there; a streaming run that allocates and frees batches of a few megabytes
/// then holds a heap that grows with its input. Whether a block is mapped is decided by its size alone, so
/// <see cref="Free"/> needs no bookkeeping beyond the size the block was allocated with.
/// </remarks>
internal static partial class NativeBlocks
{
    /// <summary>The smallest block that is mapped directly on Linux (glibc's own default threshold).</summary>
    public const int MappedThreshold = 128 * 1024;

    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;

    private static readonly bool s_map = OperatingSystem.IsLinux();

    /// <summary>Gets a value indicating whether a block of <paramref name="size"/> bytes is mapped directly.</summary>
    /// <param name="size">The block size in bytes.</param>
    /// <returns><see langword="true"/> when the block comes from <c>mmap</c>.</returns>
    public static bool IsMapped(int size) => s_map && size >= MappedThreshold;

    /// <summary>Allocates a block of at least <paramref name="size"/> bytes aligned to <paramref name="alignment"/>.</summary>
    /// <param name="size">The size in bytes (positive).</param>
    /// <param name="alignment">The alignment, a power of two no larger than a page.</param>
    /// <param name="zeroed">Set to <see langword="true"/> when the block is known to be all zero bytes.</param>
    /// <returns>The block's address.</returns>
    /// <exception cref="InsufficientMemoryException">The operating system refused the mapping.</exception>
    public static unsafe nint Allocate(int size, int alignment, out bool zeroed)
    {
        if (IsMapped(size))
        {
            var address = Mmap(0, (nuint)size, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (address == -1)
            {
                throw new InsufficientMemoryException($"mmap of {size} bytes failed (errno {Marshal.GetLastPInvokeError()}).");
            }

            zeroed = true;
            return address;
        }

        zeroed = false;
        return (nint)NativeMemory.AlignedAlloc((nuint)size, (nuint)alignment);
    }

    /// <summary>Frees a block returned by <see cref="Allocate"/>.</summary>
    /// <param name="block">The block's address.</param>
    /// <param name="size">The size it was allocated with.</param>
    public static unsafe void Free(nint block, int size)
    {
        if (IsMapped(size))
        {
            // munmap only fails for an address range that was never mapped: a bug, not a runtime condition.
            var result = Munmap(block, (nuint)size);
            System.Diagnostics.Debug.Assert(result == 0, "munmap of a block this class mapped failed");
            return;
        }

        NativeMemory.AlignedFree((void*)block);
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int descriptor, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);
}
