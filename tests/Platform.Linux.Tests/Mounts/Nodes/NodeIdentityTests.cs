using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Tests.Mounts.Faults;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Nodes;

/// <summary>
/// Nodes keep the kernel's file handle of their inode, which names the inode whatever its name: a file renamed behind
/// the mount's back is found again as the same node under its new name, and a name that now leads to another inode
/// is a new node. Which node the kernel got is seen through flock(2): the kernel keeps those locks itself (no
/// FUSE_FLOCK_LOCKS), per inode it knows, which is per node, so a lock taken through one open conflicts with one
/// through another open exactly when both are the same node.
/// </summary>
public sealed class NodeIdentityTests
{
    private static readonly byte[] Content = RandomNumberGenerator.GetBytes(8192);

    [Fact]
    public void AFileRenamedUnderneath_IsTheSameNodeUnderItsNewName_ItsOpenHandleAndThrottleGoOn()
    {
        using var mount = MountedFileSystem.Start(backing => File.WriteAllBytes(Path.Combine(backing, "old.bin"), Content), "--limit", "iops-total=10000");
        var before = FaultProbe.Open(mount.OnMount("old.bin"), Libc.O_RDWR);
        var after = -1;
        try
        {
            Assert.Equal(0, Libc.Flock(before, Libc.LOCK_EX | Libc.LOCK_NB));
            File.Move(mount.OnBacking("old.bin"), mount.OnBacking("new.bin"));

            // The new name is looked up afresh, and leads to the node the kernel already has: its lock is held.
            after = FaultProbe.Open(mount.OnMount("new.bin"), Libc.O_RDWR);
            Assert.Equal(-1, Libc.Flock(after, Libc.LOCK_EX | Libc.LOCK_NB));
            Assert.Equal(Errno.EAGAIN, (Errno)Libc.LastErrno);

            // Both handles are the one file; the one opened before the rename keeps reading and writing it, through
            // the throttle state it was opened with, which counts what it does after the rename.
            var readsBefore = Reads(mount, "old.bin");
            FaultProbe.WriteAt(before, 100, "through the old handle"u8);
            Assert.Equal("through the old handle"u8.ToArray(), FaultProbe.ReadAt(after, 100, 22));
            Assert.Equal(Content[..100], FaultProbe.ReadAt(before, 0, 100));
            Assert.Equal(readsBefore + 1, Reads(mount, "old.bin"));

            // The node's path is where the file is now: the new handle's throttle state and the file's statistics
            // attribute name it.
            Assert.Equal(Content[..100], FaultProbe.ReadAt(after, 0, 100));
            Assert.Equal(2, Reads(mount, "new.bin"));
            using var attribute = JsonDocument.Parse(FaultProbe.GetAttribute(mount.OnMount("new.bin"), "user.throttlefs.stats"));
            Assert.Equal("new.bin", attribute.RootElement.GetProperty("path").GetString());
        }
        finally
        {
            Libc.Close(before);
            if (after >= 0)
            {
                Libc.Close(after);
            }
        }

        FaultProbe.AssertAlive(mount, mount.OnMount("new.bin"));
        FaultProbe.AssertUnmounts(mount);
    }

    [Fact]
    public void AFileReplacedUnderneath_IsANewNode_SeenAsTheNewFile_WhileTheOldStaysOpen()
    {
        using var mount = MountedFileSystem.Start(backing => File.WriteAllBytes(Path.Combine(backing, "data.bin"), Content));
        var old = FaultProbe.Open(mount.OnMount("data.bin"), Libc.O_RDONLY);
        var replacement = -1;
        try
        {
            Assert.Equal(0, Libc.Flock(old, Libc.LOCK_EX | Libc.LOCK_NB));

            // Another inode under the same name, as an editor or a package manager saves a file.
            File.WriteAllText(mount.OnBacking("data.bin.tmp"), "the replacement");
            File.Move(mount.OnBacking("data.bin.tmp"), mount.OnBacking("data.bin"), overwrite: true);
            Assert.Equal(Errno.Success, FaultProbe.Stat(mount.OnBacking("data.bin"), out var backing));

            Assert.True(
                FaultProbe.WaitUntil(() => FaultProbe.Stat(mount.OnMount("data.bin"), out var stat) == Errno.Success && stat.Ino == backing.Ino, FaultProbe.CacheDeadline),
                "stat through the mount never showed the replacement's inode");
            Assert.Equal("the replacement", Encoding.ASCII.GetString(FaultProbe.ReadFile(mount.OnMount("data.bin"))));

            // A new node: its lock is free. The old file, unlinked now, still reads through the handle opened before.
            replacement = FaultProbe.Open(mount.OnMount("data.bin"), Libc.O_RDONLY);
            Assert.Equal(0, Libc.Flock(replacement, Libc.LOCK_EX | Libc.LOCK_NB));
            Assert.Equal(Content, FaultProbe.ReadAt(old, 0, Content.Length));
        }
        finally
        {
            Libc.Close(old);
            if (replacement >= 0)
            {
                Libc.Close(replacement);
            }
        }

        FaultProbe.AssertAlive(mount, mount.OnMount("data.bin"));
        FaultProbe.AssertUnmounts(mount);
    }

    // Reads the mount's statistics count for the file opened as path.
    private static long Reads(MountedFileSystem mount, string path)
    {
        using var stats = JsonDocument.Parse(File.ReadAllText(mount.Control("stats")));
        return stats.RootElement.GetProperty("files").EnumerateArray()
            .Single(file => file.GetProperty("path").GetString() == path)
            .GetProperty("read").GetProperty("ops").GetInt64();
    }
}
