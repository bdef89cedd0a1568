using System.Security.Cryptography;
using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Faults;

/// <summary>
/// The daemon is killed with SIGKILL while a writer is fsyncing block after block through the mount. What fsync
/// acknowledged must already be in the backing file, whole; the dead mount point is stale ("Transport endpoint is not
/// connected") until <c>throttlefs unmount</c> clears it; and the same point mounts and works again afterwards.
/// </summary>
public sealed class KilledDaemonTests
{
    // The writer is held to 50 writes/s (11 at once, then one every 20 ms), so it is still writing when the daemon is
    // killed after KillAfter acknowledgements: writing all Blocks takes about 5 s.
    private const int Blocks = 256;
    private const int KillAfter = 24;
    private static readonly string[] Limits = ["--limit", "iops-write=50"];

    [Theory]
    [InlineData(4096, false)]
    [InlineData(65536, false)]
    [InlineData(4096, true)]
    [InlineData(65536, true)]
    public void KillNine_UnderAnFsyncPerBlockWriter_KeepsEveryAcknowledgedBlock_AndTheMountPointRecovers(int blockSize, bool pageCache)
    {
        string[] arguments = pageCache ? [.. Limits, "--page-cache"] : Limits;
        using var mount = MountedFileSystem.Start(arguments);
        var source = Path.Combine(mount.Root, "blocks.source"); // beside the backing directory, not in it
        var expected = WriteSource(source, blockSize);
        var target = mount.OnMount("blocks.bin");

        IReadOnlyList<int> acknowledged;
        using (var writer = SyncedBlockWriter.Start(source, target, blockSize, Blocks))
        {
            Assert.True(writer.WaitForAcknowledged(KillAfter, TimeSpan.FromSeconds(30)), writer.ToString());
            using (var daemon = FaultProbe.Daemon(mount.Point))
            {
                daemon.Kill(); // SIGKILL
                Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(10)), "the killed daemon did not exit");
            }

            // The writer's next write or fsync fails; it must not hang on the dead connection.
            Assert.True(writer.WaitForExit(TimeSpan.FromSeconds(10)), $"the writer hangs after the daemon died: {writer}");
            acknowledged = writer.Acknowledged;
            Assert.True(writer.ExitCode != 0 && acknowledged.Count < Blocks, $"the writer finished before the kill: {writer}");
        }

        // The writer is sequential: acknowledgements are 0, 1, 2, ... with no gap.
        Assert.Equal(Enumerable.Range(0, acknowledged.Count), acknowledged);
        AssertBlocksIntact(mount.OnBacking("blocks.bin"), blockSize, expected, acknowledged.Count);

        // The mount point is stale until unmount clears it.
        Assert.Equal(Errno.ENOTCONN, FaultProbe.StatError(mount.Point));
        FaultProbe.AssertUnmounts(mount);
        Assert.False(File.Exists(FaultProbe.PidFile(mount.Point)), "the killed daemon's pid file is left behind");

        // The same point mounts again over the same backing directory, and serves the blocks fsync acknowledged.
        using var again = MountedFileSystem.Mount(Path.Combine(mount.Root, "again"), mount.Backing, mount.Point, arguments);
        AssertBlocksIntact(again.OnMount("blocks.bin"), blockSize, expected, acknowledged.Count);
        File.WriteAllText(again.OnMount("after.txt"), "written after the remount");
        Assert.Equal("written after the remount", File.ReadAllText(again.OnBacking("after.txt")));
        FaultProbe.AssertAlive(again, again.OnMount("blocks.bin"));
        FaultProbe.AssertUnmounts(again);
    }

    // Random blocks, each starting with its own number, so a block found in the wrong place names where it came from.
    private static byte[][] WriteSource(string path, int blockSize)
    {
        var blocks = new byte[Blocks][];
        using var file = File.Create(path);
        for (var i = 0; i < Blocks; i++)
        {
            var block = RandomNumberGenerator.GetBytes(blockSize);
            Encoding.ASCII.GetBytes($"block {i:D8}\n").CopyTo(block, 0);
            file.Write(block);
            blocks[i] = SHA256.HashData(block);
        }

        return blocks;
    }

    private static void AssertBlocksIntact(string path, int blockSize, byte[][] expected, int count)
    {
        var data = FaultProbe.ReadFile(path);
        Assert.True(data.Length >= (long)count * blockSize, $"{path} has {data.Length} bytes; {count} blocks of {blockSize} were acknowledged");
        for (var i = 0; i < count; i++)
        {
            var block = data.AsSpan(i * blockSize, blockSize);
            Assert.True(
                SHA256.HashData(block).AsSpan().SequenceEqual(expected[i]),
                $"acknowledged block {i} of {path} is damaged; it starts with '{Encoding.ASCII.GetString(block[..15]).TrimEnd('\n')}'");
        }
    }
}
