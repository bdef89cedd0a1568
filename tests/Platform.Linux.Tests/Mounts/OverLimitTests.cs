namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// Over the limit through a real mount: fio (O_DIRECT, 5 seconds, going on after the errors --ignore_error names,
/// which it otherwise stops at) gets the errno the limits name for every
/// refused request and the admitted count of the bucket model, and qemu-io reports a refused request as an I/O error
/// rather than hanging. Counts: a saturating reader against iops-total=100 has 11 admitted at once (the bucket holds
/// 10) and then one every 10 ms, 511 in 5 s; tolerance ±3 % for a loaded machine's late timers and fio's own start.
/// </summary>
public sealed class OverLimitTests
{
    private const int EAGAIN = 11, EIO = 5, ETIMEDOUT = 110;

    [Theory]
    [InlineData("iops-total=100,action=police,over-limit-error=EIO", EIO)]
    [InlineData("iops-total=100,queue-depth=0", EAGAIN)]
    public void APolicedReader_GetsTheChosenErrno_ForEverythingOverTheRate(string limits, int errno)
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", limits);
        var outcome = Fio.Run(Job(mount, "--ioengine=psync"));

        Assert.Equal(errno, outcome.FirstErrno);
        Assert.True(outcome.FailedIos > 1000, outcome.Raw);
        Assert.InRange(outcome.ReadIos - outcome.FailedIos, 496, 526);
        var stats = Tool.ThrottleFs("stats", mount.Point, "--json");
        Assert.Contains(errno == EIO ? "\"policed\":" : "\"queueFull\":", stats.Output);
    }

    [Fact]
    public void AQueueThatDrainsSlowerThanMaxWait_TimesRequestsOut_WithEtimedout()
    {
        // 8 readers against 10 a second: each read would wait 0.8 s, so all but those the bucket admits in time leave
        // their queue after 200 ms.
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-total=10,max-wait=200ms");
        var outcome = Fio.Run(Job(mount, "--ioengine=psync", "--numjobs=8", "--group_reporting"));

        Assert.Equal(ETIMEDOUT, outcome.FirstErrno);
        Assert.True(outcome.FailedIos > 100, outcome.Raw);
        Assert.InRange(outcome.ReadIos - outcome.FailedIos, 47, 58); // 2 at once, then 10 a second: 52
        Assert.True(outcome.ReadLatencyNs[99.0] < 260_000_000, $"p99 {outcome.ReadLatencyNs[99.0] / 1e6} ms: nothing waits much past the cap");
    }

    [Fact]
    public void QemuIo_ReportsARefusedRead_AsAnIoError_AndDoesNotHang()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-total=100,action=police,over-limit-error=EIO");
        // 11 pass at once (some of them qemu's own probes at open), then every read is refused.
        var reads = Enumerable.Range(0, 20).SelectMany(i => new[] { "-c", $"read {i * 4096} 4k" });
        var io = Tool.Run("qemu-io", ["-f", "raw", "-t", "none", .. reads, mount.OnMount("t.bin")], TimeSpan.FromSeconds(60));

        Assert.Contains("read 4096/4096 bytes at offset 0", io.Output);
        Assert.Contains("read failed: Input/output error", io.Output + io.Error);
    }

    private static string[] Job(MountedFileSystem mount, params string[] engine) =>
        ["--name=t", $"--filename={mount.OnMount("t.bin")}", "--rw=randread", "--bs=4k", "--direct=1", .. engine, "--runtime=5", "--time_based", "--continue_on_error=all", $"--ignore_error={EIO}:{EAGAIN}:{ETIMEDOUT},{EIO}:{EAGAIN}:{ETIMEDOUT}"];

    private static void Prepare(string backing)
    {
        using var file = File.Create(Path.Combine(backing, "t.bin"));
        file.SetLength(16 << 20);
    }
}
