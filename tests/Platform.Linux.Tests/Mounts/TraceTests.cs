using System.Globalization;
using System.Text.Json;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// Recording a workload through a real mount and asking what limits would do to it: the trace against fio's own
/// counts, its replay by fio, and a simulated duration against the same job run live under the limit.
/// </summary>
public sealed class TraceTests
{
    private const int Requests = 1000;

    [Fact]
    public void ARecordedFioJob_SimulatedUnderALimit_TakesAsLongAsTheSameJobRunLiveUnderIt()
    {
        string trace;
        using (var mount = MountedFileSystem.Start(Prepare))
        {
            trace = Path.Combine(Path.GetTempPath(), $"throttlefs-{Guid.NewGuid():N}.trace"); // outlives the mount
            Control(mount, $"trace start {trace}");
            var recorded = Fio.Run(Job(mount));
            Control(mount, "trace stop");
            Assert.True(recorded.Errors == 0, recorded.Raw);
            Assert.Equal(Requests, recorded.ReadIos);
        }

        try
        {
            var lines = File.ReadAllLines(trace);
            Assert.Equal("fio version 3 iolog", lines[0]);
            Assert.Equal(Requests, lines.Count(line => line.Contains(" t.bin read ", StringComparison.Ordinal)));

            var simulate = Tool.ThrottleFs("simulate", trace, "--limit", "iops-total=100", "--json");
            Assert.True(simulate.ExitCode == 0, simulate.ToString());
            var simulated = JsonDocument.Parse(simulate.Output).RootElement.GetProperty("duration_s").GetDouble();

            using var limited = MountedFileSystem.Start(Prepare, "--limit", "iops-total=100");
            var live = Fio.Run(Job(limited));
            Assert.True(live.Errors == 0, live.Raw);
            var liveSeconds = live.RuntimeMs / 1000.0;

            // (1000 − 11) / 100 s of admissions, plus what the requests themselves took.
            Assert.InRange(simulated, 9.89, 10.2);
            Assert.True(Math.Abs(simulated - liveSeconds) <= 0.02 * liveSeconds, $"simulated {simulated:F3} s, live {liveSeconds:F3} s");
        }
        finally
        {
            File.Delete(trace);
        }
    }

    [Fact]
    public void ATrace_ReplaysWithFio_OnAPlainFile()
    {
        using var mount = MountedFileSystem.Start(Prepare);
        var trace = Path.Combine(mount.Root, "rw.trace");
        Control(mount, $"trace start {trace}");
        var recorded = Fio.Run(
            "--name=t", $"--filename={mount.OnMount("t.bin")}", "--rw=randrw", "--bs=4k", "--direct=1", "--ioengine=psync",
            "--number_ios=400", "--size=16m");
        Control(mount, "trace stop");
        Assert.True(recorded.Errors == 0, recorded.Raw);

        var plain = Path.Combine(mount.Root, "plain.img");
        File.WriteAllBytes(plain, new byte[16 << 20]);
        var replay = Fio.Run("--name=replay", $"--read_iolog={trace}", $"--replay_redirect={plain}", "--ioengine=psync");

        Assert.True(replay.Errors == 0, replay.Raw);
        Assert.Equal(recorded.ReadIos, replay.ReadIos);
        Assert.Equal(recorded.WriteIos, replay.WriteIos);
        Assert.Equal(400, replay.ReadIos + replay.WriteIos);
    }

    [Fact]
    public void TheTraceCommand_RecordsWhileFioRuns_StopsAtItsDuration_AndRecordsTheWaits()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-total=200");
        var trace = Path.Combine(mount.Root, "cli.trace");
        var fio = Task.Run(() => Fio.Run(
            "--name=t", $"--filename={mount.OnMount("t.bin")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync",
            "--runtime=6", "--time_based"));
        Thread.Sleep(1000);

        var traced = Tool.ThrottleFs("trace", mount.Point, "--output", trace, "--duration", "3s");
        Assert.True(traced.ExitCode == 0, traced.ToString());
        Assert.Contains("requests written, 0 dropped", traced.Output);
        Assert.Contains($"throttlefs simulate {trace}", traced.Output);
        Assert.StartsWith("not tracing; the last trace", File.ReadAllText(mount.Control("trace")));
        Assert.Contains("stopped on its duration (3s)", File.ReadAllText(mount.Control("trace")));
        Assert.True(fio.Result.Errors == 0, fio.Result.Raw);

        var reads = File.ReadAllLines(trace).Where(line => line.Contains(" read ", StringComparison.Ordinal)).Select(line => line.Split(' ')).ToList();
        Assert.InRange(reads.Count, 510, 690); // 3 s at 200 IOPS, ±15 %
        // A client at queue depth 1 that asks for more than 200 reads a second waits about 5 ms for each (less the round
        // trip). A timer that fires a whole slot late on a busy machine lets the next read through at once, so the
        // median wait is checked, not every read's.
        var waits = reads.Select(words => long.Parse(words[5], CultureInfo.InvariantCulture)).Order().ToList();
        Assert.True(waits[waits.Count / 2] >= 2_000, $"the median read waited {waits[waits.Count / 2]} µs at 200 IOPS from a client that asks for more");
    }

    [Fact]
    public void TraceLines_ThatCannotRun_AreRefusedByName()
    {
        using var mount = MountedFileSystem.Start(Prepare);
        var first = Path.Combine(mount.Root, "a.trace");

        Assert.Contains("must be an absolute path", Refused(mount, "trace start relative.trace"));
        Assert.Contains("is not a duration", Refused(mount, $"trace start {first} duration=soon"));
        Assert.Contains("cannot write the trace file", Refused(mount, "trace start /proc/nope/a.trace"));
        Control(mount, $"trace start {first}");
        Assert.Contains($"a trace is already running into {first}", Refused(mount, $"trace start {first}.2"));
        Assert.StartsWith($"tracing into {first}", File.ReadAllText(mount.Control("trace")));
        Control(mount, "trace stop");

        var inside = Tool.ThrottleFs("trace", mount.Point, "--output", mount.OnMount("x.trace"), "--duration", "1s");
        Assert.Equal(2, inside.ExitCode);
        Assert.Contains("is inside the mount", inside.Error);
    }

    private static string[] Job(MountedFileSystem mount) =>
        ["--name=t", $"--filename={mount.OnMount("t.bin")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync", $"--number_ios={Requests}", "--size=16m"];

    private static void Prepare(string backing) => File.WriteAllBytes(Path.Combine(backing, "t.bin"), new byte[16 << 20]);

    private static void Control(MountedFileSystem mount, string line) => File.AppendAllText(mount.Control("control"), line + "\n");

    private static string Refused(MountedFileSystem mount, string line)
    {
        Assert.ThrowsAny<IOException>(() => Control(mount, line));
        return File.ReadAllText(mount.Control("errors"));
    }
}
