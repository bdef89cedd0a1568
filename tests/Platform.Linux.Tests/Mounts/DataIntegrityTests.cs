namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// fio writes random blocks with checksums through a throttled mount and reads them back; then the backing file must
/// match what the mount shows, byte for byte. Jobs write disjoint regions of one file, so they check each other's
/// neighbours but never overwrite them.
/// </summary>
public sealed class DataIntegrityTests
{
    [Theory]
    [InlineData("1", "psync", "1")]   // O_DIRECT, synchronous, parallel direct writes to one file
    [InlineData("0", "psync", "1")]   // buffered
    [InlineData("1", "libaio", "16")] // O_DIRECT, asynchronous, queue depth 16
    public void FioVerify_WithSeveralJobs_SeesEveryBlockItWrote(string direct, string engine, string depth)
    {
        using var mount = MountedFileSystem.Start("--limit", "iops-total=20000,bps-total=400M", "--mount-limit", "iops-total=40000");
        var file = mount.OnMount("verify.bin");
        var outcome = Fio.Run(
            "--name=verify", $"--filename={file}", "--size=8m", "--offset_increment=8m", "--numjobs=4",
            "--rw=randwrite", "--bsrange=4k-64k", "--bs_unaligned=0", $"--direct={direct}", $"--ioengine={engine}", $"--iodepth={depth}",
            "--verify=crc32c", "--verify_fatal=1", "--do_verify=1");
        Assert.True(outcome.Errors == 0, outcome.Raw);
        Assert.True(outcome.WriteIos > 0 && outcome.ReadIos > 0);

        var throughMount = File.ReadAllBytes(file);
        var backing = File.ReadAllBytes(mount.OnBacking("verify.bin"));
        Assert.Equal(32 << 20, backing.Length);
        Assert.True(throughMount.AsSpan().SequenceEqual(backing), "the backing file differs from what the mount shows");
    }

    [Fact]
    public void Fsync_ReachesTheBackingFile()
    {
        using var mount = MountedFileSystem.Start();
        using (var file = new FileStream(mount.OnMount("synced.bin"), FileMode.Create, FileAccess.Write))
        {
            file.Write(new byte[] { 1, 2, 3, 4 });
            file.Flush(flushToDisk: true);

            // Still open: the data is in the backing file already, not only in a cache of ours.
            Assert.Equal([1, 2, 3, 4], File.ReadAllBytes(mount.OnBacking("synced.bin")));
        }
    }
}
