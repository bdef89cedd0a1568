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

    // Sequential 1 MiB O_DIRECT reads are read ahead (ReadAhead); what another handle writes or truncates through the
    // mount between two of them must show in the next, never the data read ahead before it.
    [Fact]
    public unsafe void SequentialDirectReads_SeeWhatAnotherHandleChangesBetweenThem()
    {
        const int block = 1 << 20;
        const int blocks = 8;
        using var mount = MountedFileSystem.Start();
        var path = mount.OnMount("image.bin");
        var expected = new byte[blocks * block];
        new Random(16).NextBytes(expected);
        File.WriteAllBytes(path, expected);

        var name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = name)
        {
            fd = Interop.Sys.Open(p, Interop.Sys.O_RDONLY | Interop.Sys.O_DIRECT | Interop.Sys.O_CLOEXEC, 0);
        }

        Assert.True(fd >= 0, $"open O_DIRECT: {Interop.Sys.LastError}");
        var buffer = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(block, 4096);
        try
        {
            using var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            var random = new Random(17);
            for (var i = 0; i < blocks; i++)
            {
                Assert.Equal(block, (int)Interop.Sys.PRead(fd, buffer, block, (long)i * block));
                Assert.True(new ReadOnlySpan<byte>(buffer, block).SequenceEqual(expected.AsSpan(i * block, block)), $"block {i} differs");

                // Every other block is rewritten while the reader is between it and the one before.
                if (i % 2 == 0 && i + 1 < blocks)
                {
                    random.NextBytes(expected.AsSpan((i + 1) * block, block));
                    writer.Position = (long)(i + 1) * block;
                    writer.Write(expected, (i + 1) * block, block);
                    writer.Flush();
                }
            }

            // Three blocks in, the file is cut to two: the fourth read finds the end.
            Assert.Equal(block, (int)Interop.Sys.PRead(fd, buffer, block, 1L * block));
            Assert.Equal(block, (int)Interop.Sys.PRead(fd, buffer, block, 2L * block));
            writer.SetLength(2L * block);
            Assert.Equal(0, (int)Interop.Sys.PRead(fd, buffer, block, 3L * block));
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(buffer);
            Interop.Sys.Close(fd);
        }
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
