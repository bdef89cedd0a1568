namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// Limits as fio sees them through a real mount: O_DIRECT, queue depth 1, 10 seconds. The expected counts are QEMU's
/// (the engine's QemuScenarioTests derive them from the bucket model): the same job under QEMU's own throttle completes the same number of requests. Tolerance
/// ±1 %, as the issue states; timers on a loaded machine fire late, never early, and late timers only shift requests
/// within the window.
/// </summary>
public sealed class ThrottlingTests
{
    private const string Runtime = "--runtime=10";

    [Fact]
    public void IopsTotal100_Completes1011RequestsIn10Seconds()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-total=100");
        var outcome = Fio.Run(Job(mount, "randread", "4k"));
        Assert.Equal(0, outcome.Errors);
        Assert.InRange(outcome.ReadIos, 1001, 1021); // 11 at once, then one every 10 ms: 1011 ± 1 %
    }

    [Fact]
    public void IopsSize4K_Counts64KReadsAsSixteen_64RequestsIn10Seconds()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-total=100,iops-size=4096");
        var outcome = Fio.Run(Job(mount, "randread", "64k"));
        Assert.Equal(0, outcome.Errors);
        Assert.InRange(outcome.ReadIos, 63, 65); // one every 160 ms after the first two: 64 ± 1
    }

    [Fact]
    public void BpsTotal1M_With64KReads_Completes162RequestsIn10Seconds()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "bps-total=1M");
        var outcome = Fio.Run(Job(mount, "randread", "64k"));
        Assert.Equal(0, outcome.Errors);
        Assert.InRange(outcome.ReadIos, 160, 164); // 2 at once, then one every 62.5 ms: 162 ± 1 %
    }

    [Fact]
    public void WritesAreThrottledToo()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-write=100");
        var outcome = Fio.Run(Job(mount, "randwrite", "4k"));
        Assert.Equal(0, outcome.Errors);
        Assert.InRange(outcome.WriteIos, 1001, 1021);
    }

    [Fact]
    public void MountLimit_IsSharedByAllFiles()
    {
        using var mount = MountedFileSystem.Start(Prepare2, "--mount-limit", "iops-total=100");
        var outcome = Fio.Run(
            "--name=a", $"--filename={mount.OnMount("a.bin")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync", Runtime, "--time_based",
            "--name=b", $"--filename={mount.OnMount("b.bin")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync", Runtime, "--time_based");
        Assert.Equal(0, outcome.Errors);
        Assert.InRange(outcome.ReadIos, 1001, 1021); // both files together, as one 100 IOPS budget
    }

    [Fact]
    public void AThrottledFile_DoesNotSlowOtherIoOnTheSameMount()
    {
        // A's 16 readers wait for A's 5 read IOPS (a path rule gives only A a limit); none of them may hold up B's
        // reads and writes (no thread, no queue slot: one of those held would cost B most of its rate). B runs alone
        // before and after, and is measured against the slower of the two with 15 % to spare: this VM's disk drifts
        // that much between runs of 5 s (alone, 8.2k then 10.3k IOPS a minute apart), and an average of the two let
        // one slow run beside A fail the test (8,691 beside A, 9,317 and 10,257 alone).
        using var mount = MountedFileSystem.Start(Prepare2, "--set", "rules:0:match=a.bin", "--set", "rules:0:iops-read=5");
        var before = Fio.Run(WorkloadB(mount));
        var together = Fio.Run([
            .. WorkloadB(mount),
            "--name=a", $"--filename={mount.OnMount("a.bin")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync",
            "--numjobs=16", "--runtime=5", "--time_based"]);
        var after = Fio.Run(WorkloadB(mount));
        Assert.Equal(0, before.Errors + together.Errors + after.Errors);
        var b = together.Job("b");
        var writesAlone = Math.Min(before.WriteIops, after.WriteIops);
        var readsAlone = Math.Min(before.ReadIops, after.ReadIops);
        Assert.True(b.WriteIops >= 0.85 * writesAlone, $"B wrote {b.WriteIops:F0} IOPS beside A, {before.WriteIops:F0} and {after.WriteIops:F0} alone");
        Assert.True(b.ReadIops >= 0.85 * readsAlone, $"B read {b.ReadIops:F0} IOPS beside A, {before.ReadIops:F0} and {after.ReadIops:F0} alone");

        // A, all 16 readers together, was held to its own 5/s: ~26 in 5 s, plus the 16 still waiting when time ran out,
        // which fio lets finish.
        Assert.InRange(together.Job("a").ReadIos, 30, 50);
    }

    private static string[] WorkloadB(MountedFileSystem mount) =>
        ["--name=b", $"--filename={mount.OnMount("b.bin")}", "--rw=randrw", "--bs=4k", "--direct=1", "--ioengine=psync", "--runtime=5", "--time_based"];

    private static string[] Job(MountedFileSystem mount, string pattern, string blockSize) =>
        ["--name=t", $"--filename={mount.OnMount("t.bin")}", $"--rw={pattern}", $"--bs={blockSize}", "--direct=1", "--ioengine=psync", Runtime, "--time_based"];

    private static void Prepare(string backing) => CreateFile(Path.Combine(backing, "t.bin"));

    private static void Prepare2(string backing)
    {
        CreateFile(Path.Combine(backing, "a.bin"));
        CreateFile(Path.Combine(backing, "b.bin"));
    }

    private static void CreateFile(string path)
    {
        using var file = File.Create(path);
        file.SetLength(64 << 20);
        file.Write(new byte[1 << 20]); // some real data, not only a hole
    }
}
