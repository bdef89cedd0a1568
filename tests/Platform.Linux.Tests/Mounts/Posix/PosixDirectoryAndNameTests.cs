using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// Names and directories through the mount: the errno of calls that fail on a name, nested directories and their
/// listings, rename and renameat2, and open files whose name or directory changes, as on the backing store (see
/// <see cref="PosixComparisonTest"/>).
/// </summary>
[Collection(PosixMountCollection.Name)]
public sealed class PosixDirectoryAndNameTests(PosixMountFixture fixture) : PosixComparisonTest(fixture)
{
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
}
