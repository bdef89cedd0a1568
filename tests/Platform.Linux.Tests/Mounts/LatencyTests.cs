namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// Injected latency as fio sees it through a real mount (O_DIRECT, queue depth 1, 4 seconds): its completion latency
/// percentiles are the configured latency plus the cost of a FUSE round trip. The delay is never cut short, so the
/// minimum is at least the configured latency; above it the tolerance is 5 to 6 ms, for a busy 2-core machine whose
/// timers fire late (a FUSE round trip and a timer's lateness added about 1.5 ms here).
/// </summary>
public sealed class LatencyTests
{
    private const double Ms = 1_000_000;

    [Fact]
    public void LatencyRead20ms_MakesEveryReadTake20ms()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "latency-read=20ms");
        var outcome = Fio.Run(Job(mount, "randread"));

        Assert.Equal(0, outcome.Errors);
        var latency = outcome.ReadLatencyNs;
        Assert.True(latency[0.0] >= 20 * Ms, $"the fastest read took {latency[0.0] / Ms} ms");
        Assert.InRange(latency[50.0] / Ms, 20, 25);
        Assert.InRange(outcome.ReadIos, 4000 / 25, 4000 / 20); // one read every 20 ms and a little
    }

    [Fact]
    public void LatencyWriteWithJitter_SpreadsWritesUniformlyOverTheRange_AndLeavesReadsAlone()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "latency-write=10ms,latency-jitter=10ms,latency-seed=1");
        var outcome = Fio.Run([.. Job(mount, "randrw"), "--rwmixread=50"]);

        Assert.Equal(0, outcome.Errors);
        var writes = outcome.WriteLatencyNs;
        Assert.True(writes[0.0] >= 10 * Ms, $"the fastest write took {writes[0.0] / Ms} ms");
        Assert.InRange(writes[50.0] / Ms, 13, 21); // uniform over 10..20 ms: the median is 15 ms
        Assert.InRange(writes[10.0] / Ms, 10, 16); // a tenth of them under 11 ms
        Assert.InRange(writes[90.0] / Ms, 17, 26); // a tenth over 19 ms

        // Reads get the jitter only: nothing fixed, at most 10 ms.
        Assert.InRange(outcome.ReadLatencyNs[50.0] / Ms, 0, 12);
    }

    private static string[] Job(MountedFileSystem mount, string pattern) =>
        ["--name=t", $"--filename={mount.OnMount("t.bin")}", $"--rw={pattern}", "--bs=4k", "--direct=1", "--ioengine=psync", "--runtime=4", "--time_based"];

    private static void Prepare(string backing)
    {
        using var file = File.Create(Path.Combine(backing, "t.bin"));
        file.SetLength(16 << 20);
    }
}
