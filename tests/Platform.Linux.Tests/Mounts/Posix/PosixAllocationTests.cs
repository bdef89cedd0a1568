using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// Space through the mount: fallocate, holes as SEEK_DATA and SEEK_HOLE find them, sizes and offsets beyond 32 bits,
/// and statfs of the volume are those of the backing store (see <see cref="PosixComparisonTest"/>).
/// </summary>
[Collection(PosixMountCollection.Name)]
public sealed class PosixAllocationTests(PosixMountFixture fixture) : PosixComparisonTest(fixture)
{
    [Fact]
    public void Fallocate_AllocatesPunchesAndZeroes_AsTheBackingStoreDoes() => SameOnBoth(s =>
    {
        var fd = s.Open("file", O_CREAT | O_RDWR, Octal("0644"));
        s.FAllocate(fd, 0, 0, MiB, expect: null);
        s.Fstat(fd, StatFields.Blocks);
        var data = Pattern((int)MiB, seed: 9);
        s.PWrite(fd, data, 0);
        s.FSync(fd);
        var full = s.Fstat(fd, StatFields.Blocks);

        s.FAllocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 256 * KiB, 512 * KiB, expect: null);
        var punched = s.Fstat(fd, StatFields.Blocks);
        s.Note("st_blocks dropped after the punch", punched.Blocks < full.Blocks);
        var hole = s.PRead(fd, (int)(512 * KiB), 256 * KiB);
        s.Note("punched range reads as zeros", hole.Length == 512 * KiB && IsZeros(hole));
        var kept = s.PRead(fd, (int)(256 * KiB), 768 * KiB);
        s.Note("data after the hole is intact", kept.AsSpan().SequenceEqual(data.AsSpan((int)(768 * KiB))));

        s.FAllocate(fd, FALLOC_FL_ZERO_RANGE, 4096, 64 * KiB, expect: null);
        s.Fstat(fd, StatFields.Blocks);
        var zeroed = s.PRead(fd, (int)(64 * KiB), 4096);
        s.Note("zeroed range reads as zeros", zeroed.Length == 64 * KiB && IsZeros(zeroed));
        s.Note("data before the zeroed range is intact", s.PRead(fd, 4096, 0).AsSpan().SequenceEqual(data.AsSpan(0, 4096)));

        s.FAllocate(fd, FALLOC_FL_ZERO_RANGE, MiB, 64 * KiB, expect: null); // past the end, without KEEP_SIZE: grows
        s.Fstat(fd, StatFields.Blocks);
        s.FAllocate(fd, FALLOC_FL_KEEP_SIZE, 2 * MiB, MiB, expect: null); // allocates past the end, size unchanged
        s.Fstat(fd, StatFields.Blocks);
        s.FAllocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096, expect: Errno.EOPNOTSUPP); // punching needs KEEP_SIZE
        s.FAllocate(fd, 0, 0, 0, expect: Errno.EINVAL);
        s.Close(fd);

        var readOnly = s.Open("file", O_RDONLY);
        s.FAllocate(readOnly, 0, 0, 4096, expect: Errno.EBADF);
        s.Close(readOnly);
    });

    [Fact]
    public void SparseFiles_ReportTheSameDataAndHoles() => SameOnBoth(s =>
    {
        var fd = s.Open("sparse", O_CREAT | O_RDWR, Octal("0644"));
        s.PWrite(fd, "start", 0);
        s.PWrite(fd, "one gibibyte in", GiB);
        s.FSync(fd);
        s.Fstat(fd, StatFields.Blocks);
        foreach (var offset in new[] { 0, 1, 4095, 4096, 64 * KiB, GiB - 1, GiB, GiB + 14, GiB + 15, 2 * GiB })
        {
            s.Seek(fd, offset, SEEK_DATA, expect: null);
            s.Seek(fd, offset, SEEK_HOLE, expect: null);
        }

        var middle = s.PRead(fd, 4096, GiB / 2);
        s.Note("the hole reads as zeros", middle.Length == 4096 && IsZeros(middle));
        s.PRead(fd, 32, GiB);
        s.PRead(fd, 8, 0);
        s.Close(fd);
    });

    [Fact]
    public void FilesBeyondFourGigabytes_KeepTheirSizeAndData() => SameOnBoth(s =>
    {
        var fd = s.Open("large", O_CREAT | O_RDWR, Octal("0644"));
        s.PWrite(fd, "at five gibibytes", 5 * GiB);
        s.PWrite(fd, "ACROSS", (4 * GiB) - 3); // straddles the 32-bit boundary
        s.Fstat(fd, StatFields.Blocks);
        s.PRead(fd, 64, 5 * GiB);
        s.PRead(fd, 6, (4 * GiB) - 3);
        s.PRead(fd, 16, 4 * GiB + 3);
        s.Seek(fd, 0, SEEK_END);
        s.Seek(fd, 4 * GiB, SEEK_DATA, expect: null);
        s.Close(fd);
        s.Stat("large");
        s.Truncate("large", (4 * GiB) + 1);
        s.Stat("large");
    });

    [Fact]
    public unsafe void Statfs_ReportsTheBackingVolume()
    {
        StatFs mounted, native;
        Assert.True(StatFileSystem(ViaFuse, &mounted) == 0, $"statfs on the mount: {PosixSession.ErrnoText(LastErrno)}");
        Assert.True(StatFileSystem(Native, &native) == 0, $"statfs on the backing store: {PosixSession.ErrnoText(LastErrno)}");

        Assert.True(native.BlockSize == mounted.BlockSize, $"statfs f_bsize: native {native.BlockSize}, mount {mounted.BlockSize}");
        Assert.True(native.FragmentSize == mounted.FragmentSize, $"statfs f_frsize: native {native.FragmentSize}, mount {mounted.FragmentSize}");
        Assert.True(native.Blocks == mounted.Blocks, $"statfs f_blocks: native {native.Blocks}, mount {mounted.Blocks}");
        Assert.True(native.Files == mounted.Files, $"statfs f_files: native {native.Files}, mount {mounted.Files}");
        Assert.True(native.NameMax == mounted.NameMax, $"statfs f_namelen: native {native.NameMax}, mount {mounted.NameMax}");

        // The free counts belong to a live volume: anything else on the machine (builds, logs, the other test
        // directories) may allocate or free between the two calls, so they only have to agree within 64 MiB of
        // blocks and 1024 inodes.
        var blockSlack = (ulong)(64 * MiB / Math.Max(native.BlockSize, 1));
        Assert.True(Near(native.BlocksFree, mounted.BlocksFree, blockSlack), $"statfs f_bfree: native {native.BlocksFree}, mount {mounted.BlocksFree}");
        Assert.True(Near(native.BlocksAvailable, mounted.BlocksAvailable, blockSlack), $"statfs f_bavail: native {native.BlocksAvailable}, mount {mounted.BlocksAvailable}");
        Assert.True(Near(native.FilesFree, mounted.FilesFree, 1024), $"statfs f_ffree: native {native.FilesFree}, mount {mounted.FilesFree}");

        static bool Near(ulong a, ulong b, ulong slack) => (a > b ? a - b : b - a) <= slack;
    }
}
