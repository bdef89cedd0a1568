using System.Security.Cryptography;
using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Faults;

/// <summary>
/// The backing directory is changed directly, not through the mount, while it is mounted. The mount must then
/// behave as the backing store does: open handles keep following their file as on a local filesystem, names show
/// the new tree once the kernel's entry and attribute caches (1 s) have expired (polled with a deadline), no stale
/// or wrong data comes back, and the daemon stays alive (its statistics read) and unmounts cleanly.
/// </summary>
public sealed class BackingChangedUnderneathTests
{
    private static readonly byte[] Content = RandomNumberGenerator.GetBytes(65536);
    private static readonly byte[] Patch = Encoding.ASCII.GetBytes("written through the open handle");

    [Fact]
    public void AFileRenamedUnderneath_TheOpenHandleFollowsIt_TheOldNameGoes_TheNewNameWorks()
    {
        using var mount = MountedFileSystem.Start(backing => File.WriteAllBytes(Path.Combine(backing, "old.bin"), Content));
        var fd = FaultProbe.Open(mount.OnMount("old.bin"), Libc.O_RDWR);
        try
        {
            File.Move(mount.OnBacking("old.bin"), mount.OnBacking("new.bin"));

            // The handle is the file, whatever its name now: it reads it, and writes land in it.
            Assert.Equal(Content, FaultProbe.ReadAt(fd, 0, Content.Length));
            FaultProbe.WriteAt(fd, 1000, Patch);
            Assert.Equal(Patch, File.ReadAllBytes(mount.OnBacking("new.bin"))[1000..(1000 + Patch.Length)]);
            Assert.Equal(Patch, FaultProbe.ReadAt(fd, 1000, Patch.Length));
        }
        finally
        {
            Libc.Close(fd);
        }

        Assert.True(
            FaultProbe.WaitUntil(() => FaultProbe.StatError(mount.OnMount("old.bin")) == Errno.ENOENT, FaultProbe.CacheDeadline),
            $"stat of the old name gives {FaultProbe.StatError(mount.OnMount("old.bin"))}, not ENOENT");
        Assert.Equal(Errno.ENOENT, FaultProbe.OpenError(mount.OnMount("old.bin"), Libc.O_RDONLY));
        Assert.Equal(Errno.Success, FaultProbe.Stat(mount.OnMount("new.bin"), out var stat));
        Assert.Equal((ulong)Content.Length, stat.Size);
        Assert.Equal(File.ReadAllBytes(mount.OnBacking("new.bin")), FaultProbe.ReadFile(mount.OnMount("new.bin")));
        Assert.Equal(["new.bin"], FaultProbe.List(mount.Point).Where(name => name != ".throttlefs"));

        FaultProbe.AssertAlive(mount, mount.OnMount("new.bin"));
        FaultProbe.AssertUnmounts(mount);
    }

    [Fact]
    public void AFileRemovedUnderneath_TheOpenHandleKeepsWorking_TheNameGoes()
    {
        using var mount = MountedFileSystem.Start(backing => File.WriteAllBytes(Path.Combine(backing, "doomed.bin"), Content));
        Assert.Equal(Errno.Success, FaultProbe.StatError(mount.OnMount("doomed.bin")));
        var fd = FaultProbe.Open(mount.OnMount("doomed.bin"), Libc.O_RDWR);
        int closed;
        try
        {
            File.Delete(mount.OnBacking("doomed.bin"));

            // As on a local filesystem, an unlinked file lives on while it is open.
            Assert.Equal(Content, FaultProbe.ReadAt(fd, 0, Content.Length));
            FaultProbe.WriteAt(fd, Content.Length, Patch);
            Assert.Equal([.. Content, .. Patch], FaultProbe.ReadAt(fd, 0, Content.Length + 4096));

            Assert.True(
                FaultProbe.WaitUntil(() => FaultProbe.StatError(mount.OnMount("doomed.bin")) == Errno.ENOENT, FaultProbe.CacheDeadline),
                $"stat of the removed name gives {FaultProbe.StatError(mount.OnMount("doomed.bin"))}, not ENOENT");
            Assert.DoesNotContain("doomed.bin", FaultProbe.List(mount.Point));
            Assert.Equal(Patch, FaultProbe.ReadAt(fd, Content.Length, Patch.Length));
        }
        finally
        {
            closed = Libc.Close(fd);
        }

        Assert.Equal(0, closed);
        Assert.False(File.Exists(mount.OnBacking("doomed.bin")));
        FaultProbe.AssertAlive(mount);
        FaultProbe.AssertUnmounts(mount);
    }

    [Fact]
    public void AFileTruncatedUnderneath_ReadsReturnTheShortData_ThenEndOfFile()
    {
        using var mount = MountedFileSystem.Start(backing => File.WriteAllBytes(Path.Combine(backing, "shrunk.bin"), Content));
        var fd = FaultProbe.Open(mount.OnMount("shrunk.bin"), Libc.O_RDONLY);
        try
        {
            Assert.Equal(Content, FaultProbe.ReadAt(fd, 0, Content.Length));
            Truncate(mount.OnBacking("shrunk.bin"), 1000);

            // Direct I/O: every read reaches the backing file at once, also through the handle opened before.
            Assert.Equal(Content[..1000], FaultProbe.ReadAt(fd, 0, Content.Length));
            Assert.Empty(FaultProbe.ReadAt(fd, 4096, 4096));
            Assert.Equal(Content[..1000], FaultProbe.ReadFile(mount.OnMount("shrunk.bin")));
        }
        finally
        {
            Libc.Close(fd);
        }

        AssertShortOnceAttributesExpire(mount, "shrunk.bin", 1000);
        FaultProbe.AssertAlive(mount, mount.OnMount("shrunk.bin"));
        FaultProbe.AssertUnmounts(mount);
    }

    [Fact]
    public void WithPageCache_AFileTruncatedUnderneath_ReadsTheShortData_WhenOpenedAgain()
    {
        using var mount = MountedFileSystem.Start(backing => File.WriteAllBytes(Path.Combine(backing, "shrunk.bin"), Content), "--page-cache");
        Assert.Equal(Content, FaultProbe.ReadFile(mount.OnMount("shrunk.bin"))); // now in the page cache
        Truncate(mount.OnBacking("shrunk.bin"), 1000);

        // An open drops the cached pages (no keep-cache), so a file opened after the change reads the short data.
        AssertShortOnceAttributesExpire(mount, "shrunk.bin", 1000);
        FaultProbe.AssertAlive(mount, mount.OnMount("shrunk.bin"));
        FaultProbe.AssertUnmounts(mount);
    }

    [Fact]
    public void WithPageCache_AHandleOpenBeforeATruncationUnderneath_StopsReadingTheOldBytes_OnceTheAttributesExpire()
    {
        using var mount = MountedFileSystem.Start(backing => File.WriteAllBytes(Path.Combine(backing, "shrunk.bin"), Content), "--page-cache");
        var fd = FaultProbe.Open(mount.OnMount("shrunk.bin"), Libc.O_RDONLY);
        try
        {
            Assert.Equal(Content, FaultProbe.ReadAt(fd, 0, Content.Length));
            Truncate(mount.OnBacking("shrunk.bin"), 1000);

            // Only reads through the handle: nothing else may refresh the attributes the kernel holds.
            Assert.True(
                FaultProbe.WaitUntil(() => FaultProbe.ReadAt(fd, 0, Content.Length).Length == 1000, FaultProbe.CacheDeadline),
                $"the handle still reads {FaultProbe.ReadAt(fd, 0, Content.Length).Length} bytes of a file truncated to 1000");
            Assert.Equal(Content[..1000], FaultProbe.ReadAt(fd, 0, Content.Length));
        }
        finally
        {
            Libc.Close(fd);
        }

        FaultProbe.AssertUnmounts(mount);
    }

    [Fact]
    public void ASubdirectoryRemovedUnderneath_LookupsFailCleanly_AndTheParentLists()
    {
        using var mount = MountedFileSystem.Start(backing =>
        {
            Directory.CreateDirectory(Path.Combine(backing, "sub", "deeper"));
            File.WriteAllBytes(Path.Combine(backing, "sub", "x.bin"), Content);
            File.WriteAllText(Path.Combine(backing, "sub", "deeper", "y.txt"), "y");
            File.WriteAllText(Path.Combine(backing, "keep.txt"), "kept");
        });

        // The kernel learns the whole tree, and open directory streams hold "sub": one through the mount, one on the
        // backing directory itself for reference.
        Assert.Equal(["deeper", "x.bin"], FaultProbe.List(mount.OnMount("sub")).Order());
        Assert.Equal("y", File.ReadAllText(mount.OnMount("sub/deeper/y.txt")));
        var held = Libc.OpenDir(mount.OnMount("sub"));
        var reference = Libc.OpenDir(mount.OnBacking("sub"));
        try
        {
            Assert.True(held != 0 && reference != 0, "opendir failed");
            Directory.Delete(mount.OnBacking("sub"), recursive: true);

            foreach (var path in new[] { "sub/deeper/y.txt", "sub/x.bin", "sub/deeper", "sub" })
            {
                Assert.True(
                    FaultProbe.WaitUntil(() => FaultProbe.StatError(mount.OnMount(path)) == Errno.ENOENT, FaultProbe.CacheDeadline),
                    $"stat of {path} gives {FaultProbe.StatError(mount.OnMount(path))}, not ENOENT");
            }

            // The stream opened before reads as one on the backing store does: its directory is gone.
            Assert.Equal(Record(() => FaultProbe.ReadNames(reference)), Record(() => FaultProbe.ReadNames(held)));
        }
        finally
        {
            if (held != 0)
            {
                Libc.CloseDir(held);
            }

            if (reference != 0)
            {
                Libc.CloseDir(reference);
            }
        }

        Assert.Equal(Errno.ENOENT, FaultProbe.OpenError(mount.OnMount("sub/new.txt"), Libc.O_WRONLY | Libc.O_CREAT));
        Assert.Equal([".throttlefs", "keep.txt"], FaultProbe.List(mount.Point).Order());
        Assert.Equal("kept", File.ReadAllText(mount.OnMount("keep.txt")));

        // The name is free again, through the mount.
        Directory.CreateDirectory(mount.OnMount("sub"));
        Assert.Empty(FaultProbe.List(mount.OnMount("sub")));
        Assert.True(Directory.Exists(mount.OnBacking("sub")));

        FaultProbe.AssertAlive(mount, mount.OnMount("keep.txt"));
        FaultProbe.AssertUnmounts(mount);
    }

    [Fact]
    public void ADirectoryReplacedByAFileUnderneath_IsSeenAsThatFile()
    {
        using var mount = MountedFileSystem.Start(backing =>
        {
            Directory.CreateDirectory(Path.Combine(backing, "thing"));
            File.WriteAllText(Path.Combine(backing, "thing", "inner.txt"), "inner");
        });
        Assert.Equal(Errno.Success, FaultProbe.Stat(mount.OnMount("thing"), out var before));
        Assert.Equal(Libc.S_IFDIR, before.Mode & Libc.S_IFMT);
        Assert.Equal("inner", File.ReadAllText(mount.OnMount("thing/inner.txt")));

        Directory.Delete(mount.OnBacking("thing"), recursive: true);
        File.WriteAllText(mount.OnBacking("thing"), "now a file");

        Assert.True(
            FaultProbe.WaitUntil(() => FaultProbe.Stat(mount.OnMount("thing"), out var stat) == Errno.Success && (stat.Mode & Libc.S_IFMT) == Libc.S_IFREG, FaultProbe.CacheDeadline),
            $"stat of the replaced name never showed a regular file (last: {FaultProbe.StatError(mount.OnMount("thing"))})");
        Assert.Equal(Errno.Success, FaultProbe.Stat(mount.OnMount("thing"), out var after));
        Assert.Equal(10UL, after.Size);
        Assert.Equal("now a file", Encoding.ASCII.GetString(FaultProbe.ReadFile(mount.OnMount("thing"))));
        Assert.Equal(Errno.ENOTDIR, FaultProbe.StatError(mount.OnMount("thing/inner.txt")));
        Assert.Equal([".throttlefs", "thing"], FaultProbe.List(mount.Point).Order());

        FaultProbe.AssertAlive(mount, mount.OnMount("thing"));
        FaultProbe.AssertUnmounts(mount);
    }

    private static void Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
    }

    // Once the attributes the kernel holds have expired, stat shows the new size, and a file opened now reads that
    // much and then ends.
    private static void AssertShortOnceAttributesExpire(MountedFileSystem mount, string name, int length)
    {
        Assert.True(
            FaultProbe.WaitUntil(() => FaultProbe.Stat(mount.OnMount(name), out var stat) == Errno.Success && stat.Size == (ulong)length, FaultProbe.CacheDeadline),
            $"stat of {name} through the mount never showed the truncated size {length}");
        Assert.Equal(Content[..length], FaultProbe.ReadFile(mount.OnMount(name)));
    }

    // What a call gave: its result as text, or the errno it failed with.
    private static string Record(Func<List<string>> call)
    {
        try
        {
            return $"entries [{string.Join(", ", call())}]";
        }
        catch (IOException e) when (e.Message.StartsWith("readdir: ", StringComparison.Ordinal))
        {
            return $"readdir fails with {e.Message["readdir: ".Length..]}";
        }
    }
}
