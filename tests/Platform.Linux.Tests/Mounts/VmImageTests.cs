namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>QEMU's own tools on images kept on a throttled mount: the workload ThrottleFs exists for.</summary>
public sealed class VmImageTests
{
    [Theory]
    [InlineData("none")]      // O_DIRECT, as -drive cache=none
    [InlineData("writeback")] // through the page cache
    public void QemuIo_WritesReadsDiscardsAndZeroes_AndTheImageChecksClean(string cache)
    {
        using var mount = MountedFileSystem.Start("--limit", "iops-total=5000,iops-total-max=20000");
        var image = mount.OnMount("vm.qcow2");
        Assert.Equal(0, Tool.Run("qemu-img", "create", "-q", "-f", "qcow2", image, "256M").ExitCode);

        var io = Tool.Run("qemu-io", "-t", cache,
            "-c", "write -P 0xab 0 1M",
            "-c", "write -P 0xcd 4M 64k",
            "-c", "write -z 1M 1M",
            "-c", "discard 0 512k",
            "-c", "read -P 0 0 512k",
            "-c", "read -P 0xab 512k 512k",
            "-c", "read -P 0 1M 1M",
            "-c", "read -P 0xcd 4M 64k",
            "-c", "flush",
            image);
        Assert.True(io.ExitCode == 0 && !io.Output.Contains("fail", StringComparison.OrdinalIgnoreCase) &&
                    !io.Error.Contains("fail", StringComparison.OrdinalIgnoreCase), io.ToString());

        var check = Tool.Run("qemu-img", "check", image);
        Assert.True(check.ExitCode == 0 && check.Output.Contains("No errors were found", StringComparison.Ordinal), check.ToString());

        var map = Tool.Run("qemu-img", "map", "--output=json", image);
        Assert.Equal(0, map.ExitCode);
        Assert.Contains("\"data\": true", map.Output, StringComparison.Ordinal);

        // Reopened straight from the backing store, the image holds what QEMU wrote through the mount.
        var direct = Tool.Run("qemu-io", "-r", "-c", "read -P 0xcd 4M 64k", mount.OnBacking("vm.qcow2"));
        Assert.True(direct.ExitCode == 0 && !direct.Output.Contains("fail", StringComparison.OrdinalIgnoreCase), direct.ToString());
    }

    [Fact]
    public void RawImage_WithCacheNone_RoundTrips()
    {
        using var mount = MountedFileSystem.Start();
        var image = mount.OnMount("disk.raw");
        Assert.Equal(0, Tool.Run("qemu-img", "create", "-q", "-f", "raw", image, "64M").ExitCode);
        var io = Tool.Run("qemu-io", "-f", "raw", "-t", "none", "-c", "write -P 0x11 1M 4M", "-c", "read -P 0x11 1M 4M", image);
        Assert.True(io.ExitCode == 0 && !io.Output.Contains("fail", StringComparison.OrdinalIgnoreCase), io.ToString());
    }

    [Fact]
    public void ASecondWriter_IsRefusedByQemusImageLock()
    {
        using var mount = MountedFileSystem.Start();
        var image = mount.OnMount("locked.qcow2");
        Assert.Equal(0, Tool.Run("qemu-img", "create", "-q", "-f", "qcow2", image, "64M").ExitCode);

        // qemu-io holds the image open (and locked) while it sleeps.
        using var holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("qemu-io", ["-t", "none", "-c", "sleep 5000", image])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            Tool.Result second = new(0, "", "");
            for (var attempt = 0; attempt < 50 && second.ExitCode == 0; attempt++)
            {
                Thread.Sleep(100); // until the holder has its lock
                second = Tool.Run("qemu-io", "-t", "none", "-c", "read 0 4k", image);
            }

            Assert.NotEqual(0, second.ExitCode);
            Assert.Contains("Failed to get \"write\" lock", second.Error, StringComparison.Ordinal);
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
    }
}
