using System.Diagnostics;
using System.Text.Json;
using ThrottleFs.Platform.Linux.Tests.Mounts.Control;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// Limits changed while fio runs at them, through the CLI and through the watched config. fio logs its IOPS every
/// 250 ms; the change time is taken from our clock, which runs ahead of fio's by however long fio takes to start
/// (up to most of a second on a busy machine), so the rate before is measured on a window that ends a second before
/// our time of change, and "within a second" on one that begins a second after it.
/// Tolerance ±15 %: a 250 ms interval holds 25 requests at 100 IOPS, and timers on a loaded machine fire late.
/// </summary>
public sealed class LiveTuningTests
{
    [Fact]
    public void LoweringALimitWhileFioRunsAtIt_ChangesTheMeasuredRateWithinASecond_ThroughTheCli()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-total=1000");
        var log = RunFioWhile(mount, TimeSpan.FromSeconds(4), () =>
        {
            var set = Tool.ThrottleFs("set", mount.Point, "file", mount.OnMount("t.bin"), "iops-total=100");
            Assert.True(set.ExitCode == 0, set.ToString());
        }, out var changedMs);

        AssertRate(log, 500, changedMs - 1000, 1000, changedMs);
        AssertRate(log, changedMs + 1000, 9000, 100, changedMs);
    }

    [Fact]
    public void TheSetCommand_SaysWhatTheChangeLeftInForce_AndThatABurstKeptFromBeforeRunsOn()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-total=2000,iops-total-max=6000,iops-total-max-length=30");

        var set = Tool.ThrottleFs("set", mount.Point, "file", mount.OnMount("t.bin"), "iops-total=100");

        Assert.True(set.ExitCode == 0, set.ToString());
        const string now = "now: file t.bin iops-total=100,iops-total-max=6000,iops-total-max-length=30 → mount unlimited";
        const string note = "note: iops-total-max=6000 was kept: the burst can run at 6,000 IOPS for up to 31 s before iops-total=100 holds; add iops-total-max=0,iops-total-max-length=1 to drop it";
        Assert.Equal(["throttlefs: applied: file t.bin iops-total=100", now, note], set.Output.Trim().Split('\n'));
        Assert.Contains("  " + note, File.ReadAllText(mount.Control("changes")));
    }

    [Fact]
    public void EditingTheConfigWhileFioRuns_ChangesTheRate_AndABadEditKeepsIt()
    {
        using var mount = MountedFileSystem.Start(Prepare);
        var config = Path.Combine(mount.Root, "throttlefs.json");
        WriteAsAnEditorWould(config, """{ "file-limits": { "iops-total": 1000 } }""");
        WaitFor(() => FileLimit(mount) == 1000, "the first edit to apply");

        var log = RunFioWhile(mount, TimeSpan.FromSeconds(4), () => WriteAsAnEditorWould(config, """{ "file-limits": { "iops-total": 100 } }"""), out var changedMs);
        AssertRate(log, 500, changedMs - 1000, 1000, changedMs);
        AssertRate(log, changedMs + 1000, 9000, 100, changedMs); // the watcher waits 300 ms for writes to settle

        File.WriteAllText(config, """{ "file-limits": { "iops-total": 5000, } """); // cut short
        WaitFor(() => File.ReadAllText(mount.Control("errors")).Contains("not valid JSON"), "the bad edit to be refused");
        Assert.Contains($"refused the edit of {config}", File.ReadAllText(mount.Control("errors")));
        Assert.Equal(100, FileLimit(mount));

        File.WriteAllText(config, """{ "file-limits": { "iops-total": 100, "iops-total-max": 10 } }"""); // breaks max >= avg
        WaitFor(() => File.ReadAllText(mount.Control("errors")).Contains("iops-total-max"), "the invalid edit to be refused");
        Assert.Equal(100, FileLimit(mount));
        Assert.False(ControlDirectoryTests.Effective(mount).GetProperty("file-limits").TryGetProperty("iops-total-max", out _));
    }

    // The rate within ±15 % of the limit, or a failure that shows fio's whole log.
    private static void AssertRate(IopsLog log, long fromMs, long toMs, int limit, long changedMs)
    {
        var rate = log.Rate(fromMs, toMs);
        Assert.True(Math.Abs(rate - limit) <= limit * 0.15, $"{rate:F0} IOPS from {fromMs} to {toMs} ms, not {limit} ± 15 % (changed at {changedMs} ms): {log}");
    }

    private static IopsLog RunFioWhile(MountedFileSystem mount, TimeSpan after, Action change, out long changedMs)
    {
        var prefix = Path.Combine(mount.Root, "fio");
        var clock = Stopwatch.StartNew();
        var fio = Task.Run(() => Fio.Run(
            "--name=t", $"--filename={mount.OnMount("t.bin")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync",
            "--runtime=9", "--time_based", $"--write_iops_log={prefix}", "--log_avg_msec=250"));
        Thread.Sleep(after);
        changedMs = clock.ElapsedMilliseconds;
        change();
        var outcome = fio.Result;
        Assert.True(outcome.Errors == 0, outcome.Raw);
        return IopsLog.Read(Directory.GetFiles(mount.Root, "fio_iops*.log").Single());
    }

    // Editors save to a new file and rename it over the old one.
    private static void WriteAsAnEditorWould(string path, string json)
    {
        File.WriteAllText(path + ".swp", json);
        File.Move(path + ".swp", path, overwrite: true);
    }

    private static long FileLimit(MountedFileSystem mount) =>
        ControlDirectoryTests.Effective(mount).GetProperty("file-limits").TryGetProperty("iops-total", out var value) ? value.GetInt64() : 0;

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting for {what}");
            Thread.Sleep(100);
        }
    }

    private static void Prepare(string backing)
    {
        using var file = File.Create(Path.Combine(backing, "t.bin"));
        file.SetLength(64 << 20);
    }
}
