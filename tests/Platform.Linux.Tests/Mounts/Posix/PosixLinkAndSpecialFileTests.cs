using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// Nodes other than plain files and directories through the mount: symlinks, hard links, fifos and device nodes
/// resolve, count links and carry their modes and device numbers as on the backing store (see
/// <see cref="PosixComparisonTest"/>).
/// </summary>
[Collection(PosixMountCollection.Name)]
public sealed class PosixLinkAndSpecialFileTests(PosixMountFixture fixture) : PosixComparisonTest(fixture)
{
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
}
