using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// File data through the mount: creating, reading, writing, appending and truncating, copy_file_range, O_DIRECT and
/// fsync behave as on the backing store (see <see cref="PosixComparisonTest"/>).
/// </summary>
[Collection(PosixMountCollection.Name)]
public sealed class PosixFileDataTests(PosixMountFixture fixture) : PosixComparisonTest(fixture)
{
    [Fact]
    public void CreateWriteReadAppendAndTruncate_BehaveAsOnTheBackingStore() => SameOnBoth(s =>
    {
        var fd = s.Open("file", O_CREAT | O_EXCL | O_RDWR, Octal("0644"));
        s.Stat("file");
        s.PWrite(fd, "hello, world", 0);
        s.PWrite(fd, "HELLO", 0);
        s.PRead(fd, 64, 0);
        s.PRead(fd, 5, 7);
        s.PRead(fd, 16, 100);
        s.Write(fd, "<start>");
        s.Seek(fd, 0, SEEK_CUR);
        s.Seek(fd, 0, SEEK_END);
        s.Write(fd, "!");
        s.Fstat(fd);
        s.Close(fd);

        s.Open("file", O_CREAT | O_EXCL | O_WRONLY, Octal("0644"), expect: Errno.EEXIST);
        s.Close(s.Open("file", O_EXCL | O_WRONLY)); // O_EXCL without O_CREAT is ignored for regular files
        s.Close(s.Open("read-only-create", O_CREAT | O_RDONLY, Octal("0600")));
        s.Stat("read-only-create");

        // O_APPEND: every write goes to the end, and on Linux even pwrite ignores its offset.
        var append = s.Open("file", O_WRONLY | O_APPEND);
        s.Write(append, " tail");
        s.PWrite(append, "X", 0);
        s.Seek(append, 0, SEEK_CUR);
        s.Close(append);
        s.ReadFile("file");

        s.Truncate("file", 5);
        s.Stat("file");
        s.ReadFile("file");
        s.Truncate("file", 12);
        s.Stat("file");
        s.ReadFile("file");

        var rw = s.Open("file", O_RDWR);
        s.FTruncate(rw, 2);
        s.Fstat(rw);
        s.PRead(rw, 64, 0);
        s.FTruncate(rw, 8192);
        s.Fstat(rw, StatFields.Blocks);
        var grown = s.PRead(rw, 8192, 0);
        s.Note("grown tail reads as zeros", grown.Length == 8192 && IsZeros(Part(grown, 2)));
        s.FTruncate(rw, -1, expect: Errno.EINVAL);
        s.Close(rw);

        var readOnly = s.Open("file", O_RDONLY);
        s.PWrite(readOnly, "no", 0, expect: Errno.EBADF);
        s.Close(readOnly);
        var writeOnly = s.Open("file", O_WRONLY);
        s.PRead(writeOnly, 4, 0, expect: Errno.EBADF);
        s.Close(writeOnly);
        var directory = s.Open(".", O_RDONLY | O_DIRECTORY);
        s.Read(directory, 16, expect: Errno.EISDIR);
        s.Close(directory);

        var truncating = s.Open("file", O_WRONLY | O_TRUNC);
        s.Fstat(truncating);
        s.PWrite(truncating, "new", 0);
        s.Close(truncating);
        s.Stat("file");
        s.ReadFile("file");

        // Larger than one FUSE WRITE or READ (1 MiB): the kernel splits it, the caller must not notice.
        var big = Pattern((int)(3 * MiB) + 5, seed: 1);
        var large = s.Open("large", O_CREAT | O_RDWR, Octal("0644"));
        s.PWrite(large, big, 1);
        s.PRead(large, (int)(4 * MiB), 0);
        s.Fstat(large);
        s.Close(large);
    });

    [Fact]
    public void CopyFileRange_CopiesAMegabyteBetweenOffsets() => SameOnBoth(s =>
    {
        var source = Pattern((int)(MiB + (8 * KiB)), seed: 12);
        s.WriteFile("source", source);
        var input = s.Open("source", O_RDONLY);
        var output = s.Open("copy", O_CREAT | O_WRONLY, Octal("0644"));
        s.CopyRange(input, 4096, output, 8192, MiB);
        s.Seek(input, 0, SEEK_CUR);
        s.Seek(output, 0, SEEK_CUR);

        // Without offsets the copy starts at, and advances, the file positions.
        s.Seek(input, 100, SEEK_SET);
        s.Seek(output, 8192 + MiB, SEEK_SET);
        s.CopyRange(input, null, output, null, 1000);
        s.Seek(input, 0, SEEK_CUR);
        s.Seek(output, 0, SEEK_CUR);
        s.Close(input);
        s.Close(output);

        s.Stat("copy");
        var copy = s.ReadFile("copy");
        s.Note("the gap before the copy is zeros", copy.Length >= 8192 && IsZeros(Part(copy, 0, 8192)));
        s.Note("the megabyte arrived intact", Part(copy, 8192, (int)MiB).SequenceEqual(source.AsSpan(4096, (int)MiB)));
        s.Note("the positional copy arrived intact", Part(copy, 8192 + (int)MiB).SequenceEqual(source.AsSpan(100, 1000)));

        var readOnly = s.Open("copy", O_RDONLY);
        var again = s.Open("source", O_RDONLY);
        s.CopyRange(again, 0, readOnly, 0, 10, expect: Errno.EBADF);
        s.Close(again);
        s.Close(readOnly);
    });

    [Fact]
    public unsafe void ODirectWrites_AlignedOrNot_SucceedAndLandInTheBackingFile()
    {
        // Mount only: the backing store would refuse the unaligned requests (EINVAL), but FUSE accepts them and the
        // mount must carry them out instead of passing the backing file's alignment rules on to the application.
        var path = Path.Combine(ViaFuse, "direct.bin");
        const int Block = 4096;
        var buffer = (byte*)NativeMemory.AlignedAlloc(4 * Block, Block);
        var fd = -1;
        try
        {
            var pattern = Pattern(4 * Block, seed: 14);
            pattern.CopyTo(new Span<byte>(buffer, 4 * Block));
            var expected = new byte[(3 * Block) + 13];

            fd = Open(path, O_CREAT | O_RDWR | O_DIRECT | O_CLOEXEC, Octal("0644"));
            Assert.True(fd >= 0, $"open O_DIRECT: {PosixSession.ErrnoText(LastErrno)}");

            void Write(byte* from, int length, long offset, string what)
            {
                var written = PWrite(fd, from, length, offset);
                Assert.True(written == length, $"O_DIRECT pwrite {what} ({length} bytes at {offset}): returned {written}, {PosixSession.ErrnoText(LastErrno)}");
                new ReadOnlySpan<byte>(from, length).CopyTo(expected.AsSpan((int)offset));
            }

            Write(buffer, 2 * Block, 0, "aligned");
            Write(buffer + Block, Block, 2 * Block, "aligned");
            Write(buffer + 1, 1000, 1, "from an unaligned buffer at an unaligned offset");
            Write(buffer, Block + 100, Block, "of an unaligned length");
            Write(buffer + 7, 13, 3 * Block, "extending the file, unaligned");

            var stx = default(Statx);
            Assert.True(StatX(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0, $"fstat: {PosixSession.ErrnoText(LastErrno)}");
            Assert.True(stx.Size == (ulong)expected.Length, $"fstat after O_DIRECT writes: size {stx.Size}, expected {expected.Length}");

            var back = (byte*)NativeMemory.AlignedAlloc(4 * Block, Block);
            try
            {
                var read = PRead(fd, back, 4 * Block, 0);
                Assert.True(read == expected.Length, $"O_DIRECT pread aligned: returned {read}, {PosixSession.ErrnoText(LastErrno)}");
                Assert.True(new ReadOnlySpan<byte>(back, expected.Length).SequenceEqual(expected), "O_DIRECT pread aligned: data differs");
                read = PRead(fd, back + 3, 100, 5);
                Assert.True(read == 100, $"O_DIRECT pread unaligned: returned {read}, {PosixSession.ErrnoText(LastErrno)}");
                Assert.True(new ReadOnlySpan<byte>(back + 3, 100).SequenceEqual(expected.AsSpan(5, 100)), "O_DIRECT pread unaligned: data differs");
            }
            finally
            {
                NativeMemory.AlignedFree(back);
            }

            Assert.True(Close(fd) == 0, $"close: {PosixSession.ErrnoText(LastErrno)}");
            fd = -1;
            var backing = File.ReadAllBytes(Path.Combine(ViaFuseOnBacking, "direct.bin"));
            Assert.True(backing.Length == expected.Length, $"backing file after O_DIRECT writes: {backing.Length} bytes, expected {expected.Length}");
            var first = backing.AsSpan().CommonPrefixLength(expected);
            Assert.True(first == expected.Length, $"backing file after O_DIRECT writes: first difference at byte {first}");
        }
        finally
        {
            if (fd >= 0)
            {
                Close(fd);
            }

            NativeMemory.AlignedFree(buffer);
        }
    }

    [Fact]
    public void FsyncAndFdatasync_SucceedAndTheBackingFileHoldsTheData() => SameOnBoth(s =>
    {
        var data = Pattern((int)(256 * KiB), seed: 17);
        var fd = s.Open("file", O_CREAT | O_WRONLY, Octal("0644"));
        s.PWrite(fd, data, 0);
        s.FSync(fd);
        var stored = s.ReadBacking("file");
        s.Note("after fsync the backing file holds the data", stored.AsSpan().SequenceEqual(data));
        s.PWrite(fd, "appended", data.Length);
        s.FDataSync(fd);
        s.ReadBacking("file");
        s.Close(fd);

        var readOnly = s.Open("file", O_RDONLY);
        s.FSync(readOnly);
        s.FDataSync(readOnly);
        s.Close(readOnly);
        var directory = s.Open(".", O_RDONLY | O_DIRECTORY);
        s.FSync(directory);
        s.FDataSync(directory);
        s.Close(directory);
    });
}
