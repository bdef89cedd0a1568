using System.Runtime.InteropServices;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// Memory mappings of files (mmap, msync, munmap), for the exerciser's mapped reads and writes; the rest of the
/// declarations, and why the tests keep their own, are in <c>Libc.cs</c>.
/// </summary>
internal static unsafe partial class Libc
{
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;

    public const int MAP_SHARED = 0x01;

    public const int MS_ASYNC = 0x1;
    public const int MS_INVALIDATE = 0x2;
    public const int MS_SYNC = 0x4;

    public const uint STATX_SIZE = 0x200;

    /// <summary>What mmap returns on failure: <c>MAP_FAILED</c>, <c>(void *) -1</c>.</summary>
    public static readonly void* MapFailed = (void*)-1;

    [LibraryImport(Library, EntryPoint = "mmap64", SetLastError = true)]
    public static partial void* MMap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "msync", SetLastError = true)]
    public static partial int MSync(void* address, nuint length, int flags);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int MUnmap(void* address, nuint length);
}
