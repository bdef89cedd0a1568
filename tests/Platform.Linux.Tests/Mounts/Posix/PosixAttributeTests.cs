using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// Attributes through the mount: modes, owners and times as chmod, chown and utimensat set them, access() as root,
/// and the mode of new nodes under the caller's umask, as on the backing store (see <see cref="PosixComparisonTest"/>).
/// </summary>
[Collection(PosixMountCollection.Name)]
public sealed class PosixAttributeTests(PosixMountFixture fixture) : PosixComparisonTest(fixture)
{
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
}
