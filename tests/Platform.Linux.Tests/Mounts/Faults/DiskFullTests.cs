using System.Security.Cryptography;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Faults;

/// <summary>
/// The backing store fills up: each test mounts a 16 MiB tmpfs as the backing directory (and unmounts it again in
/// Dispose, after the ThrottleFs mount is gone). A write that does not fit fails through the mount with ENOSPC, as on
/// the tmpfs itself, not EIO; the daemon keeps serving, data written before stays intact, and freeing space through
/// the mount lets writes through again.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private const int DiskSize = 16 << 20;
    private const int ExistingSize = 2 << 20;
    private readonly string _root = Directory.CreateTempSubdirectory("throttlefs-diskfull-").FullName;
    private readonly string _disk;

    public DiskFullTests()
    {
        _disk = Directory.CreateDirectory(Path.Combine(_root, "tmpfs")).FullName;
        var mounted = Tool.Run("mount", "-t", "tmpfs", "-o", $"size={DiskSize},mode=0755", "tmpfs", _disk);
        if (mounted.ExitCode != 0)
        {
            Directory.Delete(_root, recursive: true);
            throw new InvalidOperationException($"cannot mount a tmpfs at {_disk}: {mounted}");
        }
    }

    public void Dispose()
    {
        // Each test's ThrottleFs mount is disposed first (its using ends before this runs).
        if (Tool.IsMounted(_disk) && Tool.Run("umount", _disk).ExitCode != 0)
        {
            Tool.Run("umount", "-l", _disk);
        }

        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WritingUntilFull_FailsWithEnospc_TheMountKeepsServing_AndDeletingAFileMakesRoom(bool pageCache)
    {
        using var mount = Mount(pageCache ? ["--page-cache"] : []);
        var existing = WriteExisting(mount);

        // Fill the disk through the mount, 256 KiB at a time, until a write fails.
        var fill = FaultProbe.Open(mount.OnMount("fill.bin"), Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC);
        long written = 0;
        int closed;
        try
        {
            var error = WriteUntilFailure(fill, ref written);
            Assert.True(error == Errno.ENOSPC, $"filling the disk through the mount failed with {error} after {written} bytes, not ENOSPC");
            Assert.InRange(written, 1, DiskSize - ExistingSize);

            // Another write into the full disk fails the same way.
            var again = 0L;
            Assert.Equal(Errno.ENOSPC, WriteUntilFailure(fill, ref again));
            Assert.Equal(0, again);
        }
        finally
        {
            closed = Libc.Close(fill);
        }

        Assert.Equal(0, closed);

        FaultProbe.AssertAlive(mount, mount.OnMount("existing.bin"));
        Assert.Equal(Errno.Success, FaultProbe.StatError(mount.OnMount("fill.bin")));
        Assert.Equal(existing, SHA256.HashData(FaultProbe.ReadFile(mount.OnMount("existing.bin"))));

        // Free the space through the mount: writing works again.
        DeleteAndWaitForRoom(mount, "fill.bin", 8 << 20);
        var after = RandomNumberGenerator.GetBytes(4 << 20);
        File.WriteAllBytes(mount.OnMount("after.bin"), after);
        Assert.Equal(after, FaultProbe.ReadFile(mount.OnMount("after.bin")));
        Assert.Equal(after, File.ReadAllBytes(Path.Combine(_disk, "after.bin")));
        Assert.Equal(existing, SHA256.HashData(File.ReadAllBytes(Path.Combine(_disk, "existing.bin"))));

        FaultProbe.AssertAlive(mount, mount.OnMount("after.bin"));
        FaultProbe.AssertUnmounts(mount);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public void FioFillingTheDisk_ReportsEnospc_AndTheMountKeepsServing(string direct)
    {
        using var mount = Mount([]);
        var existing = WriteExisting(mount);

        // 64 MiB into the 14 MiB left: fio stops at the first failed write and reports its errno.
        var outcome = Fio.Run(
            "--name=fill", $"--filename={mount.OnMount("fio.bin")}", "--rw=write", "--bs=64k", "--size=64m",
            $"--direct={direct}", "--ioengine=psync", "--fallocate=none");
        Assert.True(outcome.Job("fill").Errors == (int)Errno.ENOSPC, $"fio's error is {outcome.Job("fill").Errors}, not ENOSPC (28): {outcome.Raw}");
        Assert.True(outcome.WriteIos > 0, outcome.Raw);

        FaultProbe.AssertAlive(mount, mount.OnMount("existing.bin"));
        Assert.Equal(existing, SHA256.HashData(FaultProbe.ReadFile(mount.OnMount("existing.bin"))));
        DeleteAndWaitForRoom(mount, "fio.bin", 8 << 20);
        File.WriteAllText(mount.OnMount("after.txt"), "room again");
        Assert.Equal("room again", File.ReadAllText(Path.Combine(_disk, "after.txt")));
        FaultProbe.AssertUnmounts(mount);
    }

    // The mount's own files (config, mount point) live beside the tmpfs, not on it.
    private MountedFileSystem Mount(string[] arguments)
    {
        var root = Path.Combine(_root, "mount");
        var point = Directory.CreateDirectory(Path.Combine(root, "mnt")).FullName;
        return MountedFileSystem.Mount(root, _disk, point, arguments);
    }

    // Deletes a file through the mount and waits until statfs through the mount shows at least `room` bytes free.
    // The space comes back a few milliseconds after unlink returns, not at once as on the tmpfs itself: the daemon
    // holds an O_PATH descriptor on every inode the kernel knows, and lets the deleted file's go only when the
    // kernel's FORGET for it arrives, which the kernel queues during the unlink but the daemon reads on another thread.
    private static unsafe void DeleteAndWaitForRoom(MountedFileSystem mount, string name, long room)
    {
        File.Delete(mount.OnMount(name));
        Assert.Equal(Errno.ENOENT, FaultProbe.StatError(mount.OnMount(name)));
        long Available()
        {
            Libc.StatFs stat;
            Assert.Equal(0, Libc.StatFileSystem(mount.Point, &stat));
            return (long)stat.BlocksAvailable * stat.BlockSize;
        }

        Assert.True(FaultProbe.WaitUntil(() => Available() >= room, TimeSpan.FromSeconds(10)), $"{Available()} bytes free 10 s after deleting {name}");
    }

    // Data written through the mount before the disk fills; returns its checksum.
    private static byte[] WriteExisting(MountedFileSystem mount)
    {
        var data = RandomNumberGenerator.GetBytes(ExistingSize);
        using (var file = new FileStream(mount.OnMount("existing.bin"), FileMode.CreateNew, FileAccess.Write))
        {
            file.Write(data);
            file.Flush(flushToDisk: true);
        }

        return SHA256.HashData(data);
    }

    // Appends 256 KiB writes (a short one counts what it wrote) until one fails; returns its errno. Gives up after
    // four times the disk's size.
    private static unsafe Errno WriteUntilFailure(int fd, ref long written)
    {
        var chunk = RandomNumberGenerator.GetBytes(256 << 10);
        fixed (byte* p = chunk)
        {
            for (var limit = written + (4L * DiskSize); written < limit;)
            {
                var done = Libc.Write(fd, p, chunk.Length);
                if (done < 0)
                {
                    return (Errno)Libc.LastErrno;
                }

                written += done;
            }
        }

        return Errno.Success;
    }
}
