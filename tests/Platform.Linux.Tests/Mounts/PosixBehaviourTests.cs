using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// A mirror must be indistinguishable from what it mirrors. Each test runs one sequence of libc calls twice: in a
/// directory reached through a real ThrottleFs mount, and in a sibling directory on the backing store itself. Every
/// call writes its outcome (return value or errno, stat fields, listing, bytes read) into a transcript, and the two
/// transcripts must match line for line; a mismatch names the call. The backing store is the reference, so the tests
/// hold on whatever filesystem /tmp is, and a mode the backing store refuses must be refused the same way.
/// </summary>
public sealed class PosixBehaviourTests : IClassFixture<PosixBehaviourTests.MountFixture>, IDisposable
{
    private const long KiB = 1024;
    private const long MiB = 1024 * KiB;
    private const long GiB = 1024 * MiB;

    private static int _pairs;

    private readonly MountedFileSystem _mount;
    private readonly string _viaFuse;
    private readonly string _viaFuseOnBacking;
    private readonly string _native;

    public PosixBehaviourTests(MountFixture fixture)
    {
        _mount = fixture.Mount;
        var pair = Interlocked.Increment(ref _pairs);
        _viaFuse = _mount.OnMount($"viafuse-{pair}");
        _viaFuseOnBacking = _mount.OnBacking($"viafuse-{pair}");
        _native = _mount.OnBacking($"native-{pair}");
        Directory.CreateDirectory(_viaFuse);
        Directory.CreateDirectory(_native);
    }

    public void Dispose()
    {
        // Through the mount, so the kernel drops what it cached of the pair; the backing store if that fails.
        foreach (var (path, fallback) in new[] { (_viaFuse, _viaFuseOnBacking), (_native, _native) })
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                try
                {
                    Directory.Delete(fallback, recursive: true);
                }
                catch (Exception again) when (again is IOException or UnauthorizedAccessException)
                {
                    // the fixture deletes the whole temporary tree after unmounting
                }
            }
        }
    }

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
    public void FailingCalls_ReturnTheSameErrnoAsTheBackingStore() => SameOnBoth(s =>
    {
        s.Stat("missing", expect: Errno.ENOENT);
        s.Lstat("missing", expect: Errno.ENOENT);
        s.Open("missing", O_RDONLY, expect: Errno.ENOENT);
        s.Open("missing/child", O_CREAT | O_WRONLY, Octal("0644"), expect: Errno.ENOENT);
        s.Unlink("missing", expect: Errno.ENOENT);
        s.Rmdir("missing", expect: Errno.ENOENT);
        s.Rename("missing", "other", expect: Errno.ENOENT);

        s.Mkdir("dir", Octal("0755"));
        s.Mkdir("dir", Octal("0755"), expect: Errno.EEXIST);
        s.WriteFile("file", "x");
        s.Open("file", O_CREAT | O_EXCL | O_WRONLY, Octal("0644"), expect: Errno.EEXIST);
        s.Mkdir("file", Octal("0755"), expect: Errno.EEXIST);
        s.Symlink("target", "file", expect: Errno.EEXIST);
        s.Link("file", "dir", expect: Errno.EEXIST);
        s.MkNod("file", S_IFIFO | Octal("0644"), 0, expect: Errno.EEXIST);

        s.Mkdir("dir/sub", Octal("0755"));
        s.WriteFile("dir/sub/file", "y");
        s.Rmdir("dir", expect: Errno.ENOTEMPTY);
        s.Rmdir("dir/sub", expect: Errno.ENOTEMPTY);

        s.Unlink("dir", expect: Errno.EISDIR);
        s.Open("dir", O_WRONLY, expect: Errno.EISDIR);
        s.Open("dir", O_RDWR, expect: Errno.EISDIR);
        s.Truncate("dir", 0, expect: Errno.EISDIR);
        s.Close(s.Open("dir", O_RDONLY));

        s.Stat("file/x", expect: Errno.ENOTDIR);
        s.Open("file/x", O_CREAT | O_WRONLY, Octal("0644"), expect: Errno.ENOTDIR);
        s.Mkdir("file/x", Octal("0755"), expect: Errno.ENOTDIR);
        s.Rmdir("file", expect: Errno.ENOTDIR);
        s.Open("file", O_RDONLY | O_DIRECTORY, expect: Errno.ENOTDIR);

        s.ReadLink("file", expect: Errno.EINVAL);
        s.ReadLink("dir", expect: Errno.EINVAL);

        var tooLong = new string('n', 256);
        s.Open(tooLong, O_CREAT | O_WRONLY, Octal("0644"), expect: Errno.ENAMETOOLONG);
        s.Stat(tooLong, expect: Errno.ENAMETOOLONG);
        s.Mkdir(tooLong, Octal("0755"), expect: Errno.ENAMETOOLONG);
        s.Symlink("file", tooLong, expect: Errno.ENAMETOOLONG);
        s.Rename("file", tooLong, expect: Errno.ENAMETOOLONG);
        var longest = new string('n', 255);
        s.WriteFile(longest, "fits");
        s.Stat(longest);
        s.List(".");
    });

    [Fact]
    public void NestedDirectories_ListTheSameNamesAndTypes_BeforeAndAfterRenames() => SameOnBoth(s =>
    {
        s.Mkdir("a", Octal("0755"));
        s.Mkdir("a/b", Octal("0750"));
        s.Mkdir("a/b/c", Octal("0700"));
        s.WriteFile("a/f1", "one");
        s.WriteFile("a/b/f2", "two");
        s.Symlink("f1", "a/link");
        s.MkNod("a/fifo", S_IFIFO | Octal("0644"), 0);
        s.Stat("a");
        s.Stat("a/b");
        s.Stat("a/b/c");
        s.List(".");
        s.List("a");
        s.List("a/b");
        s.List("a/b/c");

        s.Rename("a/b", "a/b2");
        s.Rename("a/f1", "a/b2/f1");
        s.Rename("a/b2/c", "c-top");
        s.Rename("a/link", "a/b2/c-link");
        s.List(".");
        s.List("a");
        s.List("a/b2");
        s.Stat("a");
        s.Stat("a/b2");
        s.ReadFile("a/b2/f1");
        s.Stat("a/b", expect: Errno.ENOENT);

        s.Rmdir("a/b2", expect: Errno.ENOTEMPTY);
        s.Rmdir("c-top");
        s.List(".");

        // Enough entries that a listing takes several READDIR requests, each resuming at the offset the last ended.
        s.Mkdir("many", Octal("0755"));
        for (var i = 0; i < 300; i++)
        {
            s.Close(s.Open($"many/entry-with-a-longish-name-{i:D3}", O_CREAT | O_WRONLY, Octal("0644")));
        }

        s.Mkdir("many/subdirectory", Octal("0755"));
        s.List("many");
        for (var i = 0; i < 300; i += 3)
        {
            s.Rename($"many/entry-with-a-longish-name-{i:D3}", $"many/renamed-{i:D3}");
        }

        s.List("many");
    });

    [Fact]
    public void Rename_ReplacesRefusesAndExchanges_AsTheBackingStoreDoes() => SameOnBoth(s =>
    {
        s.WriteFile("x", "one");
        s.WriteFile("y", "two");
        s.Rename("x", "y");
        s.ReadFile("y");
        s.Stat("x", expect: Errno.ENOENT);

        s.WriteFile("p", "p-data");
        s.Rename2("p", "y", RENAME_NOREPLACE, expect: Errno.EEXIST);
        s.ReadFile("p");
        s.ReadFile("y");
        s.Rename2("p", "q", RENAME_NOREPLACE);
        s.Stat("p", expect: Errno.ENOENT);
        s.ReadFile("q");

        s.WriteFile("left", "L");
        s.WriteFile("right", "RIGHT");
        s.Rename2("left", "right", RENAME_EXCHANGE);
        s.ReadFile("left");
        s.ReadFile("right");
        s.Stat("left");
        s.Stat("right");

        s.Mkdir("dir", Octal("0750"));
        s.WriteFile("dir/inside", "in");
        s.Rename2("left", "dir", RENAME_EXCHANGE);
        s.Stat("left");
        s.Stat("dir");
        s.ReadFile("left/inside");
        s.ReadFile("dir");
        s.List(".");
        s.List("left");
        s.Rename2("q", "absent", RENAME_EXCHANGE, expect: Errno.ENOENT);
        s.Rename2("q", "y", RENAME_NOREPLACE | RENAME_EXCHANGE, expect: Errno.EINVAL);

        s.Mkdir("empty", Octal("0755"));
        s.Rename("q", "left", expect: Errno.EISDIR);
        s.Rename("left", "q", expect: Errno.ENOTDIR);
        s.Mkdir("other", Octal("0755"));
        s.Rename("other", "left", expect: Errno.ENOTEMPTY);
        s.Rename("other", "empty");
        s.Rename("left", "left/inner", expect: Errno.EINVAL);
        s.Rename("y", "y");
        s.List(".");
    });

    [Fact]
    public void SymlinksAndHardLinks_ResolveAndCountLinks_AsTheBackingStoreDoes() => SameOnBoth(s =>
    {
        s.WriteFile("target.txt", "the target");
        s.Symlink("target.txt", "relative");
        s.Symlink(s.PathOf("target.txt"), "absolute");
        s.Symlink("nowhere", "dangling");
        s.Mkdir("dir", Octal("0755"));
        s.Symlink("../target.txt", "dir/up");

        foreach (var link in new[] { "relative", "absolute", "dangling", "dir/up" })
        {
            s.ReadLink(link);
            s.Lstat(link, link == "absolute" ? StatFields.NoSize : StatFields.Basic);
        }

        s.Note("an absolute link's size is its target's length", s.Lstat("absolute", StatFields.NoSize).Size == (ulong)s.PathOf("target.txt").Length);

        s.Stat("relative");
        s.Stat("absolute");
        s.Stat("dir/up");
        s.Stat("dangling", expect: Errno.ENOENT);
        s.ReadFile("relative");
        s.ReadFile("dir/up");
        s.Open("dangling", O_RDONLY, expect: Errno.ENOENT);
        s.Open("relative", O_RDONLY | O_NOFOLLOW, expect: Errno.ELOOP);
        s.Close(s.Open("dangling", O_CREAT | O_WRONLY, Octal("0644"))); // creates "nowhere" through the link
        s.Stat("nowhere");
        s.Symlink(new string('t', 4095), "longest-target");
        s.ReadLink("longest-target");
        s.Lstat("longest-target");
        s.Symlink(new string('t', 4096), "too-long-target", expect: Errno.ENAMETOOLONG);
        s.List(".");

        // link() does not follow a symlink: the new name is a second link to the symlink itself.
        s.Link("relative", "hard-to-symlink");
        s.Lstat("hard-to-symlink");
        s.ReadLink("hard-to-symlink");
        s.Lstat("relative");

        s.WriteFile("first", "shared data");
        var before = s.Stat("first");
        s.Link("first", "second");
        var first = s.Stat("first");
        var second = s.Stat("second");
        s.Note("both names share one inode", first.Ino == second.Ino);
        s.Note("the inode survives link()", first.Ino == before.Ino);
        s.Link("dir", "dir-link", expect: Errno.EPERM);
        s.Unlink("first");
        s.Stat("second");
        s.ReadFile("second");
        s.Stat("first", expect: Errno.ENOENT);
    });

    [Fact]
    public void MknodOfAFifo_CreatesAFifoWithTheRequestedMode() => SameOnBoth(s =>
    {
        s.MkNod("fifo", S_IFIFO | Octal("0640"), 0);
        s.Lstat("fifo");
        s.Stat("fifo");
        s.MkNod("fifo-default", S_IFIFO | Octal("0666"), 0); // under the umask, as mkfifo would
        s.Stat("fifo-default");
        s.MkNod("fifo", S_IFIFO | Octal("0640"), 0, expect: Errno.EEXIST);
        s.MkNod("regular", S_IFREG | Octal("0600"), 0);
        s.Stat("regular");

        // Device numbers travel through FUSE in a 32-bit encoding: a small and a large minor must both survive.
        s.MkNod("null-like", S_IFCHR | Octal("0600"), MakeDev(1, 3));
        s.Stat("null-like", StatFields.Rdev);
        s.MkNod("big-minor", S_IFCHR | Octal("0600"), MakeDev(259, 70000));
        s.Stat("big-minor", StatFields.Rdev);
        s.List(".");
    });

    [Fact]
    public void ChmodChownUtimensatAndTruncate_SetTheSameAttributes() => SameOnBoth(s =>
    {
        s.WriteFile("file", "0123456789");
        s.Chmod("file", Octal("0640"));
        s.Stat("file");
        s.Chmod("file", Octal("04755"));
        s.Stat("file");
        s.Chown("file", 1000, 1000); // also clears the set-user-id bit
        s.Stat("file");
        s.Chmod("file", Octal("06755"));
        s.Chown("file", 0, 0);
        s.Stat("file");
        s.Chown("file", uint.MaxValue, uint.MaxValue); // -1, -1: no change
        s.Stat("file");
        s.Mkdir("dir", Octal("0755"));
        s.Chmod("dir", Octal("01777"));
        s.Chown("dir", 1000, 1000);
        s.Stat("dir");

        // A set-group-id directory hands its group (and, to subdirectories, the bit) down to what is created in it.
        s.Mkdir("shared", Octal("0775"));
        s.Chown("shared", 0, 1000);
        s.Chmod("shared", Octal("02775"));
        s.Stat("shared");
        s.Mkdir("shared/sub", Octal("0755"));
        s.Stat("shared/sub");
        s.WriteFile("shared/file", "x");
        s.Stat("shared/file");

        s.Symlink("file", "owned-link");
        s.LChown("owned-link", 1000, 1001);
        s.Lstat("owned-link");
        s.Stat("file");
        s.Chown("owned-link", 2000, 2000); // chown follows the link
        s.Lstat("owned-link");
        s.Stat("file");
        s.Chown("file", 0, 0);

        s.Utimens("file", new TimeSpec(1_600_000_000, 123_456_789), new TimeSpec(1_700_000_000, 987_654_321));
        s.Stat("file", StatFields.Times);
        s.Utimens("file", new TimeSpec(0, UTIME_OMIT), new TimeSpec(1_650_000_000, 5));
        s.Stat("file", StatFields.Times);
        s.Utimens("file", new TimeSpec(1_610_000_000, 999_999_999), new TimeSpec(0, UTIME_OMIT));
        s.Stat("file", StatFields.Times);
        s.Utimens("file", new TimeSpec(-1, 0), new TimeSpec(0, UTIME_OMIT)); // before the epoch
        s.Stat("file", StatFields.Times);
        s.Utimens("file", new TimeSpec(0, 1_000_000_000), new TimeSpec(0, UTIME_OMIT), expect: Errno.EINVAL);

        // UTIME_NOW: the exact instant differs between the runs; both must land in the call's window.
        var start = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        s.Utimens("file", new TimeSpec(0, UTIME_NOW), new TimeSpec(0, UTIME_OMIT));
        var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        var touched = s.Stat("file");
        s.Note("atime is now", touched.Atime.Seconds >= start && touched.Atime.Seconds <= end);
        s.Note("mtime kept", touched.Mtime is { Seconds: 1_650_000_000, Nanoseconds: 5 });
        s.Utimens("file", new TimeSpec(0, UTIME_NOW), new TimeSpec(0, UTIME_NOW));
        touched = s.Stat("file");
        s.Note("mtime is now", touched.Mtime.Seconds >= start && touched.Mtime.Seconds <= DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);

        s.Symlink("file", "link");
        s.Utimens("link", new TimeSpec(1_500_000_000, 1), new TimeSpec(1_500_000_000, 2), AT_SYMLINK_NOFOLLOW);
        s.Lstat("link", StatFields.Times);
        s.Utimens("file", new TimeSpec(1_600_000_000, 7), new TimeSpec(1_600_000_000, 8));
        s.Stat("file", StatFields.Times);

        s.Truncate("file", 100);
        s.Stat("file");
        s.Truncate("file", 4);
        s.Stat("file");
        var fd = s.Open("file", O_WRONLY);
        s.FTruncate(fd, 3);
        s.Fstat(fd);
        s.FTruncate(fd, 4096);
        s.Fstat(fd);
        s.Close(fd);
        s.ReadFile("file");
        var readOnly = s.Open("file", O_RDONLY);
        s.FTruncate(readOnly, 0, expect: Errno.EINVAL);
        s.Close(readOnly);
        s.Stat("file");
    });

    [Fact]
    public void ExtendedAttributes_AreSetReadListedAndRemoved_WithTheSameErrors() => SameOnBoth(s =>
    {
        s.WriteFile("file", "data");
        s.Mkdir("dir", Octal("0755"));
        foreach (var node in new[] { "file", "dir" })
        {
            s.ListXattr(node, 0);
            s.SetXattr(node, "user.one", "value-1", 0);
            s.SetXattr(node, "user.two", "", 0);
            s.SetXattr(node, "user.three", new string('v', 3000), 0);
            s.GetXattr(node, "user.one", 0);
            s.GetXattr(node, "user.one", 64);
            s.GetXattr(node, "user.one", 7);
            s.GetXattr(node, "user.one", 3, expect: Errno.ERANGE);
            s.GetXattr(node, "user.two", 0);
            s.GetXattr(node, "user.two", 16);
            s.GetXattr(node, "user.three", 0);
            s.GetXattr(node, "user.three", 4096);
            s.GetXattr(node, "user.missing", 0, expect: Errno.ENODATA);
            s.GetXattr(node, "user.missing", 64, expect: Errno.ENODATA);
            s.ListXattr(node, 0);
            s.ListXattr(node, 256);
            s.ListXattr(node, 5, expect: Errno.ERANGE);

            s.SetXattr(node, "user.one", "other", XATTR_CREATE, expect: Errno.EEXIST);
            s.SetXattr(node, "user.absent", "x", XATTR_REPLACE, expect: Errno.ENODATA);
            s.SetXattr(node, "user.one", "replaced", XATTR_REPLACE);
            s.GetXattr(node, "user.one", 64);
            s.SetXattr(node, "user.four", "4", XATTR_CREATE);
            s.RemoveXattr(node, "user.one");
            s.RemoveXattr(node, "user.one", expect: Errno.ENODATA);
            s.GetXattr(node, "user.one", 64, expect: Errno.ENODATA);
            s.ListXattr(node, 0);
            s.ListXattr(node, 256);
            s.SetXattr(node, "unknownnamespace.x", "x", 0, expect: Errno.EOPNOTSUPP);
        }

        s.GetXattr("missing", "user.one", 64, expect: Errno.ENOENT);
        s.Rename("file", "renamed");
        s.GetXattr("renamed", "user.four", 64);
    });

    [Fact]
    public void ExtendedAttributesOfASymlinkItself_AreThoseOfTheBackingSymlink() => SameOnBoth(s =>
    {
        // The l- calls (llistxattr, lgetxattr, lsetxattr) address the link, not its target: what cp -a, rsync -X
        // and tar --xattrs do for every symlink they copy. Linux allows user.* only on files and directories, so
        // the backing store answers with its own errors; trusted.* is root's and works on a link.
        s.WriteFile("target", "data");
        s.SetXattr("target", "user.on-target", "t", 0);
        s.Symlink("target", "link");
        s.ListXattr("link", 0, expect: null, noFollow: true);
        s.ListXattr("link", 256, expect: null, noFollow: true);
        s.GetXattr("link", "user.on-target", 64, expect: null, noFollow: true);
        s.SetXattr("link", "user.on-link", "l", 0, expect: null, noFollow: true);
        s.SetXattr("link", "trusted.on-link", "l", 0, expect: null, noFollow: true);
        s.GetXattr("link", "trusted.on-link", 64, expect: null, noFollow: true);
        s.ListXattr("link", 256, expect: null, noFollow: true);

        // The following calls resolve the link and must reach the target.
        s.GetXattr("link", "user.on-target", 64);
        s.ListXattr("link", 256);
        s.ListXattr("target", 256);
    });

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
    public void OpenFiles_KeepWorking_WhenRenamedUnlinkedOrTheirDirectoryIsRenamed() => SameOnBoth(s =>
    {
        s.WriteFile("file", "before");
        var fd = s.Open("file", O_RDWR);
        s.Rename("file", "moved");
        s.PWrite(fd, " after", 6);
        s.PRead(fd, 64, 0);
        s.ReadFile("moved");
        s.Fstat(fd);
        s.Stat("file", expect: Errno.ENOENT);

        s.Unlink("moved");
        s.Fstat(fd);
        s.PRead(fd, 64, 0);
        s.PWrite(fd, "!", 12);
        s.FTruncate(fd, 10);
        s.Fstat(fd);
        s.PRead(fd, 64, 0);
        s.Stat("moved", expect: Errno.ENOENT);
        s.Close(fd);

        s.Mkdir("dir", Octal("0755"));
        s.WriteFile("dir/inner", "inside");
        var inner = s.Open("dir/inner", O_RDWR);
        s.Rename("dir", "renamed-dir");
        s.PWrite(inner, "!", 6);
        s.PRead(inner, 64, 0);
        s.Fstat(inner);
        s.ReadFile("renamed-dir/inner");
        s.Stat("dir/inner", expect: Errno.ENOENT);
        s.Close(inner);
        s.List(".");
    });

    [Fact]
    public unsafe void ODirectWrites_AlignedOrNot_SucceedAndLandInTheBackingFile()
    {
        // Mount only: the backing store would refuse the unaligned requests (EINVAL), but FUSE accepts them and the
        // mount must carry them out instead of passing the backing file's alignment rules on to the application.
        var path = Path.Combine(_viaFuse, "direct.bin");
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
            var backing = File.ReadAllBytes(Path.Combine(_viaFuseOnBacking, "direct.bin"));
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
    public unsafe void Statfs_ReportsTheBackingVolume()
    {
        StatFs mounted, native;
        Assert.True(StatFileSystem(_viaFuse, &mounted) == 0, $"statfs on the mount: {PosixSession.ErrnoText(LastErrno)}");
        Assert.True(StatFileSystem(_native, &native) == 0, $"statfs on the backing store: {PosixSession.ErrnoText(LastErrno)}");

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

    [Theory]
    [InlineData("0000")]
    [InlineData("0400")]
    [InlineData("0200")]
    [InlineData("0100")]
    [InlineData("0010")]
    [InlineData("0001")]
    [InlineData("0644")]
    [InlineData("0755")]
    [InlineData("4711")]
    public void Access_AsRoot_AnswersAsTheBackingStore(string mode) => SameOnBoth(s =>
    {
        s.WriteFile("file", "data");
        s.Chmod("file", Octal(mode));
        s.Mkdir("dir", Octal("0755"));
        s.Chmod("dir", Octal(mode));
        foreach (var node in new[] { "file", "dir" })
        {
            foreach (var mask in new[] { F_OK, R_OK, W_OK, X_OK, R_OK | W_OK, R_OK | W_OK | X_OK })
            {
                s.Access(node, mask, expect: null);
            }
        }

        s.Access("missing", F_OK, expect: Errno.ENOENT);
        s.Access("file/below", F_OK, expect: Errno.ENOTDIR);
    });

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

    [Fact]
    public void NewNodes_GetTheRequestedModeUnderTheCallersUmask()
    {
        // The kernel has already applied the caller's umask to the mode in CREATE, MKDIR and MKNOD (ThrottleFs does
        // not negotiate FUSE_DONT_MASK), so the mirror must create exactly that mode; the daemon's own umask,
        // inherited from whoever ran "throttlefs mount", must not mask it a second time. A caller umask of 0 makes
        // a second mask visible. The umask is per process, which is safe only because mount tests never run in
        // parallel (AssemblyInfo.cs).
        var previous = UMask(0);
        try
        {
            SameOnBoth(s =>
            {
                s.Close(s.Open("file", O_CREAT | O_WRONLY, Octal("0666")));
                s.Stat("file");
                s.Mkdir("dir", Octal("0777"));
                s.Stat("dir");
                s.MkNod("fifo", S_IFIFO | Octal("0666"), 0);
                s.Stat("fifo");
            });
        }
        finally
        {
            UMask(previous);
        }
    }

    private static uint Octal(string digits) => Convert.ToUInt32(digits, 8);

    private static bool IsZeros(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept((byte)0) < 0;

    // A slice clamped to the data, so a short read on one side shows up as a difference rather than an exception.
    private static ReadOnlySpan<byte> Part(byte[] data, int start, int length = int.MaxValue)
    {
        start = Math.Min(start, data.Length);
        return data.AsSpan(start, (int)Math.Min(length, (long)data.Length - start));
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // Runs the sequence natively, then through the mount, and compares the transcripts step by step.
    private void SameOnBoth(Action<PosixSession> sequence)
    {
        var native = Run(sequence, _native, _native);
        var mounted = Run(sequence, _viaFuse, _viaFuseOnBacking);

        var differences = new List<string>();
        for (var i = 0; i < Math.Max(native.Steps.Count, mounted.Steps.Count); i++)
        {
            var n = i < native.Steps.Count ? native.Steps[i] : null;
            var m = i < mounted.Steps.Count ? mounted.Steps[i] : null;
            if (n == m)
            {
                continue;
            }

            var call = n?.Call == m?.Call ? n!.Call : $"{n?.Call ?? "(nothing)"} / {m?.Call ?? "(nothing)"}";
            differences.Add($"step {i + 1}, {call}: {Contrast(n?.Outcome ?? "(not reached)", m?.Outcome ?? "(not reached)")}");
        }

        Assert.True(
            differences.Count == 0,
            $"{differences.Count} of {native.Steps.Count} steps differ between the backing store and the mount:\n{string.Join('\n', differences)}");
        Assert.True(
            native.Surprises.Count == 0,
            $"the backing store itself did not do what the test expects (a test premise, not a mount bug):\n{string.Join('\n', native.Surprises)}");
    }

    // Long outcomes (listings) are cut to the neighbourhood of their first difference.
    private static string Contrast(string native, string mounted)
    {
        const int Context = 80;
        if (native.Length + mounted.Length <= 4 * Context)
        {
            return $"native {native}, mount {mounted}";
        }

        var at = native.AsSpan().CommonPrefixLength(mounted);
        var from = Math.Max(0, at - Context);
        string Cut(string s) => (from > 0 ? "…" : "") + s[from..Math.Min(s.Length, at + Context)] + (at + Context < s.Length ? "…" : "");
        return $"first difference at character {at}: native {Cut(native)}, mount {Cut(mounted)}";
    }

    private static PosixSession Run(Action<PosixSession> sequence, string root, string backingRoot)
    {
        var session = new PosixSession(root, backingRoot);
        try
        {
            sequence(session);
        }
        finally
        {
            session.CloseAll();
        }

        return session;
    }

    /// <summary>Mounts once for the whole class: a mount costs about a second, a directory pair nothing.</summary>
    public sealed class MountFixture : IDisposable
    {
        internal MountedFileSystem Mount { get; } = MountedFileSystem.Start();

        public void Dispose() => Mount.Dispose();
    }

}
